"""A pregnancy or baby loss: what stops, what goes on, and who calls her.

Whichever door it comes through (her own USSD Settings, a clinic system through
the API, staff on the command line), a loss is recorded here, in one Redis
transaction, so that no reminder about the pregnancy or the baby can go out
after it: every booked visit for them is cancelled with the reason `loss`
(kept, never deleted, so staff see what happened to it), an open missed-visit
follow-up about one of them is closed, and a Mentor Mother follow-up with the
reason `loss` is made once however many times the loss is reported. Her own
care goes on: her ART visits, her own postnatal check and anything else booked
for her keep their reminders. The reminder plan also refuses, on its own, to
remind her of a pregnancy or baby visit while her stage is `loss`.
"""

import time

import redis

from ..reminders.dispatch import reschedule
from ..store import contacts, followups, visits

CLOSED_NOTE = "Closed: she reported a loss. The loss follow-up covers calling her."


def report(db, content, phone, now, rules, channel, day=None):
    """Record her loss (on `day`, today by default); return the new loss follow-up's id,
    or None when her loss was already recorded (nothing is made twice)."""
    day = day or now.date()
    with db.pipeline(transaction=True) as pipe:
        while True:
            try:
                followup_id = _record(pipe, phone, day, channel, rules.followup_keep_days)
                break
            except redis.WatchError:
                continue  # her records changed meanwhile (a second report): read them again
    reschedule(db, content, phone, now, rules)
    return followup_id


def _record(pipe, phone, day, channel, keep_days):
    pipe.watch(contacts.key(phone), visits.key(phone), followups.by_phone_key(phone))
    contact = pipe.hgetall(contacts.key(phone))
    cancelled = visits.ended_by_loss(visits.parse(pipe.hgetall(visits.key(phone))))
    missed = _missed_visit_followups(pipe, phone)
    first = contact.get("stage") != "loss"
    pipe.multi()
    if first:
        pipe.hset(contacts.key(phone), mapping={"stage": "loss", "loss_date": day.isoformat(),
                                                "stage_since": day.isoformat(),
                                                "updated_at": str(int(time.time()))})
    if cancelled:
        visits.put(pipe, phone, cancelled)
    for record in missed:
        followups.mark_done(pipe, record, CLOSED_NOTE, by="loss", keep_days=keep_days)
    followup_id = followups.add(pipe, phone, "loss", "", channel) if first else None
    pipe.execute()
    return followup_id


def _missed_visit_followups(pipe, phone):
    """Her open follow-ups for a missed pregnancy or baby visit (records)."""
    found = []
    for followup_id in sorted(pipe.smembers(followups.by_phone_key(phone))):
        record = pipe.hgetall(followups.key(followup_id))
        if (record.get("status") == "open" and record.get("reason") == "missed_visit"
                and record.get("topic") in visits.FOR_PREGNANCY_OR_BABY):
            found.append(record)
    return found
