"""Closed follow-ups: one short field each in her closed hash, kept FOLLOWUP_KEEP_DAYS, then gone.

Through the real console and Redis; the nightly sweep is given its `now`, so nothing here
depends on the day the tests run.
"""

import json
import time
from datetime import datetime, timedelta

from bot import retention
from bot.store import contacts, followups, forget

from .test_console_auth import TOKEN, sign_in

PHONE = "+254712006101"


def open_one(db, phone=PHONE, reason="missed_visit", topic="anc", **fields):
    pipe = db.pipeline()
    followup_id = followups.add(pipe, phone, reason, topic, "system")
    pipe.execute()
    if fields:
        db.hset(followups.key(followup_id), mapping=fields)
    return followup_id


def closed_on(db, followup_id, when, note="Called her"):
    """Close it, then date its closing `when` (as if it had been closed then)."""
    record = followups.close(db, followup_id, note, by="staff")
    line = followups.pack({**record, "closed_at": str(int(when.timestamp()))})
    db.hset(followups.closed_key(record["phone"]), followup_id, line)


def test_a_closed_record_reads_back_whole_whatever_its_words(db):
    followup_id = open_one(db, reason="sms_question", topic="pmtct", priority="urgent",
                           attempts="2", last_outcome="talked", **{"shown_to:amina": "1796230057"})
    note = 'Alimpigia simu | "anaendelea vizuri", mtoto yuko salama'  # a bar, quotes, Kiswahili
    record = followups.close(db, followup_id, note, by="Grace (Mentor Mother *********500)")
    (kept,) = followups.closed(db, PHONE)
    opened = {name: value for name, value in record.items() if name != "assigned_to"}
    assert {name: kept.get(name) for name in opened} == {**opened, "status": "done"}
    assert followups.shown_to(kept) == [("amina", "1796230057")]
    assert followups.unpack("x", PHONE, "not a record") is None
    assert followups.unpack("x", PHONE, json.dumps(["too", "short"])) is None
    assert followups.unpack("x", PHONE, "a|b|c|d|e|f|g|h|i|j") is None  # times that are not


def test_a_usual_closed_record_is_one_short_line_its_note_last(db):
    followup_id = open_one(db, topic="immunisation", message="2027-01-04")
    record = followups.close(db, followup_id, "Called | she will go on Monday", by="staff")
    line = db.hget(followups.closed_key(PHONE), followup_id)
    created = record["created_at"]
    assert line == (f"missed_visit|immunisation|system|{created}|"
                    f"{int(record['due_at']) - int(created)}|{int(record['closed_at']) - int(created)}"
                    "|staff||2027-01-04|Called | she will go on Monday")
    assert followups.unpack(followup_id, PHONE, line) == {**record, "status": "done"}
    mentor = "+254722006100"
    assigned = followups.pack({**record, "assigned_to": mentor, "message": ""})
    assert assigned.endswith(f"|staff|{mentor}||Called | she will go on Monday")
    assert followups.unpack(followup_id, PHONE, assigned)["assigned_to"] == mentor


def test_a_year_of_closed_missed_visits_is_one_compact_hash_not_a_key_each(db):
    for _ in range(9):
        closed_on(db, open_one(db), datetime.now())
    assert db.keys("followup:*") == [] and not db.exists(followups.by_phone_key(PHONE))
    assert db.hlen(followups.closed_key(PHONE)) == 9
    # Each line fits the compact encoding's 128 bytes (README: hash-max-listpack-value 128).
    assert max(len(v.encode()) for v in db.hvals(followups.closed_key(PHONE))) < 128
    assert db.object("encoding", followups.closed_key(PHONE)) in ("listpack", "ziplist")
    assert db.memory_usage(followups.closed_key(PHONE)) < 9 * 150


def test_the_nightly_sweep_deletes_those_closed_longer_ago_than_keep_days(db):
    now = datetime(2027, 6, 1, 2, 30)
    old, recent = open_one(db), open_one(db)
    closed_on(db, old, now - timedelta(days=40))
    closed_on(db, recent, now - timedelta(days=20))
    other = "+254712006102"
    closed_on(db, open_one(db, phone=other), now - timedelta(days=31))
    assert retention.sweep(db, now, 400, followup_keep_days=30) == 2
    assert [r["id"] for r in followups.closed(db, PHONE)] == [recent]
    assert not db.exists(followups.closed_key(other))  # her last one went: so did the hash
    # The whole hash lives FOLLOWUP_KEEP_DAYS past her latest closing.
    assert db.ttl(followups.closed_key(PHONE)) > 300 * 86400


def test_closing_again_is_told_already_closed_for_a_week_then_unknown(db):
    followup_id = open_one(db)
    assert followups.close(db, followup_id, "Called", by="staff")
    assert followups.close(db, followup_id, "again", by="staff") is None
    assert followups.find(db, followup_id)["note"] == "Called"
    left = db.ttl(followups.closed_id_key(followup_id))
    assert 6 * 86400 < left <= followups.CLOSED_ID_DAYS * 86400


def test_forget_me_deletes_her_closed_followups_and_their_ids(db):
    followup_id = open_one(db)
    followups.close(db, followup_id, "Called", by="staff")
    still_open = open_one(db, reason="callback")
    forget.forget(db, PHONE)
    assert followups.hers(db, PHONE) == [] and followups.find(db, followup_id) is None
    assert followups.find(db, still_open) is None
    assert db.keys("followup*") == []


def test_a_caller_who_never_enrolled_is_kept_while_staff_hold_a_closed_followup_of_hers(db):
    db.hset(contacts.key(PHONE), mapping={"language": "sw", "updated_at": str(int(time.time()))})
    followups.close(db, open_one(db, reason="callback"), "Called", by="staff")
    pipe = db.pipeline()
    contacts.expire_unless_kept(pipe, PHONE, 30)
    pipe.execute()
    assert db.ttl(contacts.key(PHONE)) == -1
    db.delete(followups.closed_key(PHONE))
    pipe = db.pipeline()
    contacts.expire_unless_kept(pipe, PHONE, 30)
    pipe.execute()
    assert 29 * 86400 < db.ttl(contacts.key(PHONE)) <= 30 * 86400


def test_her_console_page_lists_her_closed_followups_with_their_notes(client, db):
    sign_in(client, db, "staff")
    db.hset(contacts.key(PHONE), mapping={"language": "en", "enrolled": "yes"})
    followup_id = open_one(db, reason="callback", topic="pmtct")
    client.post(f"/console/followups/{followup_id}/close",
                data={"note": "Called; she is well", "csrf_token": TOKEN})
    page = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN})
    text = page.get_data(as_text=True)
    assert "Called; she is well" in text and "asked for a call" in text
    linked = client.get(f"/console/contacts?followup={followup_id}").get_data(as_text=True)
    assert "Called; she is well" in linked  # a link to it still leads to her, for a week
