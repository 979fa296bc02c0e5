"""Flow behaviour from data: every file in tests/transcripts/ is one conversation.

A transcript is YAML: the caller's `phone`, optional `contact` fields to start
with, and `steps`. Each step either dials (`dial: true`), sends an input
(`send: "2"`), lets time pass (`wait_minutes: 6`) or has AT report the end of
the session (`session_ends: {status: Incomplete}`), and may check the reply:
`screen` (the whole reply, CON/END included), `contains` (text or list of texts
that must appear), `absent` (texts that must not appear), `ends` (true for an
END screen) and `fields` (contact fields as stored after the step; "" for a field she
has not got). `{today+30}` in any text is the date 30 days from today, as
DD-MM-YYYY; in `contact` fields `{iso:today-20}` is that date as stored
(YYYY-MM-DD). Adding a case needs no Python.

For a Mentor Mother's day: `mentor` (name, facility, pin, language) makes the caller's
phone a registered Mentor Mother; `mothers` gives other numbers' contact fields, `visits`
their clinic visits (phone, date, kind) and `followups` their open follow-ups (phone,
reason, priority, hours_ago), filed and assigned as the bot does. `wait_minutes` also
shortens a lock on her PIN. `fields_of` checks other numbers' stored fields after a step.
"""

import json
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import mentors
from bot.content import yamlfile
from bot.store import contacts, followups, ussd_sessions, visits

from .ussd_caller import Caller

FOLDER = Path(__file__).parent / "transcripts"
FILES = sorted(FOLDER.glob("*.yaml"))
_DAYS = re.compile(r"\{today([+-]\d+)?\}")
_ISO_DAYS = re.compile(r"\{iso:today([+-]\d+)?\}")


def _dates(text):
    def day(found):
        today = datetime.now(ZoneInfo("Africa/Nairobi")).date()  # the bot's own today
        shifted = today + timedelta(days=int(found.group(1) or 0))
        return shifted.strftime("%d-%m-%Y")

    return _DAYS.sub(day, str(text))


def _iso_dates(text):
    """`{iso:today-20}` in a contact field: that date as the bot stores it, YYYY-MM-DD."""
    def day(found):
        today = datetime.now(ZoneInfo("Africa/Nairobi")).date()
        return (today + timedelta(days=int(found.group(1) or 0))).isoformat()

    return _ISO_DAYS.sub(day, str(text))


def _as_list(value):
    return [value] if isinstance(value, str) else list(value or [])


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_transcript(path, client, db):
    script, _, _ = yamlfile.load(path.read_text(encoding="utf-8"))
    caller = Caller(client, script.get("phone", "+254712000001"))
    if script.get("contact"):
        db.hset(contacts.key(caller.phone), mapping={name: _iso_dates(value) for name, value
                                                     in script["contact"].items()})
    _set_up_mentor_day(db, caller.phone, script)
    for number, step in enumerate(script["steps"], 1):
        where = f"{path.name} step {number}"
        if "wait_minutes" in step:
            _age_session(db, caller.phone, step["wait_minutes"])
            continue
        if "session_ends" in step:
            _session_ends(client, caller, step["session_ends"])
            continue
        reply = caller.dial() if step.get("dial") else caller.send(_dates(step["send"]))
        assert len(reply) - 4 <= 182, f"{where}: screen longer than 182 characters:\n{reply}"
        if "screen" in step:
            assert reply == _dates(step["screen"]).rstrip("\n"), f"{where}: got\n{reply}"
        for text in _as_list(step.get("contains")):
            assert _dates(text) in reply, f"{where}: {text!r} not in\n{reply}"
        for text in _as_list(step.get("absent")):
            assert _dates(text) not in reply, f"{where}: {text!r} unexpectedly in\n{reply}"
        if "ends" in step:
            assert reply.startswith("END " if step["ends"] else "CON "), f"{where}: got\n{reply}"
        for phone, wanted in (step.get("fields_of") or {}).items():
            kept = db.hgetall(contacts.key(phone))
            for name, value in wanted.items():
                assert kept.get(name, "") == _iso_dates(value), f"{where}: {phone} {name} is " \
                    f"{kept.get(name)!r}"
        if "fields" in step:
            kept = db.hgetall(contacts.key(caller.phone))
            for name, value in step["fields"].items():
                assert kept.get(name, "") == str(value), f"{where}: {name} is {kept.get(name)!r}"


def _session_ends(client, caller, report):
    """AT's end-of-session notification for the caller's session (`status`, `errorMessage`)."""
    answer = client.post("/ussd/events", data={
        "sessionId": caller.session_id, "serviceCode": "*384*123#", "phoneNumber": caller.phone,
        "networkCode": "63902", "date": "2026-12-01 10:00:00", "input": "*".join(caller.inputs),
        "durationInMillis": "30000", "hopsCount": str(len(caller.inputs) + 1), "cost": "0", **report})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def _set_up_mentor_day(db, phone, script):
    """The Mentor Mother, her mothers, their visits and follow-ups a transcript starts with."""
    if script.get("mentor"):
        given = script["mentor"]
        mentors.add(db, phone, given["name"], str(given["facility"]), str(given["pin"]),
                    given.get("language", "en"))
    for mother, fields in (script.get("mothers") or {}).items():
        db.hset(contacts.key(mother), mapping={k: _iso_dates(v) for k, v in fields.items()})
    pipe = db.pipeline()
    for visit in script.get("visits") or []:
        visits.add(pipe, visit["phone"], date.fromisoformat(_iso_dates(visit["date"])),
                   visit.get("kind", "anc"))
    pipe.execute()
    for made in script.get("followups") or []:
        pipe = db.pipeline()
        followup_id = followups.add(pipe, made["phone"], made.get("reason", "callback"), "",
                                    "ussd", priority=made.get("priority", "normal"))
        pipe.execute()
        asked = time.time() - float(made.get("hours_ago", 0)) * 3600
        due = asked + followups.due_hours(made.get("reason", "callback"),
                                          made.get("priority", "normal")) * 3600
        db.hset(followups.key(followup_id), mapping={"created_at": str(int(asked)),
                                                      "due_at": str(int(due))})


def _age_session(db, phone, minutes):
    """Make the stored session look `minutes` older, as if the caller waited."""
    lock = db.ttl(f"mentors:pin_fails:{phone}")  # a Mentor Mother's PIN lock passes too
    if lock > 0:
        if lock <= minutes * 60:
            db.delete(f"mentors:pin_fails:{phone}")
        else:
            db.expire(f"mentors:pin_fails:{phone}", lock - minutes * 60)
    raw = db.get(ussd_sessions.key(phone))
    if raw:
        data = json.loads(raw)
        data["updated"] -= minutes * 60
        db.set(ussd_sessions.key(phone), json.dumps(data), keepttl=True)


def test_every_transcript_is_read():
    assert len(FILES) >= 8
