"""Sending SMS: check, group, batch, send, and keep a record of every message.

Every outgoing SMS passes here, whatever asked for it (a reply, a reminder, a
staff test). Opt-out (from any source) and a pause for an undeliverable number
are checked at the moment of sending, so a message queued before she replied
STOP, or before AT said she opted out, is still never sent. Identical texts go
out in one bulk request per batch. An item with a `key` is sent at most once: its key is
claimed in Redis before the request to AT, so a retried job, or one re-run after
its worker was killed mid-request, skips every key claimed or sent. A claim is
released only when AT certainly did not take the request (it refused it, or it was never
reached) or says a recipient's failure may pass. A request AT may have taken without answering
keeps its claims until it is settled (requests_log).
"""

import itertools
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from .. import optout, phones, reports, test_numbers
from ..reports import reach
from ..store import contacts, forget, quick
from . import log, requests_log
from .gateway import GatewayError
from .log import done_key  # her sent marks' hash, which also holds her reminders' records

# How long a sent mark is kept. A reminder is planned at most 32 days after its first mark
# (a visit's day-before SMS; nothing once the visit is 30 days past, plan.VISIT_LOOKBACK_DAYS)
# or 37 days (a message counted in days expires a week after its day and is dropped 30 days
# later, plan.LATE_FORGOTTEN_DAYS); queued SMS live 7 days (jobs.BATCH_DAYS). Older marks are
# pruned by the dispatch (prune_marks), so her hash holds a few weeks of marks, not years.
DONE_DAYS = 45
QUEUED = "queued:"  # keys given to queued SMS; their words are kept in the log
SENDING = "sending"  # a claimed key: the request to AT went out or was about to
# (then :<request id>:<time>)
BLACKLISTED = 406  # AT's per-recipient UserInBlacklist


@dataclass(frozen=True)
class Outgoing:
    phone: str
    text: str
    kind: str = "reply"  # reply, reminder, stage, staff, confirmation
    key: str = ""  # a stable id: the same key is never sent twice
    force: bool = False  # only for the one confirmation of STOP
    queued_at: float = 0.0  # when it was queued (seconds since 1970); 0: sent as it is made
    by: str = ""  # the staff member who wrote it (a reply from the console), kept in her log


@dataclass(frozen=True)
class Outcome:
    item: Outgoing
    status: str  # AT's status word, or OptedOut / Paused / InvalidPhoneNumber / AlreadySent /
    # Forgotten
    sent: bool
    retryable: bool = False
    message_id: str = ""


def send(db, gateway, items, batch_size=200, region="KE", numbers_checked=False, now=None):
    """Send `items`; return one Outcome each. GatewayError from a batch propagates.

    `numbers_checked`: the numbers come from the bot's own records, which hold
    only numbers checked on the way in; reading them again is wasted time. `now`
    (seconds since 1970, the clock by default) dates her sent marks; the dispatch gives
    its own, so their pruning runs on the same clock as the planning.
    """
    outcomes, ready = [], []
    for item in items:
        phone = item.phone if numbers_checked else phones.normalise(item.phone, region)
        if phone is None:
            outcomes.append(_refused(db, item, "InvalidPhoneNumber"))
        else:
            ready.append(replace(item, phone=phone))
    pipe, clock = quick.Batch(db), time.time()
    now = clock if now is None else now
    for item in ready:
        pipe.hmget(contacts.key(item.phone), "opted_out", "sms_paused")
        pipe.hexists(done_key(item.phone), item.key) if item.key else pipe.echo("0")
        pipe.get(forget.mark_key(item.phone))
    answers = pipe.execute()
    allowed = []
    for item, (opted_out, paused), done, forgotten in zip(ready, answers[::3], answers[1::3],
                                                          answers[2::3], strict=True):
        if forgotten and float(forgotten) >= (item.queued_at or clock):
            outcomes.append(_refused(db, item, "Forgotten"))  # made before she was forgotten
        elif opted_out == "yes" and not item.force:
            outcomes.append(_refused(db, item, "OptedOut"))
        elif paused and not item.force:
            outcomes.append(_refused(db, item, "Paused"))
        elif str(done) in ("1", "True"):
            outcomes.append(Outcome(item, "AlreadySent", sent=True))
        else:
            allowed.append(item)
    for (text, _kind), group in itertools.groupby(sorted(allowed, key=_group), key=_group):
        group = list(group)
        for start in range(0, len(group), batch_size):
            request_id = requests_log.new_id()
            batch, taken = _claim(db, group[start:start + batch_size], now, request_id)
            outcomes += [Outcome(item, "AlreadySent", sent=True) for item in taken]
            if batch:
                outcomes += _send_batch(db, gateway, text, batch, now, request_id)
    return outcomes


def _claim(db, batch, now, request_id):
    """Claim the keys of `batch` before AT is asked, and record the request in the same round
    trip; return (to send, claimed already)."""
    keyed = [item for item in batch if item.key]
    if not keyed:
        return batch, []
    pipe, claim = db.pipeline(transaction=False), f"{SENDING}:{request_id}:{int(now)}"
    requests_log.open_request(pipe, request_id, keyed, claim, time.time())
    for item in keyed:
        pipe.hsetnx(done_key(item.phone), item.key, claim)
        pipe.expire(done_key(item.phone), DONE_DAYS * 86400)
    won = pipe.execute()[3::2]
    taken = {id(item) for item, new in zip(keyed, won, strict=True) if not new}
    if len(taken) == len(keyed):  # nothing to send: no request to record
        pipe = db.pipeline(transaction=False)
        requests_log.answered(pipe, request_id)
        pipe.execute()
    return ([item for item in batch if id(item) not in taken],
            [item for item in batch if id(item) in taken])


def _release(pipe, items):
    """Queue giving back the claims of items AT did not take, so a retry sends them."""
    for item in items:
        if item.key:
            pipe.hdel(done_key(item.phone), item.key)


def _send_batch(db, gateway, text, batch, now, request_id):
    try:
        deliveries = gateway.send(text, [item.phone for item in batch])
    except GatewayError as err:
        if err.maybe_sent:  # AT may have taken it: the claims stay until it is settled
            requests_log.unanswered(db, request_id)
        else:
            pipe = db.pipeline(transaction=False)
            _release(pipe, batch)
            requests_log.answered(pipe, request_id)
            pipe.execute()
        raise
    # A job stopped at its time limit, or a worker killed, during the call leaves the record
    # "sending": it is settled the same way.
    return _record(db, batch, deliveries, now, request_id)


def _group(item):
    return item.text, item.kind


def queued_key(batch_id, number):
    """The key of a queued SMS that has none of its own (a reply, an alert)."""
    return f"{QUEUED}{batch_id}:{number}"


def mark_done(pipe, phone, key, value, now):
    """Queue her mark that `key` is done (`value`: why, e.g. late), dated `now` (seconds)."""
    pipe.hset(done_key(phone), key, f"{value}:{int(now)}")
    pipe.expire(done_key(phone), DONE_DAYS * 86400)


def marked_at(value):
    """When a sent mark was written (seconds), or None for a mark from before marks were dated."""
    try:  # a mark that keeps its reminder's record begins with the time (log.DETAILS)
        return int(str(value).split(log.DETAILS, 1)[0].rsplit(":", 1)[-1])
    except ValueError:
        return None


def prune_marks(pipe, phone, marks, now):
    """Queue the removal of her marks older than DONE_DAYS, and of her reminders' records
    older than MESSAGE_KEEP_DAYS (`marks`: her hash as read, records and all).

    A mark written before marks were dated gets today's date, so it goes DONE_DAYS later.
    Return how many go.
    """
    oldest = now - DONE_DAYS * 86400
    stale, changes = log.prune(marks, now)
    marks = {key: value for key, value in marks.items() if not key.startswith(log.RECORD)}
    for key, value in marks.items():
        if (marked_at(value) or now) >= oldest:
            continue
        stale.append(key)
        if changes.pop(key, None) is None and log.DETAILS in value:  # the record outlives it
            record = log.unpack(key, value, phone)
            field = log.record_field(record["id"])
            changes[field] = log.repack(field, record)
    changes.update({key: f"{value}:{int(now)}" for key, value in marks.items()
                    if marked_at(value) is None})  # undated
    if stale:
        pipe.hdel(done_key(phone), *stale)
    if changes:
        pipe.hset(done_key(phone), mapping=changes)
    return len(stale)


def _record(db, batch, deliveries, marked, request_id):
    """Keep the record of each message (dated by the clock) and her marks (dated `marked`);
    give back the claims of recipients AT could not take now; close the request's record."""
    pipe, outcomes, now, totals = quick.Batch(db), [], time.time(), Counter()
    theirs = _facility_and_language(db, batch)
    tally = reports.Tally()
    _release(pipe, [item for item, d in zip(batch, deliveries, strict=True) if d.retryable])
    for item, delivery in zip(batch, deliveries, strict=True):
        message_id = delivery.message_id or f"local-{uuid.uuid4().hex[:16]}"
        test = test_numbers.is_test(item.phone)  # sent and kept, but counted in no figure
        log.record_sent(pipe, message_id, item, delivery, now, Counter() if test else totals,
                        done_key(item.phone), DONE_DAYS, test=test, marked=marked)
        contact = theirs[item.phone]
        if delivery.sent:
            tally.add("sms_sent", item.phone, contact).reached(item.phone, contact)
            reach.reached(pipe, item.phone, contact, None, now)
        elif not delivery.retryable:
            tally.add("sms_failed", item.phone, contact, detail=delivery.status)
        if delivery.code == BLACKLISTED:  # AT refused it: she opted out with her network
            optout.queue_stop(pipe, item.phone, "blacklist")
        outcomes.append(Outcome(item, delivery.status, delivery.sent, delivery.retryable,
                                message_id))
    log.count_all(pipe, datetime.fromtimestamp(now, UTC), totals)
    tally.write(pipe, now)
    requests_log.answered(pipe, request_id)
    pipe.execute()
    return outcomes


def _facility_and_language(db, batch):
    """{phone: her facility, language and month last reached} for counting the indicators."""
    phones = sorted({item.phone for item in batch})
    pipe = quick.Batch(db)
    for phone in phones:
        pipe.hmget(contacts.key(phone), "facility", "language", reach.MONTH_FIELD)
    return {phone: {"facility": facility, "language": language, reach.MONTH_FIELD: month}
            for phone, (facility, language, month) in zip(phones, pipe.execute(), strict=True)}


def _refused(db, item, reason):
    if not test_numbers.is_test(item.phone):
        pipe = quick.Batch(db)
        log.count(pipe, datetime.now(UTC), f"skipped:{reason}")
        pipe.execute()
    return Outcome(item, reason, sent=False)
