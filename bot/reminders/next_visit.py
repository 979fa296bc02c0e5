"""Her next clinic visit as the menus show it: the next booked one, or the next one the
programme's schedule suggests for her stage when that comes first.

A mother whose baby was born has suggested visits (the postnatal checks, the
vaccines) long before anyone books one for her: 'My next visit' shows them, with
the day the schedule gives. After a loss nothing is suggested (plan.suggested).
"""

from ..store import visits
from .plan import suggested


def menu_fields(contact, found, content, today, language, programme_county=""):
    """Contact fields for the menus: `next_visit` (ISO), `upcoming_visits` (booked, shown) and,
    when the suggested one comes first, `suggested_visit` (its name) and `suggested_date`."""
    if contact.get("stage") == "loss":  # as in her reminders: no pregnancy or baby visit
        found = {vid: v for vid, v in found.items() if v.get("kind") not in visits.FOR_PREGNANCY_OR_BABY}
    fields = visits.summary(found, today)
    standing = [v for v in found.values() if v.get("status") != "cancelled"]
    first = next(suggested(contact, standing, content, today, programme_county), None)
    if first is None or (fields and first[0].isoformat() >= fields["next_visit"]):
        return fields
    day, visit = first
    name = visit.get("name") or f"sms_reminders.kind_{visit['kind']}"
    return {**fields, "next_visit": day.isoformat(), "suggested_date": day.strftime("%d-%m-%Y"),
            "suggested_visit": content.texts.get(name, language)}
