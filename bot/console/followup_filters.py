"""Narrowing the follow-up list: by reason and by whether she has waited past her due time.

Each filter is one entry in FILTERS: a form field, its label, its choices and
a test on one follow-up record. A new way to narrow the list (her facility, the
Mentor Mother it is assigned to) is one more entry; the page draws every entry
as a drop-down and applies those chosen.
"""

import time
from dataclasses import dataclass

from .. import facilities
from ..store import contacts
from ..store import followups as followup_store

NOT_ASSIGNED = "none"  # the Mentor Mother filter's value for follow-ups no one has yet


@dataclass(frozen=True)
class Filter:
    name: str  # the form field
    label: str
    choices: tuple  # ((value, words), ...); the first is "all"
    test: object  # test(record, value, now) -> bool


def due_at(record):
    """When she should have been called by (seconds since 1970): the follow-up's own due time."""
    return followup_store.due_at(record)


def is_overdue(record, now=None):
    return followup_store.overdue(record, now)


def _reason(record, value, now):
    if value == "urgent":
        return followup_store.priority(record) == "urgent"
    return record.get("reason") == value


def _due(record, value, now):
    return is_overdue(record, now) == (value == "overdue")


def _mentor(record, value, now):
    return (record.get("assigned_to") or NOT_ASSIGNED) == value


def _facility(record, value, now):
    return record.get("_facility") == value  # read from her contact by `apply`


FILTERS = [
    Filter("reason", "Reason",
           (("", "Every reason"), ("urgent", "Urgent"),
            *sorted(followup_store.REASONS.items(), key=lambda pair: pair[1])), _reason),
    Filter("due", "Waiting", (("", "Overdue or not"), ("overdue", "Overdue"),
                              ("waiting", "Not yet due")), _due),
]


def for_team(db, team):
    """FILTERS with the Mentor Mother and facility filters for this team of Mentor Mothers."""
    mentor_choices = (("", "Anyone"), (NOT_ASSIGNED, "Not assigned"),
                      *((m["phone"], f"{m['name']} ({m['facility']})") for m in team))
    codes = sorted({m["facility"] for m in team if m.get("facility")})
    facility_choices = (("", "Every facility"),
                        *((code, _facility_name(db, code)) for code in codes))
    return [*FILTERS, Filter("assigned", "Mentor Mother", mentor_choices, _mentor),
            Filter("facility", "Her facility", facility_choices, _facility)]


def _facility_name(db, code):
    found = facilities.get(db, code)
    return f"{found.name} ({code})" if found else code


def chosen(args, filters=FILTERS):
    """{field: value} of the filters set in the request's arguments (unknown values ignored)."""
    found = {}
    for item in filters:
        value = args.get(item.name, "")
        if value and value in dict(item.choices):
            found[item.name] = value
    return found


def apply(db, records, chosen_values, now=None, filters=FILTERS):
    """The records that pass every chosen filter. Her facility is read from her contact
    (one round trip) only when that filter is chosen."""
    now = now or time.time()
    if "facility" in chosen_values:
        pipe = db.pipeline(transaction=False)
        for record in records:
            pipe.hget(contacts.key(record.get("phone", "")), "facility")
        records = [{**r, "_facility": code} for r, code in zip(records, pipe.execute(),
                                                                strict=True)]
    tests = [(item.test, chosen_values[item.name]) for item in filters
             if item.name in chosen_values]
    return [r for r in records if all(test(r, value, now) for test, value in tests)]


def by_mother(records):
    """[(phone, [records])] in the order of each mother's first follow-up (urgent ones first)."""
    groups = {}
    for record in records:
        groups.setdefault(record.get("phone", ""), []).append(record)
    return list(groups.items())
