"""'Forget me': delete everything kept about one phone number.

Her contact, visits, reminders, USSD and SMS sessions, message history,
follow-ups, what staff changed in the console and what Mentor Mothers recorded for her
(home visits, calls), links to her console page,
hourly reply counts, her count of failed deliveries, SMS still queued for her
(and alerts about her follow-ups) and the console outbox's copies go; daily
counts, which hold no number, stay. A short-lived mark, which holds only a
digest of the number, stops a worker already holding one of her SMS from
sending it. Data Protection Act 2019: a data subject may ask for her data to be
deleted.
"""

import hashlib
import json
import time

from . import assignments, contacts, followups, mentor_actions, staff_changes, ussd_sessions, visits

MARK_DAYS = 7  # as long as a queued SMS batch is kept (jobs.BATCH_DAYS)


def forget(db, phone):
    """Delete every record of `phone`; return how many keys went."""
    from ..enrolment import recovery
    from ..optout import undeliverable
    from ..reminders import due_list
    from ..sms import incoming, log, outbound, requests_log

    message_ids = db.lrange(log.contact_key(phone), 0, -1)
    followup_ids = db.smembers(followups.by_phone_key(phone))
    closed_ids = db.hkeys(followups.closed_key(phone))
    keys = [contacts.key(phone), visits.key(phone), ussd_sessions.key(phone),
            incoming.session_key(phone), log.contact_key(phone), outbound.done_key(phone),
            followups.by_phone_key(phone), followups.closed_key(phone), recovery.mark_key(phone),
            undeliverable.count_key(phone), staff_changes.key(phone),
            requests_log.reported_key(phone), mentor_actions.key(phone)]
    keys += [log.message_key(m) for m in message_ids]
    if len(message_ids) >= log.PER_CONTACT:  # her list is trimmed: older records may live on
        keys += _older_messages(db, phone, set(keys))
    keys += [followups.key(f) for f in followup_ids]
    keys += [followups.closed_id_key(f) for f in closed_ids]
    keys += list(db.scan_iter(match=f"sms:replies:{phone}:*", count=1000))
    keys += _page_references(db, phone)
    pipe = db.pipeline(transaction=True)
    pipe.delete(*keys)
    pipe.set(mark_key(phone), str(time.time()), ex=MARK_DAYS * 86400)
    due_list.remove(pipe, phone)
    if followup_ids:
        pipe.zrem(followups.OPEN, *followup_ids)
        pipe.zrem(followups.TESTS, *followup_ids)
    _off_mentor_lists(db, pipe, phone, followup_ids)
    pipe.srem("contacts:wrong_number", phone)  # bot/mentors/outcomes.py WRONG_NUMBERS
    deleted = pipe.execute()[0]
    _unqueue(db, phone, tuple(f"{kind}:{f}" for f in followup_ids for kind in ("alert", "urgent")))
    _clear_outbox(db, phone)
    return deleted


def _off_mentor_lists(db, pipe, phone, followup_ids):
    """Queue her removal from her Mentor Mother's list of mothers and of open follow-ups."""
    mentor = db.hget(contacts.key(phone), "mentor")
    if mentor:
        pipe.srem(assignments.mothers_key(mentor), phone)
    for followup_id in followup_ids:
        assigned = db.hget(followups.key(followup_id), "assigned_to")
        if assigned:
            pipe.srem(assignments.assigned_key(assigned), followup_id)


def _page_references(db, phone):
    """The console's short-lived references to her page (bot/console/contact_refs.py)."""
    names = list(db.scan_iter(match="console:ref:*", count=1000))
    pipe = db.pipeline(transaction=False)
    for name in names:
        pipe.get(name)
    return [name for name, held in zip(names, pipe.execute(), strict=True) if held == phone]


def mark_key(phone):
    """Where "she asked to be forgotten at" is kept, under a digest: never her number."""
    return f"forgotten:{hashlib.sha256(phone.encode()).hexdigest()[:32]}"


def _unqueue(db, phone, keys_about_her):
    """Take her SMS, and alerts about her follow-ups, out of every queued batch."""
    for name in db.scan_iter(match="sms:batch:*", count=1000):
        raw = db.get(name)
        items = json.loads(raw) if raw else []
        kept = [i for i in items if i["phone"] != phone and not _about(i.get("key"), keys_about_her)]
        if len(kept) == len(items):
            continue
        if kept:
            db.set(name, json.dumps(kept), keepttl=True)
        else:
            db.delete(name)  # the job finds its batch gone and sends nothing


def _about(key, keys_about_her):
    """True when an SMS's key names one of her follow-ups (alert:<id>, alert:<id>:again-7...)."""
    return bool(key) and any(key == mine or key.startswith(mine + ":") for mine in keys_about_her)


def _older_messages(db, phone, known):
    """The message records of `phone` no longer in her list (rare: only for long histories)."""
    found = []
    names = [n for n in db.scan_iter(match="sms:msg:*", count=1000) if n not in known]
    for start in range(0, len(names), 1000):
        chunk = names[start:start + 1000]
        pipe = db.pipeline(transaction=False)
        for name in chunk:
            pipe.hget(name, "phone")
        found += [n for n, owner in zip(chunk, pipe.execute(), strict=True) if owner == phone]
    return found


def _clear_outbox(db, phone):
    from ..sms.gateway import OUTBOX

    for raw in db.lrange(OUTBOX, 0, -1):
        if json.loads(raw).get("to") == phone:
            db.lrem(OUTBOX, 0, raw)
