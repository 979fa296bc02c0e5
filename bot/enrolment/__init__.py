"""Enrolment on USSD beyond one session: an enrolment the network cut off is recovered."""
