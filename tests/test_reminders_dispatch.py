"""Dispatching reminders through the real SDK to the fake AT, with a real Redis."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.content import load_content
from bot.reminders import dispatch, due_list
from bot.reminders.timing import Rules
from bot.sms import log
from bot.sms.gateway import AfricasTalkingGateway, GatewayError
from bot.store import contacts, followups, forget, visits

from .fake_at import API_KEY, USERNAME

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content(ROOT / "flows", ROOT / "locales")
TZ = ZoneInfo("Africa/Nairobi")
RULES = Rules.from_config({"SEND_FROM": "08:00", "SEND_UNTIL": "18:00",
                           "REMINDER_DAY_BEFORE_AT": "10:00", "REMINDER_MORNING_AT": "08:00",
                           "STAGE_MESSAGE_WEEKDAY": 1, "STAGE_MESSAGE_AT": "10:00",
                           "MISSED_VISIT_AFTER_DAYS": 2})


def moment(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def gateway(at):  # noqa: F811 (the fake AT fixture)
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


def enrol(db, phone, now="2026-11-20T09:00", visit_days=(), **fields):
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "consent_sms": "yes",
                                          "enrolled_on": "2026-11-01", "language": "en", **fields})
    pipe = db.pipeline()
    for day in visit_days:
        visits.add(pipe, phone, date.fromisoformat(day), "anc", clinic="Mathare")
    pipe.execute()
    dispatch.reschedule(db, CONTENT, phone, moment(now), RULES)


def run(db, gateway, now, batch=500):
    return dispatch.dispatch(db, CONTENT, gateway, moment(now), RULES, batch)


def test_a_dispatch_sends_what_is_due_once_and_files_her_next(db, gateway, at):
    enrol(db, "+254712000701", visit_days=["2026-11-26"])
    assert run(db, gateway, "2026-11-25T09:59").sent == 0
    report = run(db, gateway, "2026-11-25T10:00")
    assert report.sent == 1 and at.requests[0]["message"].startswith(
        "Reminder: your pregnancy check is tomorrow, 26-11-2026, at Mathare.")
    assert run(db, gateway, "2026-11-25T10:05").sent == 0  # run again: nothing twice
    assert due_list.next_at(db, "+254712000701") == moment("2026-11-26T08:00").timestamp()


def test_identical_weekly_messages_go_in_one_bulk_request(db, gateway, at):
    for n in range(40):
        enrol(db, f"+2547120008{n:02d}", stage="pregnancy", due_date="2027-03-16")
    report = run(db, gateway, "2026-11-24T10:00")
    assert report.sent == 40 and len(at.requests) == 1
    assert len(at.requests[0]["to"].split(",")) == 40


def test_nothing_goes_out_at_night_and_all_of_it_in_the_morning(db, gateway, at):
    enrol(db, "+254712000702", visit_days=["2026-11-26"])
    assert run(db, gateway, "2026-11-25T19:00").sent == 0 and at.requests == []
    assert run(db, gateway, "2026-11-25T21:00").sent == 0
    report = run(db, gateway, "2026-11-26T08:00")
    assert [r["message"].split(" ")[0] for r in at.requests] == ["Today"]
    assert report.late == 1  # the day-before SMS was due last night: recorded, not sent
    (_, counts), = log.totals(db, 1, today=date(2026, 11, 26))  # the dispatch's own day
    assert counts["skipped:late"] == "1"


def test_at_down_loses_nothing_and_sends_nothing_twice(db, gateway, at):
    for n in range(3):
        enrol(db, f"+2547120007{n:02d}", stage="pregnancy", due_date="2027-03-16")
    at.plan.append("503")
    with pytest.raises(GatewayError):
        run(db, gateway, "2026-11-24T10:00")
    assert run(db, gateway, "2026-11-24T10:05").sent == 3
    assert run(db, gateway, "2026-11-24T10:10").sent == 0
    assert sorted(at.recipients()) == [f"+2547120007{n:02d}" for n in range(3)]


def test_per_recipient_failures_retry_or_stop(db, gateway, at):
    enrol(db, "+254712000710", stage="pregnancy", due_date="2027-03-16")
    enrol(db, "+254712000711", stage="pregnancy", due_date="2027-03-16")
    at.failing["+254712000710"] = (500, "InternalServerError")
    at.failing["+254712000711"] = (406, "UserInBlacklist")
    report = run(db, gateway, "2026-11-24T10:00")
    assert (report.retry, report.not_sent) == (1, {"UserInBlacklist": 1})
    assert due_list.next_at(db, "+254712000710") == moment("2026-11-24T10:15").timestamp()
    del at.failing["+254712000710"]
    assert run(db, gateway, "2026-11-24T10:15").sent == 1
    assert at.recipients().count("+254712000711") == 1  # not tried again


def test_a_cancelled_visit_stops_its_reminders(db, gateway, at):
    enrol(db, "+254712000720", visit_days=["2026-11-26"])
    visits.set_status(db, "+254712000720", date(2026, 11, 26), "cancelled")
    dispatch.reschedule(db, CONTENT, "+254712000720", moment("2026-11-21T09:00"), RULES)
    assert due_list.next_at(db, "+254712000720") is None
    assert run(db, gateway, "2026-11-25T10:00").sent == 0


def test_opting_out_after_scheduling_stops_everything(db, gateway, at):
    enrol(db, "+254712000721", visit_days=["2026-11-26"])
    db.hset(contacts.key("+254712000721"), "opted_out", "yes")
    assert run(db, gateway, "2026-11-25T10:00").sent == 0 and at.requests == []


def test_a_missed_visit_sends_one_gentle_sms_and_goes_on_the_follow_up_list(db, gateway, at):
    enrol(db, "+254712000730", now="2026-11-28T09:00", visit_days=["2026-11-26"])
    run(db, gateway, "2026-11-28T10:00")
    run(db, gateway, "2026-11-28T12:00")
    assert [r["message"][:21] for r in at.requests] == ["We missed you at the "]
    (followup_id,) = db.zrange(followups.OPEN, 0, -1)
    assert db.hget(followups.key(followup_id), "reason") == "missed_visit"


def test_an_attended_visit_has_no_follow_up(db, gateway, at):
    enrol(db, "+254712000731", now="2026-11-27T09:00", visit_days=["2026-11-26"])
    visits.set_status(db, "+254712000731", date(2026, 11, 26), "attended")
    run(db, gateway, "2026-11-28T10:00")
    assert at.requests == [] and db.zcard(followups.OPEN) == 0


def test_forget_me_removes_every_trace_but_the_anonymous_counts(db, gateway, at):
    phone = "+254712000740"
    enrol(db, phone, visit_days=["2026-11-26"])
    run(db, gateway, "2026-11-25T10:00")
    pipe = db.pipeline()
    followups.add(pipe, phone, "callback", "baby", "ussd")
    pipe.execute()
    forget.forget(db, phone)
    leftovers = [k for k in db.keys("*") if phone in k or phone in str(db.type(k))]
    assert leftovers == []
    assert due_list.next_at(db, phone) is None and db.zcard(followups.OPEN) == 0
    for key in db.keys("sms:msg:*"):
        assert db.hget(key, "phone") != phone
    (_, counts), = log.totals(db, 1)  # counted on the day it really went out
    assert counts["sent"] == "1"


def test_a_clinic_name_that_reveals_hiv_care_is_not_written_into_the_sms(db, gateway, at):
    phone = "+254712000790"
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "consent_sms": "yes",
                                          "enrolled_on": "2026-11-01", "language": "en"})
    visits.add(db, phone, date(2026, 11, 26), "anc", clinic="Mathare PMTCT Clinic")
    dispatch.reschedule(db, CONTENT, phone, moment("2026-11-20T09:00"), RULES)
    assert run(db, gateway, "2026-11-25T10:00").sent == 1
    message = at.requests[0]["message"]
    assert "PMTCT" not in message and "your clinic" in message
    assert "PMTCT" in dispatch.clinic_kept_out("Mathare PMTCT Clinic")
    assert dispatch.clinic_kept_out("Mentor Mothers Kibera")
    assert dispatch.clinic_kept_out("Mathare North") is None
