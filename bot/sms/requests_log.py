"""Each bulk request to AT, recorded before the call and settled after it, so that what AT may
have taken is neither sent twice nor silently lost.

Before a request its recipients' keys are claimed (outbound) and, in the same round trip to
Redis, a small record is written: `sms:request:<id>` (when it started, its state, each
recipient's number and key, and the claim's value), listed in `sms:requests:open` by start time.
When AT answers, whatever it says, the record goes: the message records and sent marks say the
rest. A request that went but got no answer is "maybe sent" (AT's answer timed out, the
connection dropped after the request was written, or the worker was killed during the call, which
leaves the record "sending"). Its claims are kept, so a retried job sends none of it again, and
`reconcile` settles it once SMS_UNCONFIRMED_MINUTES have passed:

- a delivery report for her number that arrived after the request started (bot/sms/delivery.py
  keeps when one last came for a message we have no record of) means AT took it: marked sent;
- no report, while delivery reports do arrive (one came within REPORTS_ARRIVE_SECONDS): AT very
  likely never took it. A reminder's claim is given back and she goes back on the due list, so
  the next dispatch sends it, once. A weekly message sent twice costs a shilling; a visit
  reminder lost may cost a missed visit;
- no report, and no reports arrive at all (the delivery callback is not set up): nothing tells
  a lost SMS from a sent one, so it stays sent at most once, and is counted;
- a queued SMS (a reply, an alert) is never sent again: its batch is gone, and a reply that
  comes an hour late would confuse her. It is counted.

The day's counts (`sms totals`) say how many were settled each way: `unconfirmed:reported`,
`unconfirmed:sent_again`, `unconfirmed:kept`.
"""

import uuid
from collections import Counter
from datetime import UTC, datetime

from .. import test_numbers
from ..reminders import due_list
from . import log

OPEN = "sms:requests:open"  # request ids by when they started
RECORD_DAYS = 7  # a record outlives any wait; reconcile drops an index entry without one
REPORTED_SECONDS = 2 * 86400  # how long the time of her last unmatched delivery report is kept
REPORTS_SEEN = "sms:reports:last"  # when the last delivery report arrived (seconds)
REPORTS_ARRIVE_SECONDS = 86400  # a report within a day: the delivery callback is set up
LOCK = "sms:requests:settling"  # one worker settles at a time
PAGE = 500

# Settle one key only if it still holds this request's claim: a key answered, given back or
# forgotten since (her whole hash deleted) is left as it is. ARGV: key, claim, new value ("" to
# give the claim back), the hash's TTL.
_SETTLE = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return 1
"""


def new_id():
    return uuid.uuid4().hex[:16]


def key(request_id):
    return f"sms:request:{request_id}"


def reported_key(phone):
    return f"sms:reported:{phone}"


def open_request(pipe, request_id, items, claim, started):
    """Queue the record of a request about to go (`items` with keys; `claim` their value)."""
    pipe.hset(key(request_id), mapping={
        "state": "sending", "started": f"{started:.3f}", "claim": claim,
        "to": "\n".join(f"{item.phone} {item.key}" for item in items if item.key)})
    pipe.expire(key(request_id), RECORD_DAYS * 86400)
    pipe.zadd(OPEN, {request_id: started})


def answered(pipe, request_id):
    """Queue the end of a request AT answered (or certainly never got): nothing to settle."""
    pipe.delete(key(request_id))
    pipe.zrem(OPEN, request_id)


def unanswered(db, request_id):
    """AT may have taken the request: keep its claims until it is settled."""
    db.hset(key(request_id), "state", "unanswered")


def report_arrived(pipe, phone, unmatched, now):
    """Queue the notes a delivery report leaves: that reports arrive, and, for a message we
    have no record of (its request's answer was lost), when one came for her number."""
    pipe.set(REPORTS_SEEN, str(int(now)))
    if unmatched and phone:
        pipe.set(reported_key(phone), str(int(now)), ex=REPORTED_SECONDS)


def waiting(db):
    """How many requests wait to be settled."""
    return db.zcard(OPEN)


def reconcile(db, wait_seconds, done_days, now=None):
    """Settle every request unanswered (or left sending) for `wait_seconds`; return the counts.

    `done_days`: how long her sent marks live (outbound.DONE_DAYS).
    """
    now = now or datetime.now(UTC).timestamp()
    token = new_id()
    if not db.set(LOCK, token, nx=True, ex=300):
        return Counter()  # another worker is at it
    counts = Counter()
    try:
        seen = db.get(REPORTS_SEEN)
        reports_arrive = bool(seen) and now - float(seen) <= REPORTS_ARRIVE_SECONDS
        while True:
            ids = db.zrangebyscore(OPEN, "-inf", now - wait_seconds, start=0, num=PAGE)
            if not ids:
                break
            for request_id in ids:
                _settle(db, request_id, reports_arrive, done_days, now, counts)
    finally:
        if db.get(LOCK) == token:
            db.delete(LOCK)
    return counts


def _settle(db, request_id, reports_arrive, done_days, now, counts):
    from .outbound import QUEUED, done_key, marked_at  # outbound records requests here

    record = db.hgetall(key(request_id))
    recipients = [line.split(" ", 1) for line in record.get("to", "").split("\n") if " " in line]
    pipe = db.pipeline(transaction=False)
    for phone, _key in recipients:
        pipe.get(reported_key(phone))
    reported = pipe.execute() if recipients else []
    started, claim = float(record.get("started") or 0), record.get("claim", "")
    dated = marked_at(claim) or int(now)
    settle, again, found = db.register_script(_SETTLE), set(), Counter()
    pipe = db.pipeline(transaction=False)
    outcomes = []
    for (phone, reminder), last_report in zip(recipients, reported, strict=True):
        if last_report and float(last_report) >= int(started):
            value, outcome = f"reported:{dated}", "reported"
        elif reports_arrive and not reminder.startswith(QUEUED):
            value, outcome = "", "sent_again"
        else:
            value, outcome = f"unconfirmed:{dated}", "kept"
        settle(keys=[done_key(phone)], args=[reminder, claim, value, done_days * 86400],
               client=pipe)
        outcomes.append((phone, outcome))
    changed = pipe.execute() if outcomes else []
    counted = Counter()
    for (phone, outcome), done in zip(outcomes, changed, strict=True):
        if done:
            found[outcome] += 1
            if not test_numbers.is_test(phone):  # staff's test phones count in no figure
                counted[outcome] += 1
            if outcome == "sent_again":
                again.add(phone)
    if again:  # back on the due list: the next dispatch sends what is no longer claimed
        due_list.file(db, {phone: datetime.fromtimestamp(now, UTC) for phone in again})
    pipe = db.pipeline(transaction=False)
    for outcome, number in counted.items():
        log.count(pipe, datetime.fromtimestamp(now, UTC), f"unconfirmed:{outcome}", number)
    answered(pipe, request_id)
    pipe.execute()
    counts.update(found)
