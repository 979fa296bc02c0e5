"""Danger-sign SMS counted in days since her stage began: the plan, and a real dispatch.

The newborn's signs go out the day the birth is recorded whatever the weekday,
the mother's own two days later, and the pregnancy signs every 4 weeks from
enrolment; never after a loss or a STOP, never twice.
"""

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.api import tokens
from bot.content import gsm, load_content
from bot.content.sms_rules import PRIVATE_WORDS
from bot.engine import Session, step
from bot.reminders import dispatch
from bot.reminders.plan import make_plan
from bot.reminders.timing import Rules
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts

from .engine_content import make_content
from .fake_at import API_KEY, USERNAME
from .ussd_caller import Caller

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content(ROOT / "flows", ROOT / "locales")
TZ = ZoneInfo("Africa/Nairobi")
RULES = Rules(time(8), time(18), time(10), time(8), 1, time(10), 2)  # weekly SMS: Tuesdays 10:00
ENROLLED = {"enrolled": "yes", "consent_sms": "yes", "enrolled_on": "2026-06-01",
            "language": "en"}
# Her baby was born on Wednesday 25 November 2026; she recorded it on Friday the 27th.
BORN = {"stage": "baby", "birth_date": "2026-11-25", "stage_since": "2026-11-27"}
PREGNANT = {"stage": "pregnancy", "due_date": "2027-04-01", "stage_since": "2026-11-03"}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def day_ids(contact, now, done=(), part="due"):
    found = make_plan({**ENROLLED, **contact}, {}, CONTENT, at(now), RULES, done)
    return [r.id for r in getattr(found, part) if r.kind == "stage_day"]


def test_the_newborn_signs_are_due_the_day_the_birth_is_recorded_not_on_the_weekly_slot():
    assert day_ids(BORN, "2026-11-27T15:00") == ["day:danger-newborn:2026-11-27"]  # a Friday
    assert day_ids(BORN, "2026-11-27T07:00") == []  # before the sending window opens


def test_recorded_in_the_evening_they_go_first_thing_next_morning():
    evening = {**BORN, "stage_since": "2026-11-26"}  # recorded at 19:30, after the window closed
    assert day_ids(evening, "2026-11-26T19:30") == ["day:danger-newborn:2026-11-26"]
    assert not RULES.is_allowed(at("2026-11-26T19:30"))  # so the dispatch waits for 08:00
    assert day_ids(evening, "2026-11-27T08:00") == ["day:danger-newborn:2026-11-26"]


def test_the_mothers_own_signs_come_two_days_later_and_nothing_comes_twice():
    sent = {"day:danger-newborn:2026-11-27"}
    assert day_ids(BORN, "2026-11-27T16:00", done=sent) == []
    assert day_ids(BORN, "2026-11-28T12:00", done=sent) == []
    assert day_ids(BORN, "2026-11-29T08:00", done=sent) == ["day:danger-after-birth:2026-11-27"]
    assert day_ids(BORN, "2026-11-29T09:00", done=sent | {"day:danger-after-birth:2026-11-27"}) == []


def test_a_mother_who_joins_with_a_young_baby_gets_them_within_a_day_of_joining():
    joined = {"stage": "baby", "birth_date": "2026-10-20", "stage_since": "2026-11-27",
              "enrolled_on": "2026-11-27"}  # a baby of 5 weeks
    assert day_ids(joined, "2026-11-27T12:00") == ["day:danger-newborn:2026-11-27"]
    older = {**joined, "birth_date": "2026-07-20"}  # 4 months: these would only confuse
    assert day_ids(older, "2026-11-27T12:00") == day_ids(older, "2026-11-28T12:00") == []


def test_a_signs_sms_missed_for_a_week_is_recorded_as_late_not_sent():
    assert day_ids(BORN, "2026-12-05T10:00", done={"day:danger-after-birth:2026-11-27"}) == []
    assert day_ids(BORN, "2026-12-05T10:00", done={"day:danger-after-birth:2026-11-27"},
                   part="late") == ["day:danger-newborn:2026-11-27"]


def test_pregnancy_signs_come_every_four_weeks_from_enrolment():
    assert day_ids(PREGNANT, "2026-11-03T09:00") == ["day:danger-pregnancy:2026-11-03:0"]
    assert day_ids(PREGNANT, "2026-11-20T09:00", done={"day:danger-pregnancy:2026-11-03:0"}) == []
    plan = make_plan({**ENROLLED, **PREGNANT}, {}, CONTENT, at("2026-11-20T09:00"), RULES,
                     {"day:danger-pregnancy:2026-11-03:0", "stage:pregnancy:21", "stage:pregnancy:22"})
    assert plan.next_at <= at("2026-12-01T08:00")
    assert day_ids(PREGNANT, "2026-12-01T08:00", done={"day:danger-pregnancy:2026-11-03:0"}) == [
        "day:danger-pregnancy:2026-11-03:1"]
    assert day_ids(PREGNANT, "2027-02-23T08:00") == ["day:danger-pregnancy:2026-11-03:4"]  # 16 weeks on


def test_a_mother_who_joins_late_in_pregnancy_still_gets_them():
    late = {**PREGNANT, "due_date": "2026-12-20", "stage_since": "2026-11-24"}  # 36 weeks
    assert day_ids(late, "2026-11-24T10:00") == ["day:danger-pregnancy:2026-11-24:0"]


def test_a_later_pregnancy_or_baby_gets_them_again():
    before = {"day:danger-pregnancy:2026-11-03:0", "day:danger-newborn:2026-11-27"}
    again = {**PREGNANT, "stage_since": "2027-03-01", "due_date": "2027-10-01"}
    assert day_ids(again, "2027-03-01T09:00", done=before) == ["day:danger-pregnancy:2027-03-01:0"]
    second = {**BORN, "birth_date": "2028-01-10", "stage_since": "2028-01-11"}
    assert day_ids(second, "2028-01-11T09:00", done=before) == ["day:danger-newborn:2028-01-11"]


def test_pregnancy_signs_stop_after_week_42_and_at_the_birth():
    overdue = {**PREGNANT, "due_date": "2026-11-10"}  # week 43 on 2026-12-01
    assert day_ids(overdue, "2026-12-01T08:00", done={"day:danger-pregnancy:2026-11-03:0"}) == []
    assert not [i for i in day_ids({**PREGNANT, **BORN}, "2026-12-01T08:00")
                if i.startswith("day:danger-pregnancy")]


@pytest.mark.parametrize("change", [
    {"stage": "loss", "loss_date": "2026-11-27"},  # never after a loss
    {"opted_out": "yes"},  # STOP
    {"consent_sms": "no"},
])
def test_nothing_after_a_loss_a_stop_or_without_consent(change):
    assert day_ids({**BORN, **change}, "2026-11-27T15:00") == []
    assert day_ids({**PREGNANT, **change}, "2026-11-03T09:00") == []


def test_every_signs_sms_fits_one_plain_segment_and_names_no_hiv_word():
    sets = [s for s in CONTENT.message_sets.values() if s.unit == "day"]
    assert {s.stage for s in sets} == {"pregnancy", "baby"}
    for message in (m for s in sets for m in s.messages if m.topic == "danger_signs"):
        for language in ("en", "sw"):
            text = CONTENT.texts.get(message.text, language)
            assert gsm.encoding(text) == "GSM-7" and gsm.length(text) <= 160, text
            assert not PRIVATE_WORDS.search(text) and "clinic" not in text.lower()
            assert ("nearest hospital" if language == "en" else "hospitali iliyo karibu") in text


# A real dispatch through the SDK and the fake AT, after the birth is recorded on USSD.

@pytest.fixture
def gateway(at):  # noqa: F811 (the fake AT fixture)
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


def _record_birth_on_ussd(client, phone):
    """Settings, My details, "My baby is born", today's date: the way a mother records the birth."""
    caller = Caller(client, phone)
    caller.dial()
    caller.send("6")
    settings = caller.send("3")  # My details
    option = next(line.split(".")[0] for line in settings.splitlines() if "baby is born" in line)
    caller.send(option)
    today = datetime.now(TZ).date()
    assert "Congratulations on your baby" in caller.send(today.strftime("%d-%m-%Y"))
    return today


def test_the_newborn_sms_goes_the_day_the_birth_is_recorded_whatever_the_weekday(
        client, db, gateway, at):
    phone = "+254712000960"
    due = datetime.now(TZ).date() + timedelta(days=20)
    db.hset(contacts.key(phone), mapping={**ENROLLED, "enrol_offered": "yes",
                                          "stage": "pregnancy", "due_date": due.isoformat()})
    today = _record_birth_on_ussd(client, phone)
    assert db.hget(contacts.key(phone), "stage_since") == today.isoformat()
    other_day = Rules(time(8), time(18), time(10), time(8), (today.weekday() + 3) % 7,
                      time(10), 2)  # the weekly SMS is not due today
    noon = datetime.combine(today, time(12), TZ)
    report = dispatch.dispatch(db, CONTENT, gateway, noon, other_day, 500)
    assert report.sent == 2  # the danger signs, and the reminder of tomorrow's check after birth
    sent = [request["message"] for request in at.requests]
    assert CONTENT.texts.get("sms_danger_signs.newborn", "en") in sent
    assert any("check after birth (you and baby)" in text for text in sent)
    again = dispatch.dispatch(db, CONTENT, gateway, noon + timedelta(minutes=5), other_day, 500)
    assert again.sent == 0 and len(at.requests) == 2  # nothing twice
    two_days_on = datetime.combine(today + timedelta(days=2), time(8), TZ)
    assert dispatch.dispatch(db, CONTENT, gateway, two_days_on, other_day, 500).sent == 1
    assert at.requests[2]["message"] == CONTENT.texts.get("sms_danger_signs.after_birth", "en")
    assert dispatch.dispatch(db, CONTENT, gateway, two_days_on, other_day, 500).sent == 0


# Where the day her stage began is kept.

def test_the_engine_dates_a_change_of_stage_and_only_a_change():
    flows = {"main": {"start": "born", "states": {
        "born": {"kind": "action", "do": "set_field", "with": {"field": "stage", "value": "baby"},
                 "next": "done"},
        "done": {"kind": "message", "text": "t.done"}}},
        "start": {"start": "go", "states": {"go": {"kind": "router", "routes": [],
                                                   "otherwise": {"flow": "main"}}}}}
    content = make_content(flows, {"en": {"t.done": "Done"}})
    day = datetime(2026, 11, 27).date()
    changed = step(content, Session("main", "done"), {"stage": "pregnancy"}, "00", today=day)
    assert [(e.name, e.value) for e in changed.effects if e.kind == "set_field"] == [
        ("stage_since", "2026-11-27"), ("stage", "baby")]
    same = step(content, Session("main", "done"), {"stage": "baby"}, "00", today=day)
    assert [e.name for e in same.effects if e.kind == "set_field"] == ["stage"]


def test_the_api_dates_a_change_of_stage(client, db):
    token = tokens.create(db, "emr-test")
    phone, today = "+254712000961", datetime.now(TZ).date()
    headers = {"Authorization": f"Bearer {token}"}
    due = (today + timedelta(days=100)).isoformat()
    client.put(f"/api/contacts/{phone}", headers=headers,
               json={"stage": "pregnancy", "due_date": due, "consent_sms": True})
    assert db.hget(contacts.key(phone), "stage_since") == today.isoformat()
    db.hset(contacts.key(phone), "stage_since", "2026-01-01")
    client.put(f"/api/contacts/{phone}", headers=headers, json={"clinic": "Mathare"})
    assert db.hget(contacts.key(phone), "stage_since") == "2026-01-01"  # no change of stage
    client.put(f"/api/contacts/{phone}", headers=headers,
               json={"stage": "baby", "birth_date": today.isoformat()})
    assert db.hget(contacts.key(phone), "stage_since") == today.isoformat()
