"""What Mentor Mothers did for one mother on their work menu: who, when, what.

Kept as a short list beside her records, newest first, shown on her console page and
deleted with the rest of her records ("forget me"). Each entry names the Mentor Mother
by her id (her registered number, `mentor:<phone>`), which the console shows masked.
The list lives KEEP_DAYS (MENTOR_ACTIONS_KEEP_DAYS) after the last entry, and the nightly
retention sweep drops older entries from lists that are still being added to.
"""

import json
import time

KEEP = 200  # entries: years of home visits and calls for one mother
KEEP_DAYS = 730  # from the last entry, like the console's record of staff changes
PREFIX = "mentor_actions:"
# What she did, in the words a supervisor reads on the console.
KINDS = {"registered": "registered her (awaiting her YES)", "home_visit": "home visit",
         "clinic_visit": "marked a clinic visit attended", "followup": "follow-up call",
         "asked_again": "sent her the request to confirm again"}


def key(phone):
    return PREFIX + phone


def record(pipe, phone, mentor, kind, details, now=None, keep_days=KEEP_DAYS):
    """Queue one entry: Mentor Mother `mentor` (her phone, her id) did `kind` for `phone`."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {tuple(KINDS)}, not {kind!r}")
    entry = {"at": int(now or time.time()), "mentor": mentor, "kind": kind, **details}
    pipe.lpush(key(phone), json.dumps(entry, ensure_ascii=False))
    pipe.ltrim(key(phone), 0, KEEP - 1)
    pipe.expire(key(phone), max(int(float(keep_days) * 86400), 60))


def entries(db, phone, limit=100):
    """Her entries, newest first, as dicts with at least `at`, `mentor` and `kind`."""
    return _parse(db.lrange(key(phone), 0, limit - 1))


def _parse(raws):
    found = []
    for raw in raws:
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if isinstance(entry, dict) and "at" in entry:
            found.append(entry)
    return found


def prune(db, now, keep_days=KEEP_DAYS):
    """Drop entries older than `keep_days` from every list; return how many went."""
    oldest, gone = now - float(keep_days) * 86400, 0
    for name in db.scan_iter(match=PREFIX + "*", count=1000):
        raws = db.lrange(name, 0, -1)
        kept = [raw for raw, entry in zip(raws, _entries_or_none(raws), strict=True)
                if entry is not None and entry["at"] >= oldest]
        if len(kept) == len(raws):
            continue
        pipe = db.pipeline(transaction=True)
        pipe.delete(name)
        if kept:
            pipe.rpush(name, *kept)
            pipe.expire(name, max(int(float(keep_days) * 86400), 60))
        pipe.execute()
        gone += len(raws) - len(kept)
    return gone


def _entries_or_none(raws):
    for raw in raws:
        found = _parse([raw])
        yield found[0] if found else None
