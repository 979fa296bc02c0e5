"""The programme's indicators: what each figure counts, in the words of a monthly report.

Each is counted as its event happens (bot/reports/counters.py), by the mother's facility and
language at that moment, never with her number. Some are split by a detail (a stage, a
reason, a screen): `enrolled:baby`. Figures worked out from others (a rate, a median) are
`Derived`; they are computed from the counts of the same rows.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    definition: str
    details: str = ""  # what its detail is, when it is split by one


@dataclass(frozen=True)
class Active:
    """Distinct mothers over the 30 days up to the report's last day (not a sum of counts)."""

    name: str
    label: str
    definition: str


@dataclass(frozen=True)
class Derived:
    name: str
    label: str
    definition: str


# Hours from a missed visit's follow-up being made to its closing, counted in these bands
# (the median is told as its band: a count per band keeps no one's times).
FOLLOW_UP_BANDS = (1, 2, 4, 8, 24, 48, 72, 168)

SECTIONS = {
    "Reach": (
        Indicator("reached_new", "Mothers reached, new",
                  "Mothers reached through eServices (dialled the USSD menu or were sent an SMS) "
                  "for the first time."),
        Indicator("reached_returning", "Mothers reached, returning",
                  "Mothers reached who had been reached before; each is counted once a month."),
        Active("active_30_days", "Mothers active",
               "Mothers who dialled the USSD menu or were sent an SMS in the 30 days up to the "
               "report's last day (each once); shown only when that day is today or yesterday."),
        Indicator("enrolled", "Mothers enrolled",
                  "Mothers who joined the SMS messages, by their stage when they joined.",
                  details="stage"),
        Indicator("opted_out", "Mothers who stopped SMS",
                  "Mothers who said STOP (by SMS, on the menu or through staff), by the reason "
                  "they gave when they gave one.", details="reason"),
        Indicator("enrolment_recovered", "Enrolments recovered",
                  "Enrolments finished after the USSD session dropped half-way (the mother "
                  "dialled back and went on, or was sent the SMS to finish)."),
    ),
    "SMS": (
        Indicator("sms_sent", "SMS sent", "SMS Africa's Talking accepted for sending."),
        Indicator("sms_delivered", "SMS delivered",
                  "SMS the network reported delivered to the phone."),
        Indicator("sms_failed", "SMS failed",
                  "SMS the network reported as not delivered, or AT refused, by reason.",
                  details="reason"),
        Derived("delivery_rate", "Delivery rate",
                "SMS delivered as a share of those with a final report (delivered or failed)."),
    ),
    "USSD": (
        Indicator("ussd_sessions", "USSD sessions", "Sessions on the USSD menu (each dial)."),
        Indicator("ussd_completed", "USSD sessions completed",
                  "Sessions that ended on a closing screen of the menu."),
        Indicator("ussd_dropped", "USSD sessions dropped",
                  "Sessions that ended before a closing screen (she hung up, the network "
                  "dropped or the time ran out), by the screen she was last shown.",
                  details="screen"),
    ),
    "Visits": (
        Indicator("visits_booked", "Visits booked",
                  "Clinic visits booked: entered by her, imported from a clinic register or "
                  "sent by the clinic's system."),
        Indicator("visits_kept", "Visits kept", "Visits marked attended."),
        Indicator("visits_missed", "Visits missed",
                  "Visits not marked attended by MISSED_VISIT_AFTER_DAYS after their date (a "
                  "missed-visit follow-up is made for each)."),
        Indicator("missed_followed_up", "Missed visits followed up",
                  "Missed-visit follow-ups closed by a Mentor Mother or staff, by hours from "
                  "the follow-up being made to its closing.", details="hours"),
        Derived("missed_follow_up_median", "Median time to follow up a missed visit",
                "The middle of the times from a missed-visit follow-up being made to its "
                "closing, told as its band of hours."),
    ),
    "Follow-ups": (
        Indicator("callbacks_closed", "Call-backs closed",
                  "Requests for a call (from the menu, by SMS or by staff) that were closed."),
        Indicator("callbacks_in_time", "Call-backs closed in time",
                  "Call-backs closed before they were due (FOLLOWUP_DUE_CALLBACK_HOURS)."),
        Indicator("urgent_answered", "Urgent questions answered",
                  "Urgent follow-ups (danger signs, urgent questions) that were closed."),
        Indicator("urgent_in_2_hours", "Urgent questions answered within 2 hours",
                  "Urgent follow-ups closed within 2 hours of being made."),
    ),
    "Child development": (
        Indicator("development_checks", "Development checks done",
                  "Development checks a mother went through on the menu, to the end."),
        Indicator("referrals_suggested", "Referrals suggested",
                  "Development checks whose answers suggested a referral to a health worker."),
    ),
}

ALL = tuple(item for items in SECTIONS.values() for item in items)
BY_NAME = {item.name: item for item in ALL}
COUNTED = frozenset(item.name for item in ALL if isinstance(item, Indicator))
# Counted where a caller reaches a screen that says so (`counts:` in flows/*.yaml): staff who
# change a flow keep its figures by moving the word with the screen.
FLOW_COUNTED = frozenset({"development_checks", "referrals_suggested"})


def band(hours):
    """The band of hours a time falls in: '<1', '1-2', ..., '72-168', '168+'."""
    low = 0
    for high in FOLLOW_UP_BANDS:
        if hours < high:
            return f"<{high}" if low == 0 else f"{low}-{high}"
        low = high
    return f"{low}+"


BANDS = tuple(band(h) for h in (0, *FOLLOW_UP_BANDS))  # in order, shortest first
