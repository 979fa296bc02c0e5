"""Her PIN at the edges of the engine: the lock after wrong tries, and the staff reset.

The engine makes and checks the PIN's hash (bot/engine/pins.py); this package keeps the
time-based lock, which needs the clock, and removes a forgotten PIN for staff. The PIN,
its hash and her full number are never logged.
"""

import logging
from datetime import datetime, timedelta

from ..privacy import mask_phone
from ..store import contacts

log = logging.getLogger(__name__)
LOCK_MINUTES = 15  # after 3 wrong tries; the locked screen (settings.pin_locked) says 15
PIN_FIELDS = ("pin_hash", "pin_tries", "pin_locked_until")


def lock_state(contact, now):
    """Return the field the flows read while her PIN questions are locked: pin_locked=yes."""
    until = contact.get("pin_locked_until")
    try:
        locked = bool(until) and now < datetime.fromisoformat(until)
    except ValueError:
        locked = False
    return {"pin_locked": "yes"} if locked else {}


def lock(pipe, phone, now):
    """Queue the lock of her PIN questions for LOCK_MINUTES after a third wrong try."""
    until = (now + timedelta(minutes=LOCK_MINUTES)).isoformat(timespec="seconds")
    pipe.hset(contacts.key(phone), "pin_locked_until", until)
    log.info("PIN questions locked for %s for %d minutes after wrong tries", mask_phone(phone),
             LOCK_MINUTES)


def reset(db, phone, by="staff"):
    """Remove her PIN (she forgot it); return False when she had none."""
    had = db.hexists(contacts.key(phone), "pin_hash")
    db.hdel(contacts.key(phone), *PIN_FIELDS)
    if had:
        log.info("PIN removed for %s by %s", mask_phone(phone), by)
    return had
