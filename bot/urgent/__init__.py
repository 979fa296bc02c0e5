"""Urgent follow-ups: a mother who writes of a danger sign is answered at once and reaches a person.

The detector (bot/triage) reads her words; this package acts on what it finds, the same way for
SMS and USSD: one answer in her language telling her to go to the nearest hospital now, a
follow-up listed before all others, and an SMS to each on-duty Mentor Mother.
"""

from .alerts import alerts_for
from .response import answer_sms, answer_ussd, screen_text

__all__ = ["alerts_for", "answer_sms", "answer_ussd", "screen_text"]
