"""Mentor Mothers: their records, PINs and the `mentors` commands."""

import logging

import pytest

from bot import config, mentors
from bot.errors import InvalidSetting
from bot.mentors import facility_check
from bot.store import assignments

MENTOR = "+254711000001"


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


def test_a_mentor_mother_is_kept_with_her_pin_hashed(db, caplog):
    caplog.set_level(logging.INFO)
    made = mentors.add(db, MENTOR, "  Grace   Achieng ", "13939", "4821")
    assert made == mentors.get(db, MENTOR)
    assert made["name"] == "Grace Achieng" and made["facility"] == "13939"
    stored = db.hgetall(assignments.mentor_key(MENTOR))
    assert stored["pin_hash"].startswith("scrypt$") and "4821" not in stored["pin_hash"]
    assert "pin_hash" not in mentors.get(db, MENTOR)
    assert [m["phone"] for m in mentors.for_facility(db, "13939")] == [MENTOR]
    assert mentors.for_facility(db, "99999") == [] and mentors.for_facility(db, "x") == []
    assert MENTOR not in caplog.text and "4821" not in caplog.text


@pytest.mark.parametrize("name, facility, pin, said", [
    ("", "13939", "1234", "name"), ("Grace", "Mathare", "1234", "not an MFL code"),
    ("Grace", "13939", "12", "4 to 6 digits"), ("Grace", "13939", "1234567", "4 to 6 digits"),
    ("Grace", "13939", "12a4", "4 to 6 digits"), ("Grace", "99999", "1234", "No facility on the list")])
def test_details_that_will_not_do_are_refused_with_the_reason(db, name, facility, pin, said):
    with pytest.raises(mentors.MentorError, match=said):
        mentors.add(db, MENTOR, name, facility, pin)
    assert mentors.get(db, MENTOR) is None


def test_the_same_number_cannot_be_added_twice(db):
    mentors.add(db, MENTOR, "Grace", "13939", "1234")
    with pytest.raises(mentors.MentorError, match="already a Mentor Mother"):
        mentors.add(db, MENTOR, "Someone else", "13704", "9999")
    assert mentors.get(db, MENTOR)["name"] == "Grace"


@pytest.mark.parametrize("raw, clean", [("13939", "13939"), (" 1302 ", "1302"), ("139391", "139391"),
                                        ("130", None), ("1393945", None), ("MFL13939", None),
                                        ("", None), (None, None)])
def test_a_facility_code_is_digits(raw, clean):
    assert facility_check.clean(raw) == clean


def test_her_pin_is_checked_and_locked_after_three_wrong_tries(db):
    mentors.add(db, MENTOR, "Grace", "13939", "4821")
    assert mentors.check_pin(db, MENTOR, "4821")
    assert not mentors.check_pin(db, MENTOR, "0000")
    assert mentors.check_pin(db, MENTOR, "4821")  # a right one starts the count again
    for _ in range(3):
        assert not mentors.check_pin(db, MENTOR, "1111")
    assert mentors.locked(db, MENTOR)
    assert not mentors.check_pin(db, MENTOR, "4821")  # even the right PIN, while locked
    assert 0 < db.ttl(f"mentors:pin_fails:{MENTOR}") <= mentors.LOCK_MINUTES * 60
    mentors.set_pin(db, MENTOR, "777777")  # a new PIN ends the lock
    assert mentors.check_pin(db, MENTOR, "777777") and not mentors.check_pin(db, MENTOR, "4821")
    assert not mentors.check_pin(db, "+254711000999", "4821")  # nobody


def test_mentors_add_asks_for_the_pin_twice_and_list_masks_numbers(runner, db):
    done = runner.invoke(args=["mentors", "add", "0711000001", "--name", "Grace Achieng",
                               "--facility", "13939"], input="4821\n4821\n")
    assert done.exit_code == 0, done.output
    assert "Grace Achieng (*********001) added at facility 13939" in done.output
    assert "4821" not in done.output.replace("Her PIN", "")
    assert mentors.check_pin(db, MENTOR, "4821")
    runner.invoke(args=["mentors", "add", "0711000002", "--name", "Wanjiru", "--facility", "13704",
                        "--pin", "1234"])
    listed = runner.invoke(args=["mentors", "list"]).output
    assert "*********001   13939   Grace Achieng" in listed and "Wanjiru" in listed
    assert MENTOR not in listed
    only = runner.invoke(args=["mentors", "list", "--facility", "13704", "--full-numbers"]).output
    assert "+254711000002" in only and "Grace" not in only


def test_mentors_add_refuses_two_different_pins_and_bad_details(runner, db):
    done = runner.invoke(args=["mentors", "add", "0711000001", "--name", "Grace",
                               "--facility", "13939"], input="4821\n4822\n4821\n4821\n")
    assert "do not match" in done.output and done.exit_code == 0
    bad = runner.invoke(args=["mentors", "add", "0711000009", "--name", "Grace", "--facility",
                              "Mathare", "--pin", "1234"])
    assert bad.exit_code == 1 and "not an MFL code" in bad.output
    wrong = runner.invoke(args=["mentors", "add", "07110", "--name", "G", "--facility", "13939",
                                "--pin", "1234"])
    assert wrong.exit_code == 2 and "not a phone number" in wrong.output


def test_mentors_set_pin_and_remove(runner, db):
    mentors.add(db, MENTOR, "Grace", "13939", "4821")
    done = runner.invoke(args=["mentors", "set-pin", "0711000001"], input="9090\n9090\n")
    assert done.exit_code == 0 and "New PIN set for *********001" in done.output
    assert mentors.check_pin(db, MENTOR, "9090")
    gone = runner.invoke(args=["mentors", "remove", "+254711000001"])
    assert gone.exit_code == 0 and "removed; 0 open follow-ups handed on" in gone.output
    assert mentors.get(db, MENTOR) is None and mentors.for_facility(db, "13939") == []
    again = runner.invoke(args=["mentors", "remove", "+254711000001"])
    assert again.exit_code == 1 and "is not a Mentor Mother" in again.output
    assert runner.invoke(args=["mentors", "set-pin", "0711000001", "--pin", "1234"]).exit_code == 1


@pytest.mark.parametrize("name, value", [("FOLLOWUP_DUE_URGENT_HOURS", 0),
                                         ("FOLLOWUP_DUE_CALLBACK_HOURS", 0),
                                         ("FOLLOWUP_DUE_MISSED_VISIT_HOURS", 10_000)])
def test_a_due_time_that_makes_no_sense_stops_the_start(name, value):
    with pytest.raises(InvalidSetting, match=name):
        config.check(dict(config.DEFAULTS, **{name: value}))
