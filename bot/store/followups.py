"""The Mentor Mother follow-up list: people who asked to be called back.

An open follow-up is a hash of its own (`followup:<id>`), listed in her index
(`followups:by_phone:<phone>`) and in the open list. Closing it moves its record into one
short field of her closed follow-ups (`followups:closed:<phone>`, one hash for all of hers):
a year of closed follow-ups was the largest part of what Redis kept for a mother who misses
visits (BENCHMARKS.md). A closed one is deleted FOLLOWUP_KEEP_DAYS after it was closed (the
nightly sweep, `prune_closed`), so nothing here grows for ever. Her texts gather on one
open follow-up: bot/store/followup_texts.py.
"""

import json
import time
import uuid

import redis
from flask import current_app, has_app_context

from .. import test_numbers
from ..reports.indicators import band
from . import assignments, contacts, quick

OPEN = "followups:open"  # sorted set of follow-up ids: urgent ones first, then by time asked
# The open follow-ups of test numbers (bot/test_numbers.py), kept apart in the same order so
# that no Mentor Mother is sent to call a test phone and no count includes them.
TESTS = "followups:tests"
PRIORITIES = ("urgent", "normal")
# An urgent follow-up is scored this far before its time, so it sorts ahead of every normal one
# (about 300 years) while urgent ones keep their own oldest-first order. One ordered set keeps
# every reader (console, CLI, API) a plain range read.
URGENT_AHEAD = 10**10
TEXTED = ("sms_question", "danger_sign")  # follow-ups made from her own words
KEEP_DAYS = 365  # how long a closed follow-up is kept (FOLLOWUP_KEEP_DAYS)
# Why a follow-up was made, in the words staff use.
REASONS = {"callback": "asked for a call", "missed_visit": "missed a visit",
           "sms_question": "sent a question", "loss": "reported a loss",
           "development": "development check", "danger_sign": "wrote of a danger sign",
           "undeliverable": "SMS not delivered"}
# How soon a Mentor Mother should call, in hours, by the kind of follow-up (settings
# FOLLOWUP_DUE_URGENT_HOURS, FOLLOWUP_DUE_CALLBACK_HOURS, FOLLOWUP_DUE_MISSED_VISIT_HOURS). Every
# urgent one is "urgent", a missed visit "missed_visit", and everything else is a call-back.
DUE_HOURS = {"urgent": 2, "callback": 48, "missed_visit": 72}
DUE_SETTINGS = {"urgent": "FOLLOWUP_DUE_URGENT_HOURS", "callback": "FOLLOWUP_DUE_CALLBACK_HOURS",
                "missed_visit": "FOLLOWUP_DUE_MISSED_VISIT_HOURS"}


def key(followup_id):
    return f"followup:{followup_id}"


def by_phone_key(phone):
    """Her open follow-ups (and closed ones kept before closed ones moved), so that "forget me"
    finds them."""
    return f"followups:by_phone:{phone}"


def closed_key(phone):
    """Her closed follow-ups: {id: the record packed in one short line}."""
    return f"followups:closed:{phone}"


# For a few days after closing, a follow-up's id still leads to her (`followups:closed_id:<id>`
# = her number), so that closing it again (a retry after a lost answer, a second person) is told
# "already closed", not "unknown". Older ids are not kept: that would cost a key each.
CLOSED_ID_DAYS = 7


def closed_id_key(followup_id):
    return f"followups:closed_id:{followup_id}"


# A closed record as one line. Usually "reason|topic|channel|created|due|closed|closed by|
# assigned to|message|note": the two later times in seconds after `created`, the note last (it
# may hold a bar).
# A record with any other field, or a bar where one may not be, is a JSON list of the first
# eight and a dict of the rest. Its id, number and status ("done") are where it is kept.
PACKED = ("reason", "topic", "channel", "created_at", "due_at", "closed_at", "closed_by", "note")
_LINE = ("reason", "topic", "channel", "created_at", "due_at", "closed_at", "closed_by",
         "assigned_to", "message", "note")
_IMPLIED = {"id", "phone", "status"}
_DEFAULTS = {"message": "", "priority": "normal"}


def pack(record):
    """A closed follow-up's record as the short line kept in her closed hash."""
    rest = {name: value for name, value in record.items() if name not in _IMPLIED
            and name not in PACKED and value != _DEFAULTS.get(name, "")}
    times = [str(record.get(name, "")) for name in ("created_at", "due_at", "closed_at")]
    plain = set(rest) <= {"message", "assigned_to"} and all(t.isdigit() for t in times) and not any(
        "|" in str(record.get(name, "")) for name in _LINE[:-1])
    if plain:
        created = int(times[0])
        line = {**record, "due_at": int(times[1]) - created, "closed_at": int(times[2]) - created}
        return "|".join(str(line.get(name, "")) for name in _LINE)
    line = [str(record.get(name, "")) for name in PACKED]
    return json.dumps(line + [rest] if rest else line, ensure_ascii=False, separators=(",", ":"))


def unpack(followup_id, phone, text):
    """The record of a closed follow-up from its line, or None if it cannot be read."""
    found = _unpack_line(text) if not text.startswith("[") else _unpack_json(text)
    if found is None:
        return None
    return {"id": followup_id, "phone": phone, "status": "done", **_DEFAULTS, **found}


def _unpack_line(text):
    parts = text.split("|", len(_LINE) - 1)
    if len(parts) != len(_LINE) or not all(p.lstrip("-").isdigit() for p in parts[3:6]):
        return None
    found = {name: part for name, part in zip(_LINE, parts, strict=True)
             if part or name not in ("assigned_to", "message")}
    created = int(found["created_at"])
    for name in ("due_at", "closed_at"):
        found[name] = str(created + int(found[name]))
    return found


def _unpack_json(text):
    try:
        line = json.loads(text)
    except ValueError:
        return None
    if not isinstance(line, list) or len(line) < len(PACKED):
        return None
    rest = line[len(PACKED)] if len(line) > len(PACKED) and isinstance(line[-1], dict) else {}
    return {**dict(zip(PACKED, line, strict=False)), **rest}


def closed(db, phone):
    """Her closed follow-ups as records, oldest first (those closed before they moved too)."""
    found = [unpack(fid, phone, text) for fid, text in db.hgetall(closed_key(phone)).items()]
    return sorted((r for r in found if r), key=lambda r: r.get("created_at", ""))


def hers(db, phone):
    """Every follow-up kept for her, open and closed, oldest first."""
    pipe = db.pipeline(transaction=False)
    for followup_id in sorted(db.smembers(by_phone_key(phone))):
        pipe.hgetall(key(followup_id))
    found = [r for r in pipe.execute() if r] + closed(db, phone)
    return sorted(found, key=lambda r: r.get("created_at", ""))


def find(db, followup_id):
    """One follow-up by id, open or recently closed (CLOSED_ID_DAYS), or None."""
    if len(followup_id) > 40:
        return None
    record = db.hgetall(key(followup_id))
    if record:
        return record
    phone = db.get(closed_id_key(followup_id))
    text = phone and db.hget(closed_key(phone), followup_id)
    return unpack(followup_id, phone, text) if text else None


def add(pipe, phone, reason, topic, channel, message="", priority="normal"):
    """Queue a new open follow-up on a pipeline; return its id.

    `message` is her own words when she texted a question; it is kept for the
    Mentor Mother to read, never logged. An `urgent` one is listed before all others.
    A test number's follow-up is marked `test` and kept out of the open list.
    """
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {PRIORITIES}, not {priority!r}")
    followup_id = uuid.uuid4().hex[:12]
    now = time.time()
    test = test_numbers.is_test(phone)
    due = int(now + due_hours(reason, priority) * 3600)
    pipe.hset(key(followup_id), mapping={
        "id": followup_id, "phone": phone, "reason": reason, "topic": topic,
        "channel": channel, "created_at": str(int(now)), "status": "open", "message": message,
        "priority": priority, "due_at": str(due), **({"test": "yes"} if test else {}),
    })
    if not test:  # no Mentor Mother is sent to call a test phone
        assignments.assign(pipe, key(followup_id), contacts.key(phone), followup_id, phone)
    pipe.zadd(TESTS if test else OPEN,
              {followup_id: now - URGENT_AHEAD if priority == "urgent" else now})
    pipe.sadd(by_phone_key(phone), followup_id)
    # Her index lives as long as one of her follow-ups is open, and so does her contact: a
    # Mentor Mother must be able to call her back (and "forget me" must find everything).
    pipe.persist(by_phone_key(phone))
    pipe.persist(contacts.key(phone))
    return followup_id


def due_hours(reason, priority="normal"):
    """Hours from asking to when she should have been called (the app's settings when known)."""
    kind = "urgent" if priority == "urgent" else reason if reason in DUE_HOURS else "callback"
    if has_app_context():
        return float(current_app.config.get(DUE_SETTINGS[kind], DUE_HOURS[kind]))
    return DUE_HOURS[kind]


def due_at(record):
    """When she should have been called, as a Unix time; worked out for a record made before
    follow-ups had a due time."""
    if str(record.get("due_at") or "").isdigit():
        return int(record["due_at"])
    hours = due_hours(record.get("reason"), priority(record))
    return int(int(record.get("created_at") or 0) + hours * 3600)


def overdue(record, now=None):
    """True when an open follow-up is past its due time."""
    return record.get("status", "open") == "open" and due_at(record) < (now or time.time())


def messages(record):
    """Her texts kept on a follow-up, oldest first: [{"at", "text", "channel", "sign"}]."""
    try:
        found = json.loads(record.get("messages") or "[]")
    except ValueError:
        found = []
    if not found and record.get("message") and record.get("reason") in TEXTED:
        # A follow-up made before texts were merged holds her one text in `message`.
        found = [{"at": record.get("created_at"), "text": record["message"], "channel":
                  record.get("channel"), "sign": record.get("sign", "")}]
    return [m for m in found if isinstance(m, dict) and m.get("text")]


def text_count(record):
    """How many of her texts joined this follow-up, those past the day's limit included."""
    count = record.get("texts")
    return int(count) if count and count.isdigit() else len(messages(record))


def priority(record):
    """The follow-up's priority; records made before priorities existed are normal."""
    return record.get("priority") or "normal"


def scores(priority):
    """The (min, max) scores in OPEN of the follow-ups of one priority, or of all for None."""
    # Urgent scores are below zero (a time less URGENT_AHEAD), normal ones are times since 1970.
    return {"urgent": ("-inf", "(0"), "normal": ("0", "+inf")}.get(priority, ("-inf", "+inf"))


def open_list(db, limit):
    """Return the first `limit` open follow-ups as dicts: urgent ones, then the oldest."""
    ids = db.zrange(OPEN, 0, limit - 1)
    pipe = db.pipeline(transaction=False)
    for followup_id in ids:
        pipe.hgetall(key(followup_id))
    return [record for record in pipe.execute() if record]


# Note who was shown the number and give it, only while the follow-up is open (in one step, so a
# follow-up closed or forgotten meanwhile is neither shown nor brought back by the note).
_NOTE_SHOWN = """
if redis.call('HGET', KEYS[1], 'status') ~= 'open' then return false end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HGET', KEYS[1], 'phone')
"""


def number_to_call(db, followup_id, who):
    """Her full number for the Mentor Mother calling her back, or None if the follow-up is not open.

    Staff see numbers masked (a console screen is often shared), so each full
    number given out is noted on the follow-up: who asked for it and when.
    """
    if len(followup_id) > 40:
        return None
    note = quick.Batch(db).script(_NOTE_SHOWN, [key(followup_id)],
                                  [f"shown_to:{who}", str(int(time.time()))])
    return note.execute()[0]


def shown_to(record):
    """[(name, time)] of the staff given her full number, earliest first."""
    found = [(name.partition(":")[2], when) for name, when in record.items()
             if name.startswith("shown_to:")]
    return sorted(found, key=lambda pair: pair[1])


def close(db, followup_id, note, by="", keep_days=KEEP_DAYS):
    """Mark an open follow-up done with a note and who closed it; return its record, or None
    if it is not open. Two people closing the same one at once: only one of them closes it.

    The closed record is deleted `keep_days` later (FOLLOWUP_KEEP_DAYS)."""
    if len(followup_id) > 40:
        return None
    with db.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(key(followup_id))
            record = pipe.hgetall(key(followup_id))
            if record.get("status") != "open":
                return None
            pipe.multi()
            done = mark_done(pipe, record, note, by, keep_days)
            pipe.execute()
        except redis.WatchError:
            return None  # changed under us: closed by someone else (or forgotten)
    tidy_index(db, record.get("phone", ""), keep_days)
    return {**record, **done}


def mark_done(pipe, record, note, by, keep_days=KEEP_DAYS):
    """Queue the closing of an open follow-up (`record`: as read, with any change queued
    before) on a pipeline; return the fields it sets.

    Its record moves into her closed follow-ups, which live `keep_days` past the last
    closing; each one is pruned `keep_days` after its own (`prune_closed`)."""
    followup_id, phone = record["id"], record["phone"]
    done = {"status": "done", "note": note[:500], "closed_at": str(int(time.time())), "closed_by": by}
    assignments.release(pipe, key(followup_id), followup_id)
    pipe.zrem(OPEN, followup_id)
    pipe.zrem(TESTS, followup_id)
    pipe.hset(closed_key(phone), followup_id, pack({**record, **done}))
    pipe.expire(closed_key(phone), _seconds(keep_days))
    pipe.delete(key(followup_id))
    pipe.srem(by_phone_key(phone), followup_id)
    pipe.set(closed_id_key(followup_id), phone, ex=_seconds(min(float(keep_days), CLOSED_ID_DAYS)))
    if by != "loss":  # closed because she reported a loss: nobody followed it up
        count_closing(pipe, {**record, **done})
    return done


def count_closing(pipe, record):
    """Queue the programme's figures for a follow-up closed: missed visits followed up (and how
    long it took), call-backs closed in time, urgent questions answered within 2 hours."""
    from .. import reports  # here: the figures count by her contact, which imports this module

    phone, created = record["phone"], int(record.get("created_at") or 0)
    took = max(0, int(record["closed_at"]) - created)
    if priority(record) == "urgent":
        reports.count(pipe, "urgent_answered", phone)
        if took <= 2 * 3600:
            reports.count(pipe, "urgent_in_2_hours", phone)
    elif record.get("reason") == "missed_visit":
        reports.count(pipe, "missed_followed_up", phone, detail=band(took / 3600))
    elif record.get("reason") in ("callback", "sms_question"):
        reports.count(pipe, "callbacks_closed", phone)
        if int(record["closed_at"]) <= due_at(record):
            reports.count(pipe, "callbacks_in_time", phone)


def prune_closed(pipe, phone, raw, now, keep_days=KEEP_DAYS):
    """Queue deleting her closed follow-ups closed more than `keep_days` before `now`
    (`raw`: her closed hash as read); return how many go."""
    oldest = now - float(keep_days) * 86400
    old = [fid for fid, text in raw.items() if (found := unpack(fid, phone, text))
           and float(found.get("closed_at") or 0) < oldest]
    if old:
        pipe.hdel(closed_key(phone), *old)
    return len(old)


# Drop the ids of follow-ups already deleted from her index; keep the index while one of hers is
# open, else let it go with the last of them. One script, so a follow-up added meanwhile (which
# makes the index lasting again) is never left out of an index about to expire.
_TIDY_INDEX = """
local still_open = false
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local status = redis.call('HGET', ARGV[1] .. id, 'status')
  if not status then redis.call('SREM', KEYS[1], id)
  elseif status == 'open' then still_open = true end
end
if still_open then redis.call('PERSIST', KEYS[1])
else redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return still_open and 1 or 0
"""


def tidy_index(db, phone, keep_days=KEEP_DAYS):
    """Clean her index of deleted follow-ups; let it expire once none of hers is open."""
    if phone:
        quick.Batch(db).script(_TIDY_INDEX, [by_phone_key(phone)],
                               [key(""), _seconds(keep_days)]).execute()


def _seconds(days):
    return max(int(float(days) * 86400), 60)


def reassign(db, followup_id, mentor_phone):
    """A supervisor gives an open follow-up, and the mother with it, to a Mentor Mother.

    Returns "ok", "not_open" (closed, forgotten or unknown) or "no_mentor"."""
    if len(followup_id) > 40:
        return "not_open"
    batch = quick.Batch(db)
    assignments.run(batch, assignments.REASSIGN, [key(followup_id)], [followup_id, mentor_phone])
    return batch.execute()[0]


def reassign_afresh(db, followup_id, phone):
    """Give an open follow-up to whoever it would go to if filed now (her Mentor Mother was
    removed); return that Mentor Mother's phone, or None when it stays unassigned."""
    batch = quick.Batch(db, transaction=True)
    assignments.assign(batch, key(followup_id), contacts.key(phone), followup_id, phone)
    return batch.execute()[0] or None
