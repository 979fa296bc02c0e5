"""What a USSD session keeps is bounded, and a caller who never enrolled is not kept for ever."""

import json

import pytest

from bot.api import tokens
from bot.store import contacts, followups, ussd_sessions

from .sms_helpers import run_worker, text
from .ussd_caller import Caller

PHONE = "+254712000801"
KEPT_BYTES = 2500  # the history's tail (500 characters) and the rest of a session, with room
LONG = "1" + "*2" * 5000 + "x" * 10_000  # 20 kB, as a broken or hostile gateway might send


def stored(db, phone=PHONE):
    return db.get(ussd_sessions.key(phone)) or ""


def screen_is_valid(screen):
    return screen[:4] in ("CON ", "END ") and 0 < len(screen) - 4 <= 182


@pytest.mark.parametrize("where", ["first request", "an answer"])
def test_a_20_kb_ussd_text_is_not_stored_and_the_screen_is_still_valid(client, db, where):
    caller = Caller(client, PHONE)
    if where == "first request":
        caller.session_id, caller.inputs = "ATUid_long", [LONG]
        screen = caller._post()
    else:
        caller.dial()
        screen = caller.send(LONG)
    assert screen_is_valid(screen), screen
    kept = stored(db)
    assert 0 < len(kept.encode()) <= KEPT_BYTES
    assert json.loads(kept)["session"]


def test_after_a_long_input_the_next_answer_and_a_repeat_are_still_read_right(client, db):
    caller = Caller(client, PHONE)
    caller.dial()
    caller.send("y" * 3000)  # not a choice: the language question again
    before = stored(db)
    assert caller._post() == caller._post()  # AT repeats the request: answered the same
    assert stored(db) == before  # nothing stepped
    screen = caller.send("1")  # English
    assert screen.startswith("CON Would you like free SMS")
    assert len(stored(db).encode()) <= KEPT_BYTES


def test_the_history_tail_is_compared_where_ats_text_has_it():
    from bot.channels.ussd_history import HISTORY_KEPT, bounded, following, newest_input

    full = "1*" + "9" * 900
    kept, skipped = bounded(full)
    assert len(kept) == HISTORY_KEPT and skipped == len(full) - HISTORY_KEPT
    assert newest_input(kept, full, skipped) is None  # repeated
    assert newest_input(kept, full + "*15*03*2027", skipped) == "15*03*2027"  # a * in an answer
    assert newest_input(kept, "1*2*3", skipped) == "3"  # disagrees: the last part
    after = following(kept, skipped, full + "*4321", "4321", secret=True)
    assert after.endswith("*####") and "4321" not in bounded(after)[0]


def test_a_session_too_big_to_keep_loses_its_resume_offer_first(db):
    from bot.engine import Session

    live = ussd_sessions.Live("ATUid_1", "1*2", "CON Hello", 0.0,
                              Session("main", "menu", saved={"flow": "x" * 9000}))
    pipe = db.pipeline()
    ussd_sessions.save(pipe, PHONE, live, 300)
    pipe.execute()
    kept = json.loads(stored(db))
    assert kept["session"]["saved"] is None and len(stored(db).encode()) <= 8192


def test_a_caller_who_only_chose_a_language_is_forgotten_in_time(client, db, app):
    caller = Caller(client, PHONE)
    caller.dial()
    caller.send("2")  # Kiswahili, and no more
    keep = app.config["UNENROLLED_KEEP_DAYS"] * 86400
    assert db.hget(contacts.key(PHONE), "language") == "sw"
    assert keep - 60 < db.ttl(contacts.key(PHONE)) <= keep


def test_a_language_chosen_by_sms_expires_too(client, db, app):
    text(client, PHONE, "Kiswahili")
    assert 0 < db.ttl(contacts.key(PHONE)) <= app.config["UNENROLLED_KEEP_DAYS"] * 86400


def test_the_log_of_sms_sent_to_a_number_lasts_as_long_as_its_newest_message(client, sms_app, at,
                                                                              db):
    from bot.sms import log

    text(client, PHONE, "help")
    run_worker(sms_app)
    assert len(log.messages(db, PHONE)) == 1
    assert 0 < db.ttl(log.contact_key(PHONE)) <= log.MESSAGE_DAYS * 86400


def test_enrolling_removes_the_expiry(client, db):
    caller = Caller(client, PHONE)
    caller.dial()
    caller.send("1")  # English
    for answer in ("1", "98", "1"):  # yes to joining; agrees to her data being kept
        caller.send(answer)
        assert db.ttl(contacts.key(PHONE)) > 0
    for answer in ("1", "1", "1", "2", "20", "Mathare", "1", "2"):  # ... details right; no PIN
        screen = caller.send(answer)
    assert "Welcome to Mama Mentor!" in screen
    assert db.hget(contacts.key(PHONE), "enrolled") == "yes"
    assert db.ttl(contacts.key(PHONE)) == -1


def test_a_never_enrolled_caller_who_said_stop_keeps_her_stop(client, db):
    caller = Caller(client, PHONE)
    caller.dial()
    caller.send("1")
    assert db.ttl(contacts.key(PHONE)) > 0
    text(client, PHONE, "STOP")
    assert db.ttl(contacts.key(PHONE)) == -1
    caller.dial()
    caller.send("2")  # No to joining: her record is written again, her STOP still holds it
    text(client, PHONE, "English")
    assert db.hget(contacts.key(PHONE), "opted_out") == "yes"
    assert db.ttl(contacts.key(PHONE)) == -1


def test_a_question_keeps_a_caller_who_never_joined(client, db):
    caller = Caller(client, PHONE)
    caller.dial()
    caller.send("1")
    assert db.ttl(contacts.key(PHONE)) > 0
    text(client, PHONE, "When is my next clinic visit?")
    assert db.ttl(contacts.key(PHONE)) == -1 and db.smembers(followups.by_phone_key(PHONE))
    caller.dial()
    caller.send("2")  # no to joining: written again, still kept for her follow-up
    assert db.ttl(contacts.key(PHONE)) == -1


def test_a_clinic_enrolling_her_through_the_api_keeps_her(client, db):
    text(client, PHONE, "English")
    assert db.ttl(contacts.key(PHONE)) > 0
    token = tokens.create(db, "emr", scopes=["contacts:write"])
    answer = client.put(f"/api/contacts/{PHONE}", json={"consent_sms": True},
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert db.ttl(contacts.key(PHONE)) == -1
