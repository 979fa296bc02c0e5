"""Her PIN: kept only as a salted hash, never in Redis or a log, locked after 3 wrong tries,
removed by staff when she forgets it and by "forget me"."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import pin
from bot.channels.ussd import newest_input
from bot.console.contacts_view import fields
from bot.engine import pins
from bot.store import contacts

from .redis_contents import values
from .ussd_caller import Caller

PHONE = "+254712000171"
SECRET_PIN = "7391"  # digits found in no text, date or number the tests use
ENROLLED = {"language": "en", "enrol_offered": "yes", "enrolled": "yes", "stage": "pregnancy",
            "due_date": "2027-03-15", "clinic": "Mathare"}


def _caller_with_pin(client, db, phone=PHONE):
    """A mother who sets SECRET_PIN in Settings; returns her caller, back at the main menu."""
    db.hset(contacts.key(phone), mapping=ENROLLED)
    caller = Caller(client, phone)
    caller.dial()
    for answer in ("6", "5"):  # Settings, Set a PIN
        caller.send(answer)
    assert "Your PIN is saved" in caller.send(SECRET_PIN)
    caller.send("00")
    return caller


def _everything_kept(db):
    """Every key and value in Redis, as one text."""
    found = [f"{name}={values(db, name)}" for name in db.scan_iter("*")]
    return "\n".join(found)


def test_a_pin_is_kept_as_a_salted_hash_that_only_its_digits_match():
    first, second = pins.make("2580"), pins.make("2580")
    assert first.startswith("scrypt$") and "2580" not in first
    assert first != second  # each has its own salt
    assert pins.matches("2580", first) and pins.matches("2580", second)
    assert not pins.matches("2581", first)
    for broken in (None, "", "2580", "scrypt$zz$00", "md5$00$00"):
        assert not pins.matches("2580", broken)


def test_neither_redis_nor_the_log_ever_holds_her_pin(client, db, caplog):
    caplog.set_level(logging.DEBUG)
    caller = _caller_with_pin(client, db)
    caller.send("6")
    caller.send("3")
    assert "Due date: 15-03-2027" in caller.send(SECRET_PIN)
    assert SECRET_PIN not in _everything_kept(db)
    assert db.hget(contacts.key(PHONE), "pin_hash").startswith("scrypt$")
    assert not [r for r in caplog.records if SECRET_PIN in r.getMessage()]


def test_the_history_kept_for_a_repeated_request_holds_no_pin():
    assert newest_input("6*3*####", "6*3*7391") is None  # AT sent the same request again
    assert newest_input("6*3*####", "6*3*7391*00") == "00"
    assert newest_input("6*3*####", "6*3*739") == "739"  # no match: trust the last part


def test_three_wrong_tries_lock_the_pin_questions_for_15_minutes(client, db):
    caller = _caller_with_pin(client, db)
    caller.send("6")
    caller.send("3")
    caller.send("1111")
    caller.send("2222")
    assert caller.send("3333").startswith("END Sorry, the PIN was wrong 3 times.")
    until = datetime.fromisoformat(db.hget(contacts.key(PHONE), "pin_locked_until"))
    now = datetime.now(ZoneInfo("Africa/Nairobi"))
    assert timedelta(minutes=14) < until - now <= timedelta(minutes=15)
    caller.dial()
    caller.send("6")
    assert caller.send("3").startswith("END Sorry")  # even her right PIN waits for the lock
    # The lock has passed: her PIN opens her details again, and the wrong tries start afresh.
    db.hset(contacts.key(PHONE), "pin_locked_until", (now - timedelta(minutes=1)).isoformat())
    caller.dial()
    caller.send("6")
    assert "Enter your 4-digit PIN" in caller.send("3")
    assert "Due date: 15-03-2027" in caller.send(SECRET_PIN)
    assert db.hget(contacts.key(PHONE), "pin_tries") == "0"


@pytest.mark.parametrize(("until", "minutes_later", "locked"), [
    ("2027-01-10T10:15:00+03:00", 14, True),
    ("2027-01-10T10:15:00+03:00", 15, False),
    ("not a time", 0, False),
    ("", 0, False),
])
def test_the_lock_holds_until_its_time(until, minutes_later, locked):
    now = datetime(2027, 1, 10, 10, 0, tzinfo=ZoneInfo("Africa/Nairobi")) + timedelta(minutes=minutes_later)
    assert pin.lock_state({"pin_locked_until": until}, now) == ({"pin_locked": "yes"} if locked else {})


def test_staff_remove_a_forgotten_pin_and_the_log_names_her_masked_number(client, db, runner, caplog):
    caller = _caller_with_pin(client, db)
    db.hset(contacts.key(PHONE), mapping={"pin_tries": "2", "pin_locked_until": "2099-01-01T00:00:00+03:00"})
    result = runner.invoke(args=["contacts", "reset-pin", "0712000171"])
    assert result.exit_code == 0, result.output
    assert "PIN removed for *********171" in result.output and "0712000171" not in result.output
    kept = db.hgetall(contacts.key(PHONE))
    assert not {"pin_hash", "pin_tries", "pin_locked_until"} & set(kept)
    assert kept["clinic"] == "Mathare"  # nothing else of hers changes
    assert any("PIN removed for *********171 by staff command" in r.getMessage() for r in caplog.records)
    caller.send("6")
    assert "Due date: 15-03-2027" in caller.send("3")
    again = runner.invoke(args=["contacts", "reset-pin", "0712000171"])
    assert "has no PIN; nothing was changed" in again.output


def test_staff_reset_refuses_an_unknown_number(runner):
    result = runner.invoke(args=["contacts", "reset-pin", "0712000179"])
    assert result.exit_code != 0 and "No contact has the number *********179" in result.output


def test_forget_me_removes_her_pin_with_everything_else(client, db):
    caller = _caller_with_pin(client, db)
    caller.send("6")
    assert "Enter your 4-digit PIN" in caller.send("6")  # Delete my details
    assert "Delete your details" in caller.send(SECRET_PIN)
    assert "Your details have been deleted" in caller.send("1")
    assert db.hgetall(contacts.key(PHONE)) == {}
    caller.dial()
    caller.send("1")  # a new number again: she chooses her language
    caller.send("2")
    assert "5. Set a PIN" in caller.send("6")


def test_staff_see_whether_she_has_a_pin_never_its_hash(client, db, runner):
    _caller_with_pin(client, db)
    kept = db.hgetall(contacts.key(PHONE))
    shown = fields(kept)
    assert ("PIN", "set (staff can remove it: contacts reset-pin)", False) in shown
    assert not [row for row in shown if "scrypt" in str(row[1]) or row[0].startswith("pin_")]
    result = runner.invoke(args=["contacts", "show", "0712000171"])
    assert "pin: set" in result.output and "scrypt" not in result.output
