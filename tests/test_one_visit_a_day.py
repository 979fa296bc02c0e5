"""One visit per mother per day: her own date and the clinic's visit that day are one visit,
and reminders never go twice for the same day."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.api import tokens
from bot.reminders import dispatch
from bot.reminders.plan import make_plan
from bot.reminders.timing import Rules
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, visits

from .fake_at import API_KEY, USERNAME
from .test_reminder_plan import CONTENT, ENROLLED, RULES, at, visit
from .ussd_caller import Caller

TZ = ZoneInfo("Africa/Nairobi")
PHONE = "+254712000901"


def _today():
    return datetime.now(TZ).date()  # the bot's own today: USSD takes dates from today on


def _enrolled(db, phone=PHONE):
    db.hset(contacts.key(phone), mapping={"language": "en", "enrolled": "yes", "consent_sms": "yes",
                                          "enrol_offered": "yes", "enrolled_on": "2026-01-01"})


def _save_on_ussd(client, day, phone=PHONE):
    caller = Caller(client, phone)
    caller.dial()
    for answer in ("5", "2", day.strftime("%d-%m-%Y")):
        reply = caller.send(answer)
    assert "is saved" in reply, reply


def _import(runner, tmp_path, day, phone="0712000901", kind="anc", when="09:30"):
    register = tmp_path / "register.csv"
    register.write_text(f"phone,date,kind,time,clinic\n{phone},{day.isoformat()},{kind},{when},"
                        "Mathare North\n")
    result = runner.invoke(args=["appointments", "import", str(register)])
    assert result.exit_code == 0, result.output
    return result.output


def _stored(db, phone=PHONE):
    return list(visits.parse(db.hgetall(visits.key(phone))).values())


def test_her_date_then_the_register_make_one_visit_with_the_registers_details(
        client, runner, db, tmp_path):
    _enrolled(db)
    day = _today() + timedelta(days=20)
    _save_on_ussd(client, day)
    assert "Imported 1 new visit(s)" in _import(runner, tmp_path, day)
    (kept,) = _stored(db)
    assert (kept["kind"], kept["time"], kept["clinic"], kept["source"], kept["sources"]) == (
        "anc", "09:30", "Mathare North", "import", ["import", "mother"])
    assert "Imported 0 new visit(s)" in _import(runner, tmp_path, day)  # twice: nothing changes
    assert _stored(db) == [kept]


def test_the_register_then_her_date_make_one_visit(client, runner, db, tmp_path):
    _enrolled(db)
    day = _today() + timedelta(days=20)
    _import(runner, tmp_path, day)
    _save_on_ussd(client, day)
    (kept,) = _stored(db)
    assert (kept["kind"], kept["time"], kept["sources"]) == ("anc", "09:30", ["import", "mother"])


def test_a_clinic_booking_through_the_api_takes_her_date_in(client, db):
    _enrolled(db)
    day = _today() + timedelta(days=20)
    _save_on_ussd(client, day)
    token = tokens.create(db, "emr-test")
    answer = client.post(f"/api/contacts/{PHONE}/appointments",
                         headers={"Authorization": f"Bearer {token}"},
                         json={"date": day.isoformat(), "kind": "art", "time": "11:00"})
    assert answer.status_code == 201, answer.get_json()
    (kept,) = _stored(db)
    assert (kept["kind"], kept["time"], kept["sources"]) == ("art", "11:00", ["api", "mother"])


def test_two_visits_on_one_day_get_one_reminder_of_each_kind():
    day = "2026-11-26"
    both = {**visit(day, "anc", time="09:30"), **visit(day, "art")}
    sent = []
    for now in ("2026-11-25T10:00", "2026-11-26T08:00", "2026-11-28T10:00"):
        due = make_plan(ENROLLED, both, CONTENT, at(now), RULES, done={r.id for r in sent}).due
        sent += due
    assert [r.kind for r in sent] == ["visit_day_before", "visit_morning", "visit_missed"]
    assert sent[0].params["time"] == "09:30" and sent[0].params["kind"] == "other"


def test_a_reminder_sent_under_its_earlier_id_is_not_sent_again():
    booked = {**visit("2026-11-26", "other"), **visit("2026-11-26", "anc")}
    plan = make_plan(ENROLLED, booked, CONTENT, at("2026-11-25T10:00"), RULES,
                     done={"2026-11-26-other:before"})
    assert plan.due == [] and plan.next_at == at("2026-11-26T08:00")


def test_her_date_and_the_register_send_one_sms_a_moment_through_the_sdk(
        client, runner, db, tmp_path, at):  # noqa: F811 (the fake AT fixture)
    _enrolled(db)
    day = _today() + timedelta(days=20)
    _save_on_ussd(client, day)
    # Before the fix: the register's visit came in beside hers. Put one there the old way too.
    pipe = db.pipeline()
    visits.add(pipe, PHONE, day, "anc", "09:30", "Mathare North", source="import")
    pipe.execute()
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))
    rules = Rules(time(8), time(18), time(10), time(8), 1, time(10), 2)
    moments = [datetime.combine(day - timedelta(days=1), time(10), TZ),
               datetime.combine(day, time(8), TZ),
               datetime.combine(day + timedelta(days=2), time(10), TZ)]
    dispatch.reschedule(db, CONTENT, PHONE, moments[0] - timedelta(days=3), rules)
    for moment in moments:
        for later in (0, 5):  # a second dispatch a few minutes on sends nothing more
            dispatch.dispatch(db, CONTENT, gateway, moment + timedelta(minutes=later), rules, 500)
    words = [r["message"].split(" ")[0] for r in at.requests]
    assert words == ["Reminder:", "Your", "We"], [r["message"] for r in at.requests]
