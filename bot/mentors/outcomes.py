"""A Mentor Mother's own follow-ups and what came of her calls, from her work menu.

She sees only the open follow-ups assigned to her (bot/store/assignments.py), urgent ones
first, then the one due soonest. What she says of a call is kept at once, with her id (her
number) and the time, on the follow-up and in the mother's record of Mentor Mothers' work
(bot/store/mentor_actions.py):
- reached, referred: the follow-up is done;
- no answer: it stays open, due again NO_ANSWER_RETRY_HOURS later, its tries counted;
- wrong number: it is done, and the mother's number is flagged for a supervisor to check
  (her contact's `number_wrong` fields and the set WRONG_NUMBERS).
"""

import time

import redis

from ..privacy import mask_phone
from ..store import assignments, contacts, followups, mentor_actions

OUTCOMES = ("reached", "no_answer", "wrong_number", "referred")
NOTES = {"reached": "reached her by phone", "no_answer": "no answer",
         "wrong_number": "wrong number", "referred": "reached her and referred her"}
NO_ANSWER_RETRY_HOURS = 24  # try again the next day: she may be at work or out of airtime
WRONG_NUMBERS = "contacts:wrong_number"  # mothers whose number a Mentor Mother found wrong


def mine(db, mentor):
    """Her open follow-ups as records: urgent ones first, then by when they are due."""
    ids = sorted(db.smembers(assignments.assigned_key(mentor)))
    pipe = db.pipeline(transaction=False)
    for followup_id in ids:
        pipe.hgetall(followups.key(followup_id))
    found = [r for r in pipe.execute() if r.get("status") == "open"
             and r.get("assigned_to") == mentor]
    return sorted(found, key=lambda r: (followups.priority(r) != "urgent", followups.due_at(r),
                                        r.get("created_at", ""), r.get("id", "")))


def signed(mentor_record):
    """How she is named where staff read who did something: name and masked number."""
    return f"{mentor_record['name']} (Mentor Mother {mask_phone(mentor_record['phone'])})"


def record(db, config, followup_id, mentor_record, outcome, now=None):
    """Keep the outcome of her call; return the follow-up as it is now, or None when it is
    not an open follow-up of hers (closed meanwhile, or given to someone else)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
    now = int(now or time.time())
    mentor = mentor_record["phone"]
    with db.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(followups.key(followup_id))
            found = pipe.hgetall(followups.key(followup_id))
            if found.get("status") != "open" or found.get("assigned_to") != mentor:
                return None
            tries = int(found.get("attempts") or 0) + 1
            pipe.multi()
            changes = _queue(pipe, config, found, mentor_record, outcome, tries, now)
            pipe.execute()
        except redis.WatchError:
            return None  # closed or changed under her: she sees the list afresh
    if outcome != "no_answer":
        followups.tidy_index(db, found["phone"], config["FOLLOWUP_KEEP_DAYS"])
    return {**found, **changes}


def _queue(pipe, config, found, mentor_record, outcome, tries, now):
    mentor, mother = mentor_record["phone"], found["phone"]
    tried = {"attempts": str(tries), "last_outcome": outcome, "last_tried_at": str(now),
             "last_tried_by": mentor}
    pipe.hset(followups.key(found["id"]), mapping=tried)
    changes = dict(tried)
    if outcome == "no_answer":
        due = str(now + NO_ANSWER_RETRY_HOURS * 3600)
        pipe.hset(followups.key(found["id"]), "due_at", due)
        changes["due_at"] = due
    else:
        changes.update(followups.mark_done(pipe, {**found, **tried}, NOTES[outcome],
                                           signed(mentor_record), config["FOLLOWUP_KEEP_DAYS"]))
    if outcome == "wrong_number":
        pipe.hset(contacts.key(mother), mapping={"number_wrong_at": str(now),
                                                 "number_wrong_by": mentor})
        pipe.sadd(WRONG_NUMBERS, mother)
    mentor_actions.record(pipe, mother, mentor, "followup",
                          {"outcome": outcome, "reason": found.get("reason", ""),
                           "attempts": tries}, now=now,
                          keep_days=config["MENTOR_ACTIONS_KEEP_DAYS"])
    return changes


def wrong_numbers(db):
    """Mothers whose number a Mentor Mother found wrong, oldest report first:
    [{"phone", "by" (her phone), "at" (seconds)}]."""
    found = []
    for mother in db.smembers(WRONG_NUMBERS):
        when, by = db.hmget(contacts.key(mother), "number_wrong_at", "number_wrong_by")
        found.append({"phone": mother, "by": by or "", "at": int(when or 0)})
    return sorted(found, key=lambda entry: entry["at"])


def number_checked(db, mother):
    """A supervisor checked her number (corrected it, or found it right): off the list. Return
    False when it was not listed."""
    pipe = db.pipeline(transaction=True)
    pipe.srem(WRONG_NUMBERS, mother)
    pipe.hdel(contacts.key(mother), "number_wrong_at", "number_wrong_by")
    return bool(pipe.execute()[0])
