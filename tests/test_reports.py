"""The programme's indicators, counted as events happen, checked against a recount of the records.

A small programme lives through the real webhooks, API, dispatch, delivery reports and
console-free closings; then `flask report` is read as JSON and every figure is compared with
what the records themselves say (or, where nothing is kept, with what the test did).
"""

import json
from datetime import date, timedelta

import pytest
import redis

from bot import test_numbers
from bot.api import tokens
from bot.reports import counters, figures, output
from bot.sms import log, outbound
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, followups, visits

from .fake_at import API_KEY, USERNAME
from .sms_helpers import text
from .test_reminders_dispatch import run
from .ussd_caller import Caller

KISUMU, NAIROBI = "13939", "13156"  # flows/facilities.csv
API_MOTHER, USSD_MOTHER, CHECKER, STOPPER, MISSER = (
    "+254712007001", "+254712007002", "+254712007003", "+254712007004", "+254712007005")
ENROL = ["1", "1", "98", "1", "1", "2", "1", "1", "{due}", "Mathare North", "1", "2"]
CHECK_WELL = ["3", "2", "98", "1", "4", "2", "1", "yes", "1", "1", "2"]
CHECK_REFER = ["3", "2", "98", "1", "4", "4", "2", "1", "yes", "1", "2"]


@pytest.fixture
def gateway(at):
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url)


def figures_json(runner, *args):
    found = runner.invoke(args=["report", "--from", "2026-11-01", "--to", "2027-01-31",
                                "--format", "json", *args])
    assert found.exit_code == 0, found.output
    data = json.loads(found.output)
    return data, {row["id"]: row["values"] for row in data["indicators"]}


def nonzero(values):
    return {group: value for group, value in values.items() if value}


def walk(client, phone, answers):
    caller = Caller(client, phone)
    screens = [caller.dial()] + [caller.send(a) for a in answers]
    return caller, screens


def end_of_session(client, caller, status="Incomplete"):
    answer = client.post("/ussd/events", data={
        "sessionId": caller.session_id, "phoneNumber": caller.phone, "status": status,
        "serviceCode": "*384*123#", "networkCode": "63902", "durationInMillis": "40000"})
    assert answer.status_code == 200


def test_the_figures_agree_with_a_recount_of_the_records(client, runner, db, app, gateway, at,
                                                         monkeypatch):
    monkeypatch.setitem(app.config, "TEST_PHONE_PREFIXES", "+2547120079")
    token = tokens.create(db, "emr")
    api = {"Authorization": f"Bearer {token}"}
    dials = 0
    # A clinic enrols a mother (Kisumu, Kiswahili) and books her a visit, then marks it kept.
    assert client.put(f"/api/contacts/{API_MOTHER}", headers=api, json={
        "consent_sms": True, "language": "sw", "facility": KISUMU, "stage": "pregnancy",
        "due_date": (date.today() + timedelta(days=90)).isoformat()}).status_code == 201
    soon = (date.today() + timedelta(days=3)).isoformat()
    assert client.post(f"/api/contacts/{API_MOTHER}/appointments", headers=api,
                       json={"date": soon, "kind": "anc"}).status_code == 201
    assert client.patch(f"/api/contacts/{API_MOTHER}/appointments/{soon}-anc", headers=api,
                        json={"status": "attended"}).status_code == 200
    # A mother joins on USSD, then hangs up on the menu (a dropped session).
    due = (date.today() + timedelta(days=120)).strftime("%d-%m-%Y")
    caller, screens = walk(client, USSD_MOTHER, [a.replace("{due}", due) for a in ENROL])
    dials += 1
    assert "Welcome to Mama Mentor!" in screens[-1]
    end_of_session(client, caller)
    end_of_session(client, caller)  # AT repeats itself: counted once
    # Two mothers check their baby's development: one is well, one to be referred.
    for phone in (CHECKER, "+254712007006"):
        db.hset(contacts.key(phone), mapping={"language": "en", "enrol_offered": "yes",
                                              "facility": NAIROBI})
    _, screens = walk(client, CHECKER, CHECK_WELL)
    assert "Well done!" in screens[-1]
    _, screens = walk(client, "+254712007006", CHECK_REFER)
    assert "take your child to a health worker soon" in screens[-1]
    dials += 2
    # A test phone does everything too, and counts in nothing.
    tester = "+254712007901"
    assert test_numbers.is_test(tester, app.config)
    walk(client, tester, CHECK_WELL)
    # Two more mothers are enrolled by a clinic, one with a visit she will not come to.
    for phone, facility, stage, day in ((STOPPER, NAIROBI, "baby", -60), (MISSER, KISUMU,
                                                                         "pregnancy", 120)):
        assert client.put(f"/api/contacts/{phone}", headers=api, json={
            "consent_sms": True, "language": "en", "facility": facility, "stage": stage,
            ("birth_date" if stage == "baby" else "due_date"):
                (date.today() + timedelta(days=day)).isoformat()}).status_code == 201
    assert client.post(f"/api/contacts/{MISSER}/appointments", headers=api,
                       json={"date": soon, "kind": "anc"}).status_code == 201
    # The dispatch, some days on: SMS go out, and her visit is found missed.
    later = (date.today() + timedelta(days=6)).isoformat()
    assert run(db, gateway, f"{later}T10:00").sent >= 3
    records = _records(db)
    for record, status in zip(records[:2], ("Success", "Failed"), strict=True):
        assert client.post("/sms/delivery", data={
            "id": record["id"], "status": status, "phoneNumber": record["phone"],
            "failureReason": "" if status == "Success" else "UserIsInactive"}).status_code == 200
    # STOP by SMS; a call-back and an urgent question are closed, the missed visit followed up.
    text(client, STOPPER, "STOP")
    pipe = db.pipeline()
    callback = followups.add(pipe, API_MOTHER, "callback", "pmtct", "ussd")
    urgent = followups.add(pipe, CHECKER, "sms_question", "", "sms", priority="urgent")
    pipe.execute()
    for followup_id in [callback, urgent, *db.zrange(followups.OPEN, 0, -1)]:
        followups.close(db, followup_id, "Called her", by="staff")

    data, found = figures_json(runner)
    assert data["groups"] == [{"id": "All", "name": "All"}]
    every = _recount(db)
    for name, value in every.items():
        assert found[name]["All"] == value, f"{name}: counted {found[name]['All']}, recounted {value}"
    assert found["ussd_sessions"]["All"] == dials and found["ussd_dropped"]["All"] == 1
    assert found["development_checks"]["All"] == 2 and found["referrals_suggested"]["All"] == 1
    assert found["opted_out"]["All"] == 1 and found["sms_failed:UserIsInactive"]["All"] == 1
    assert found["delivery_rate"]["All"] == 50.0
    assert found["enrolled:pregnancy"]["All"] == 3 and found["enrolled:baby"]["All"] == 1

    # By facility and county, the same figures add up to the total.
    _, by_county = figures_json(runner, "--by", "county")
    assert nonzero(by_county["development_checks"]) == {"Nairobi": 2}
    assert nonzero(by_county["visits_kept"]) == {"Kisumu": 1}
    assert nonzero(by_county["visits_missed"]) == {"Kisumu": 1}
    for name, value in every.items():
        assert sum(by_county[name].values()) == value, name
    _, by_language = figures_json(runner, "--by", "language")
    assert nonzero(by_language["enrolled"]) == {"en": 3, "sw": 1}
    # Not a phone number anywhere in what is counted.
    for key in db.scan_iter(match="report:*"):
        assert "+2547" not in key
        if key.startswith("report:active:"):
            continue  # a HyperLogLog sketch: registers, no number (tested below)
        kept = db.hkeys(key) if db.type(key) == "hash" else db.smembers(key) \
            if db.type(key) == "set" else [db.get(key)]
        assert not any("+2547" in name for name in kept), key


def _records(db):
    phones = [name.removeprefix("sms:done:") for name in db.scan_iter(match="sms:done:*")]
    found = [m for phone in sorted(phones) for m in log.messages(db, phone, 1000)]
    return [m for m in found if not test_numbers.is_test(m["phone"])]


def _recount(db):
    """The figures worked out again from what is kept about each mother."""
    phones = [name.removeprefix("contact:") for name in db.scan_iter(match="contact:*")]
    phones = [p for p in phones if not test_numbers.is_test(p)]
    kept = {p: db.hgetall(contacts.key(p)) for p in phones}
    her_visits = [v for p in phones for v in visits.parse(db.hgetall(visits.key(p))).values()]
    records = _records(db)
    asked = [f for p in phones for f in followups.hers(db, p)]
    closed = [f for f in asked if f["status"] == "done" and f.get("closed_by") != "loss"]
    return {
        "enrolled": sum(c.get("enrolled") == "yes" for c in kept.values()),
        "opted_out": sum(c.get("opted_out") == "yes" for c in kept.values()),
        "reached_new": sum(bool(c.get("reached")) for c in kept.values()),
        "reached_returning": 0,
        "visits_booked": sum(v["status"] != "cancelled" for v in her_visits),
        "visits_kept": sum(v["status"] == "attended" for v in her_visits),
        "visits_missed": sum(f["reason"] == "missed_visit" for f in asked),
        "missed_followed_up": sum(f["reason"] == "missed_visit" for f in closed),
        "callbacks_closed": sum(f["reason"] in ("callback", "sms_question")
                                and followups.priority(f) != "urgent" for f in closed),
        "urgent_answered": sum(followups.priority(f) == "urgent" for f in closed),
        "urgent_in_2_hours": sum(followups.priority(f) == "urgent" for f in closed),
        "sms_sent": len(records),
        "sms_delivered": sum(r["status"] == "Success" for r in records),
        "sms_failed": sum(r["status"] == "Failed" for r in records),
    }


def test_a_month_is_read_whole_and_other_days_one_by_one():
    keys = figures.reads(date(2026, 11, 20), date(2027, 1, 31))
    assert keys[:11] == [counters.day_key(date(2026, 11, d), "") for d in range(20, 31)]
    assert keys[11:] == [counters.month_key(date(2026, 12, 1), ""),
                         counters.month_key(date(2027, 1, 1), "")]
    assert len(figures.reads(date(2026, 1, 1), date(2026, 12, 31))) == 12


def test_days_older_than_the_daily_counts_must_be_asked_by_whole_month(runner):
    found = runner.invoke(args=["report", "--from", "2024-03-05", "--to", "2024-04-30"])
    assert found.exit_code == 1 and "kept only by whole month" in found.output, found.output
    whole = runner.invoke(args=["report", "--from", "2024-03-01", "--to", "2024-04-30"])
    assert whole.exit_code == 0 and "Mothers enrolled" in whole.output
    backwards = runner.invoke(args=["report", "--from", "2026-12-05", "--to", "2026-12-01"])
    assert backwards.exit_code == 1 and "is before --from" in backwards.output
    bad = runner.invoke(args=["report", "--from", "5/12/2026"])
    assert bad.exit_code == 2 and "write it as 2026-12-31" in bad.output


def test_a_table_shows_every_definition_and_csv_cells_cannot_run_as_formulas(db):
    pipe = db.pipeline()
    counters.count(pipe, "sms_failed", "+254712007010", detail="=HYPERLINK(\"x\")")
    pipe.execute()
    today = counters.programme_day()
    report = figures.build(db, today, today)
    table = output.table(report)
    assert "Delivery rate: SMS delivered as a share" in table
    assert "=HYPERLINK" in table
    sheet = output.csv_text(report)
    assert "'=HYPERLINK" in sheet and ",=HYPERLINK" not in sheet
    assert output.safe_cell("-3") == "'-3" and output.safe_cell(12) == "12"
    assert output.safe_cell("+254712345678") == "+254712345678"  # a number as the bot keeps it
    assert output.safe_cell("+254712345678+A1") == "'+254712345678+A1"


def test_an_sms_to_a_number_the_bot_keeps_nothing_about_leaves_no_record_of_her(db, gateway):
    stranger = "+254712007020"
    (sent,) = outbound.send(db, gateway, [outbound.Outgoing(stranger, "Thank you")])
    assert sent.sent and db.hgetall(contacts.key(stranger)) == {}
    today = counters.programme_day()
    values = {r.name: r.values["All"] for r in figures.build(db, today, today).rows}
    assert values["sms_sent"] == 1 and values["reached_new"] == 0


def test_the_console_reports_page_and_its_csv_are_for_every_staff_member(client, db):
    from .test_console_auth import sign_in

    pipe = db.pipeline()
    db.hset(contacts.key("+254712007030"), mapping={"facility": "13156", "language": "en"})
    counters.count(pipe, "visits_booked", "+254712007030")
    counters.count(pipe, "ussd_dropped", "+254712007030", detail="+SUM(A1)")
    pipe.execute()
    assert client.get("/console/reports").status_code == 302  # signed in only
    sign_in(client, db, "staff")
    page = client.get("/console/reports?by=county").get_data(as_text=True)
    assert "Visits booked" in page and "Nairobi" in page and "+254712007030" not in page
    sheet = client.get("/console/reports.csv?by=facility")
    assert sheet.mimetype == "text/csv" and "attachment" in sheet.headers["Content-Disposition"]
    text = sheet.get_data(as_text=True)
    assert "Pumwani Maternity Hospital (13156)" in text and "'+SUM(A1)" in text
    wrong = client.get("/console/reports?from=yesterday").get_data(as_text=True)
    assert "Write dates as 2026-12-31." in wrong
    assert client.get("/console/reports.csv?by=street").status_code == 400


def test_mothers_active_counts_each_mother_once_over_30_days_while_it_is_kept(client, db, gateway):
    known = ["+254712007041", "+254712007042", "+254712007043"]
    for phone in known:
        db.hset(contacts.key(phone), mapping={"language": "sw", "facility": KISUMU,
                                              "enrolled": "yes"})
    for _ in range(2):  # twice each: still one mother each
        outbound.send(db, gateway, [outbound.Outgoing(phone, "Habari") for phone in known])
    walk(client, "+254712007044", [])  # a new caller dials once
    today = counters.programme_day()
    values = {r.name: r.values for r in figures.build(db, today.replace(day=1), today).rows}
    assert values["active_30_days"] == {"All": 4}
    by_county = {r.name: r.values for r in figures.build(db, today, today, "county").rows}
    assert by_county["active_30_days"]["Kisumu"] == 3
    old = {r.name: r.values for r in figures.build(db, today - timedelta(days=10),
                                                   today - timedelta(days=3)).rows}
    assert old["active_30_days"] == {"All": None}  # only for a report ending today or yesterday
    raw = redis.Redis(connection_pool=redis.ConnectionPool(
        **{**db.connection_pool.connection_kwargs, "decode_responses": False},
        connection_class=db.connection_pool.connection_class))
    sketches = [raw.get(k) for k in raw.scan_iter(match=b"report:active:*")]
    assert sketches and all(s.startswith(b"HYLL") and b"2547120070" not in s for s in sketches)
