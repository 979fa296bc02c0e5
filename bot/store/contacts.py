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
