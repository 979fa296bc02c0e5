"""Mentor Mothers: the peer workers who call mothers back, each attached to one facility.

One Redis hash per Mentor Mother, `mentor:<phone>` (name, facility, PIN hash, the language of
her work menu), and a set of
those of each facility. Her PIN is kept only as a salted hash, made the way mothers' PINs are
(bot/engine/pins.py); after MAX_TRIES wrong tries her PIN is refused for LOCK_MINUTES. Which
follow-ups go to whom is in bot/store/assignments.py. Her number, PIN and name are never logged.
"""

import logging
import re
import time

from ..engine import pins
from ..privacy import mask_phone
from ..store import assignments, followups
from . import facility_check

log = logging.getLogger(__name__)
PIN = re.compile(r"[0-9]{4,6}")
MAX_TRIES = pins.MAX_TRIES  # wrong PINs in a row before hers is refused for a while
LOCK_MINUTES = 15
NAME_LONGEST = 60


class MentorError(ValueError):
    """A Mentor Mother's details that cannot be accepted; the message says why and what to do."""


def _fails_key(phone):
    return f"mentors:pin_fails:{phone}"


def pin_problem(pin):
    """Plain words on what is wrong with a PIN, or ""."""
    return "" if PIN.fullmatch(str(pin or "")) else "A PIN is 4 to 6 digits."


def add(db, phone, name, facility, pin, language=""):
    """Record a new Mentor Mother; raise MentorError when a detail will not do.

    `language` (en or sw) is the language of her work menu on USSD; she can change it there."""
    name = " ".join(str(name or "").split())
    code = facility_check.clean(facility)
    problems = [text for text in (
        "" if 0 < len(name) <= NAME_LONGEST else f"Her name is 1 to {NAME_LONGEST} characters.",
        facility_check.problem(facility, db), pin_problem(pin)) if text]
    if problems:
        raise MentorError(" ".join(problems))
    record = {"phone": phone, "name": name, "facility": code, "pin_hash": pins.make(pin),
              "created_at": str(int(time.time())), "language": language or ""}
    if not db.hsetnx(assignments.mentor_key(phone), "phone", phone):
        raise MentorError(f"{mask_phone(phone)} is already a Mentor Mother; remove her first.")
    pipe = db.pipeline(transaction=True)
    pipe.hset(assignments.mentor_key(phone), mapping=record)
    pipe.sadd(assignments.EVERYONE, phone)
    pipe.sadd(assignments.team_key(code), phone)
    pipe.execute()
    log.info("Mentor Mother %s added at facility %s", mask_phone(phone), code)
    return _public(record)


def get(db, phone):
    """Her record (phone, name, facility, created_at; never the PIN's hash), or None."""
    found = db.hgetall(assignments.mentor_key(phone))
    return _public(found) if found.get("name") else None


def everyone(db, facility=None):
    """Every Mentor Mother (of one facility when given), by facility then name."""
    phones = db.smembers(assignments.team_key(facility) if facility else assignments.EVERYONE)
    pipe = db.pipeline(transaction=False)
    for phone in phones:
        pipe.hgetall(assignments.mentor_key(phone))
    found = [_public(r) for r in pipe.execute() if r.get("name")]
    return sorted(found, key=lambda r: (r["facility"], r["name"].lower(), r["phone"]))


def for_facility(db, code):
    """The Mentor Mothers of one facility, by name."""
    return everyone(db, code) if facility_check.clean(code) else []


def open_followups(db, phone):
    """Ids of the open follow-ups assigned to her."""
    return sorted(db.smembers(assignments.assigned_key(phone)))


def set_pin(db, phone, pin):
    """Give her a new PIN (and end a lock); raise MentorError when it will not do."""
    if pin_problem(pin):
        raise MentorError(pin_problem(pin))
    if not get(db, phone):
        raise MentorError(f"{mask_phone(phone)} is not a Mentor Mother.")
    pipe = db.pipeline(transaction=True)
    pipe.hset(assignments.mentor_key(phone), "pin_hash", pins.make(pin))
    pipe.delete(_fails_key(phone))
    pipe.execute()
    log.info("New PIN set for Mentor Mother %s", mask_phone(phone))


def locked(db, phone):
    """True while her PIN is refused after MAX_TRIES wrong tries."""
    return int(db.get(_fails_key(phone)) or 0) >= MAX_TRIES


def tries_left(db, phone):
    """How many wrong PINs she may still type before hers is refused for a while."""
    return max(MAX_TRIES - int(db.get(_fails_key(phone)) or 0), 0)


def locked_for(db, phone):
    """Seconds until a lock on her PIN ends (0 when she is not locked)."""
    return max(int(db.ttl(_fails_key(phone))), 1) if locked(db, phone) else 0


def set_language(db, phone, language):
    """Keep the language of her work menu."""
    db.hset(assignments.mentor_key(phone), "language", language)


def check_pin(db, phone, pin):
    """True when `pin` is her PIN and she is not locked out; a wrong one counts towards the lock,
    which lasts LOCK_MINUTES from the last wrong try."""
    stored = db.hget(assignments.mentor_key(phone), "pin_hash")
    if not stored or locked(db, phone):
        return False
    if pins.matches(str(pin or ""), stored):
        db.delete(_fails_key(phone))
        return True
    pipe = db.pipeline(transaction=True)
    pipe.incr(_fails_key(phone))
    pipe.expire(_fails_key(phone), LOCK_MINUTES * 60)
    if pipe.execute()[0] >= MAX_TRIES:
        log.info("PIN of Mentor Mother %s locked for %d minutes after wrong tries",
                 mask_phone(phone), LOCK_MINUTES)
    return False


def remove(db, phone):
    """Remove a Mentor Mother; her mothers lose their link to her and her open follow-ups go to
    whoever they would go to now (another of her facility in turn, else unassigned).

    Returns (whether she existed, how many follow-ups were handed on)."""
    record = db.hgetall(assignments.mentor_key(phone))
    if not record:
        return False, 0
    # First she leaves every list, so no new follow-up can reach her; then her mothers and her
    # open follow-ups, read only now, so none given to her just before is left behind.
    pipe = db.pipeline(transaction=True)
    pipe.delete(assignments.mentor_key(phone), _fails_key(phone))
    pipe.srem(assignments.EVERYONE, phone)
    pipe.srem(assignments.team_key(record.get("facility", "")), phone)
    pipe.execute()
    mothers = db.smembers(assignments.mothers_key(phone))
    pipe = db.pipeline(transaction=False)
    for mother in mothers:
        assignments.unlink(pipe, mother, phone)
    pipe.delete(assignments.mothers_key(phone))
    pipe.execute()
    moved = 0
    for followup_id in open_followups(db, phone):
        record = db.hgetall(followups.key(followup_id))
        db.srem(assignments.assigned_key(phone), followup_id)
        if record.get("status") == "open":
            followups.reassign_afresh(db, followup_id, record["phone"])
            moved += 1
    db.delete(assignments.assigned_key(phone))
    log.info("Mentor Mother %s removed; %d open follow-ups handed on", mask_phone(phone), moved)
    return True, moved


def _public(record):
    return {name: record.get(name, "") for name in ("phone", "name", "facility", "created_at",
                                                    "language")}
