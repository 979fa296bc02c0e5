"""What staff changed for one mother in the console: who, when, and what, newest first.

Kept as a short list beside her records and deleted with them ("forget me"); it
never holds her number in the entries, only what was done.
"""

import json
import time

KEEP = 200  # entries: years of ordinary work on one mother
KEEP_DAYS = 730  # from the last change; her own records go long before in most cases


def key(phone):
    return f"console:history:{phone}"


def record(pipe, phone, by, what, now=None):
    """Queue one entry: `by` did `what` (plain words a supervisor would read)."""
    entry = {"at": int(now or time.time()), "by": by, "what": what}
    pipe.lpush(key(phone), json.dumps(entry, ensure_ascii=False))
    pipe.ltrim(key(phone), 0, KEEP - 1)
    pipe.expire(key(phone), KEEP_DAYS * 86400)


def entries(db, phone, limit=50):
    """Her entries, newest first: [{"at", "by", "what"}]."""
    found = []
    for raw in db.lrange(key(phone), 0, limit - 1):
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if isinstance(entry, dict):
            found.append(entry)
    return found
