"""Reminders: clinic visit SMS, weekly stage messages, missed-visit follow-ups."""
