"""SMS conversations from data: every file in tests/sms_transcripts/ is one.

A transcript is YAML: the client's `phone`, optional `contact` fields to start
with, and `steps`. Each step texts the bot (`text: "MENU"`); the real worker
then sends what the bot queued through the Africa's Talking SDK to the fake AT
server, and the step may check the replies to her number: `reply` (the one
reply, whole), `contains` / `absent` (texts that must or must not appear in the
replies), `no_reply: true`. `expect` at the end checks her contact fields
(`contact`) and how many open follow-ups she has (`followups`). `visits` books
visits as a clinic register would ({date: kind}). Dates are written as in
tests/transcripts/: `{today+22}` in a reply (DD-MM-YYYY), `{iso:today-20}` in a
contact field or a visit's date. Adding a case needs no Python.
"""

from datetime import date
from pathlib import Path

import pytest

from bot.content import yamlfile
from bot.store import contacts, followups, visits

from .sms_helpers import run_worker, text
from .test_transcripts import _dates, _iso_dates

FOLDER = Path(__file__).parent / "sms_transcripts"
FILES = sorted(FOLDER.glob("*.yaml"))
USSD_KEYS = ("\n0. ", "\n00. ", "\n98. ")  # an SMS never offers keys that only USSD has


def _as_list(value):
    return [value] if isinstance(value, str) else list(value or [])


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_sms_transcript(path, client, sms_app, at, db):
    script, _, _ = yamlfile.load(path.read_text(encoding="utf-8"))
    phone = script.get("phone", "+254712000001")
    if script.get("contact"):
        db.hset(contacts.key(phone), mapping={name: _iso_dates(value)
                                              for name, value in script["contact"].items()})
    pipe = db.pipeline()
    for day, kind in (script.get("visits") or {}).items():
        visits.add(pipe, phone, date.fromisoformat(_iso_dates(day)), kind, source="import")
    pipe.execute()
    seen = 0
    for number, step in enumerate(script["steps"], 1):
        where = f"{path.name} step {number} ({step['text']!r})"
        text(client, phone, step["text"])
        run_worker(sms_app)
        sent = [r["message"] for r in at.requests if phone in r["to"].split(",")]
        replies, seen = sent[seen:], len(sent)
        joined = "\n---\n".join(replies)
        for reply in replies:
            assert not any(key in reply for key in USSD_KEYS), f"{where}: USSD keys in\n{reply}"
        if "reply" in step:
            assert replies == [_dates(step["reply"])], f"{where}: got {replies}"
        if step.get("no_reply"):
            assert replies == [], f"{where}: got {replies}"
        for words in map(_dates, _as_list(step.get("contains"))):
            assert words in joined, f"{where}: {words!r} not in\n{joined}"
        for words in _as_list(step.get("absent")):
            assert words not in joined, f"{where}: {words!r} unexpectedly in\n{joined}"
    expect = script.get("expect", {})
    record = db.hgetall(contacts.key(phone))
    for field, value in (expect.get("contact") or {}).items():
        assert record.get(field) == value, f"{path.name}: {field} is {record.get(field)!r}"
    if "followups" in expect:
        mine = [i for i in db.zrange(followups.OPEN, 0, -1)
                if db.hget(followups.key(i), "phone") == phone]
        assert len(mine) == expect["followups"], f"{path.name}: {len(mine)} open follow-ups"


def test_every_sms_transcript_is_read():
    assert len(FILES) >= 8
