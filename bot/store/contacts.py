"""Contacts: one Redis hash per phone number, holding her fields.

Fields are plain strings (language, next_visit, ...). The key holds the full
E.164 number because the bot must reach her; it is never logged.
"""

import time


def key(phone):
    return f"contact:{phone}"


def load(pipe, phone):
    """Queue the read of a contact on a pipeline (the result is a dict)."""
    pipe.hgetall(key(phone))


def apply_effects(pipe, phone, effects):
    """Queue the contact changes that a step asked for."""
    changes = {e.name: e.value for e in effects if e.kind == "set_field"}
    cleared = [e.name for e in effects if e.kind == "clear_field" and e.name not in changes]
    if changes:
        changes["updated_at"] = str(int(time.time()))
        pipe.hset(key(phone), mapping=changes)
    if cleared:
        pipe.hdel(key(phone), *cleared)


def keep(pipe, phone):
    """Queue the end of her contact's expiry: staff now hold a record about her."""
    pipe.persist(key(phone))


# A contact is kept for good once she enrolled, gave or refused consent, said STOP (her "no"
# must outlive everything), or has visits or follow-ups; else it expires. One script, so a
# record about her written meanwhile is never missed.
_KEEP_OR_EXPIRE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local enrolled = redis.call('HGET', KEYS[1], 'enrolled') == 'yes'
local said = redis.call('HEXISTS', KEYS[1], 'opted_out') == 1
  or redis.call('HEXISTS', KEYS[1], 'consent_sms') == 1
  or redis.call('HEXISTS', KEYS[1], 'consent_data') == 1
local records = redis.call('EXISTS', KEYS[2]) == 1 or redis.call('SCARD', KEYS[3]) > 0
  or redis.call('EXISTS', KEYS[4]) == 1
if enrolled or said or records then redis.call('PERSIST', KEYS[1]) return -1 end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return tonumber(ARGV[1])
"""


def expire_unless_kept(pipe, phone, keep_days):
    """Queue her contact's expiry in `keep_days` unless she enrolled or staff hold records of her.

    A caller who only chose a language is forgotten after UNENROLLED_KEEP_DAYS.
    """
    from . import followups, visits  # here, not at the top: both import this module

    seconds = max(int(float(keep_days) * 86400), 60)
    keys = [key(phone), visits.key(phone), followups.by_phone_key(phone), followups.closed_key(phone)]
    if hasattr(pipe, "script"):
        pipe.script(_KEEP_OR_EXPIRE, keys, [seconds])
    else:
        pipe.eval(_KEEP_OR_EXPIRE, len(keys), *keys, seconds)
