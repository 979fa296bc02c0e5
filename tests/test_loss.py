"""A loss, reported through every door, stops every SMS about the pregnancy or the baby.

Each test books a mother's visits before the loss (for the baby and for herself,
one of them already missed), reports the loss through USSD, the API or the
command line, then runs the reminder dispatch every few hours for six weeks
through the real SDK to the fake AT, and reads what went out.
"""

import re
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service
from bot.api import tokens
from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, followups, visits

from .fake_at import API_KEY, USERNAME
from .test_console_auth import TOKEN, sign_in
from .ussd_caller import Caller

TZ = ZoneInfo("Africa/Nairobi")
PHONE = "+254712000451"
# What a reminder about the pregnancy or the baby says (locales/sms_reminders.en.yml kinds).
ABOUT_BABY_OR_PREGNANCY = re.compile(r"pregnancy check|baby's")
BABY_VISITS = {"immunisation": 1, "eid": 12, "growth": 20, "pnc_baby": 2}
HER_VISITS = {"art": 9, "pnc": 3, "other": 16}


def today():
    return datetime.now(TZ).date()


def day(offset):
    return today() + timedelta(days=offset)


@pytest.fixture
def mother(db):
    """A mother with a 5-week-old baby, her visits booked and one baby visit missed 3 days ago."""
    db.hset(contacts.key(PHONE), mapping={
        "enrolled": "yes", "consent_sms": "yes", "language": "en", "enrol_offered": "yes",
        "stage": "baby", "birth_date": day(-35).isoformat(), "enrolled_on": day(-60).isoformat(),
        "enrolled_at": "0", "clinic": "Mathare"})
    pipe = db.pipeline()
    for kind, offset in {**BABY_VISITS, **HER_VISITS}.items():
        visits.add(pipe, PHONE, day(offset), kind, clinic="Mathare", source="import")
    visits.add(pipe, PHONE, day(-3), "immunisation", clinic="Mathare", source="import")
    missed = followups.add(pipe, PHONE, "missed_visit", "immunisation", "reminder",
                           message=day(-3).isoformat())
    pipe.execute()
    return missed


def report_on_ussd(client, db):
    caller = Caller(client, PHONE)
    caller.dial()
    caller.send("6")  # Settings
    screen = caller.send("3")  # My details, where a birth or a loss is reported
    (number,) = re.findall(r"(\d+)\. We lost the baby", screen)
    assert "We are so sorry" in caller.send(number)
    assert caller.send("1").startswith("CON So sorry for your loss.")


def report_by_api(client, db):
    token = tokens.create(db, f"emr-{secrets.token_hex(4)}")
    answer = client.put(f"/api/contacts/{PHONE}", json={"stage": "loss"},
                        headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["stage"] == "loss" and body["loss_date"] == today().isoformat()
    shown = {a["kind"]: (a["status"], a["cancel_reason"]) for a in body["appointments"]
             if a["date"] >= today().isoformat()}
    assert shown == {**{k: ("cancelled", "loss") for k in BABY_VISITS},
                     **{k: ("booked", None) for k in HER_VISITS}}


def report_on_the_command_line(app, db):
    result = app.test_cli_runner().invoke(args=["contacts", "loss", "0712000451"])
    assert result.exit_code == 0, result.output
    assert "Loss recorded." in result.output
    assert "5 pregnancy or baby visit(s) stand cancelled" in result.output


DOORS = {"ussd": lambda app, client, db: report_on_ussd(client, db),
         "api": lambda app, client, db: report_by_api(client, db),
         "cli": lambda app, client, db: report_on_the_command_line(app, db)}


def sent_over_six_weeks(app, db, at):
    """Run the dispatch at 08:00, 10:00 and 14:00 for 45 days from today; the SMS texts sent."""
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))
    content, rules = content_service.current(app), Rules.from_config(app.config)
    for offset in range(45):
        for hour in (8, 10, 14):
            now = datetime.combine(day(offset), time(hour), TZ)
            dispatch.dispatch(db, content, gateway, now, rules, 500)
    return [r["message"] for r in at.requests]


@pytest.mark.parametrize("door", DOORS)
def test_after_a_loss_not_one_sms_about_the_pregnancy_or_baby(app, client, db, at, mother, door):
    DOORS[door](app, client, db)
    texts = sent_over_six_weeks(app, db, at)
    about_baby = [t for t in texts if ABOUT_BABY_OR_PREGNANCY.search(t)]
    assert about_baby == []
    missed = {t.split(" on ")[1][:10] for t in texts if t.startswith("We missed you")}
    assert missed == {day(n).strftime("%d-%m-%Y") for n in HER_VISITS.values()}  # hers only
    # Her own care goes on: the day-before and morning reminders of her three visits.
    assert sum(t.startswith("Reminder: your") for t in texts) == 3
    assert sum(t.startswith("Today is your") for t in texts) == 3
    assert any("check after birth" in t for t in texts)  # her own postnatal check
    assert any(t.startswith("We are so sorry for your loss.") for t in texts)  # the gentle set


@pytest.mark.parametrize("door", DOORS)
def test_a_loss_cancels_her_baby_visits_with_the_reason_and_keeps_hers(app, client, db, mother, door):
    DOORS[door](app, client, db)
    found = visits.parse(db.hgetall(visits.key(PHONE)))
    for visit in found.values():
        if visit["kind"] in HER_VISITS:
            assert visit["status"] == "booked" and "cancel_reason" not in visit
        else:
            assert (visit["status"], visit["cancel_reason"]) == ("cancelled", "loss")
    assert len(found) == 8  # cancelled, never deleted


@pytest.mark.parametrize("door", DOORS)
def test_one_loss_follow_up_however_often_it_is_reported(app, client, db, mother, door):
    DOORS[door](app, client, db)
    report_by_api(client, db)  # the clinic reports it too
    result = app.test_cli_runner().invoke(args=["contacts", "loss", PHONE])
    assert "already recorded" in result.output
    records = followups.hers(db, PHONE)
    losses = [r for r in records if r["reason"] == "loss"]
    assert len(losses) == 1 and losses[0]["status"] == "open"
    assert losses[0]["channel"] == {"ussd": "ussd", "api": "api", "cli": "staff"}[door]
    # The open follow-up for the missed baby visit is closed: nobody calls her about it.
    (missed,) = [r for r in records if r["reason"] == "missed_visit"]
    assert missed["status"] == "done" and missed["closed_by"] == "loss"
    assert db.zrange(followups.OPEN, 0, -1) == [losses[0]["id"]]
    assert db.hget(contacts.key(PHONE), "loss_date") == today().isoformat()


def test_two_reports_at_the_same_moment_make_one_follow_up(app, db, mother):
    import threading

    from bot.care import loss

    content, rules = content_service.current(app), Rules.from_config(app.config)
    now = datetime.now(TZ)
    made, start = [], threading.Barrier(6)

    def report():
        start.wait()
        made.append(loss.report(db, content, PHONE, now, rules, "api"))

    threads = [threading.Thread(target=report) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([f for f in made if f]) == 1
    reasons = [db.hget(followups.key(f), "reason") for f in db.smembers(followups.by_phone_key(PHONE))]
    assert reasons.count("loss") == 1


def test_staff_and_the_console_see_why_a_visit_was_cancelled(app, client, db, mother):
    report_on_the_command_line(app, db)
    shown = app.test_cli_runner().invoke(args=["contacts", "show", PHONE]).output
    assert f"{day(1).isoformat()}  immunisation cancelled (loss)" in shown
    assert f"{day(9).isoformat()}  art          booked" in shown
    assert "reported a loss" in shown and "+254712000451" not in shown
    sign_in(client, db, "staff")
    page = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN})
    html = page.get_data(as_text=True)
    assert html.count("cancelled: loss") == 5 and "reported a loss" in html


def test_after_a_loss_the_clinic_cannot_book_a_baby_visit_but_can_book_hers(client, db, mother):
    report_on_ussd(client, db)
    token = tokens.create(db, "emr-after")
    path, auth = f"/api/contacts/{PHONE}/appointments", {"Authorization": f"Bearer {token}"}
    refused = client.post(path, json={"date": day(5).isoformat(), "kind": "immunisation"}, headers=auth)
    assert refused.status_code == 409 and refused.get_json()["field"] == "kind"
    assert "reported a loss" in refused.get_json()["error"]
    hers = client.post(path, json={"date": day(5).isoformat(), "kind": "art"}, headers=auth)
    assert hers.status_code == 201


def test_an_imported_register_books_no_baby_visit_after_a_loss(app, db, mother, tmp_path):
    report_on_the_command_line(app, db)
    register = tmp_path / "register.csv"
    register.write_text(f"phone,date,kind\n0712000451,{day(30).isoformat()},immunisation\n"
                        f"0712000451,{day(30).isoformat()},art\n")
    result = app.test_cli_runner().invoke(args=["appointments", "import", str(register)])
    assert "Imported 1 new visit(s)" in result.output
    assert "line 2: she reported a loss" in result.output


def test_a_baby_visit_that_reached_her_records_anyway_is_never_reminded(app, db, at, mother):
    """The plan's own guard: a visit written straight to the store after the loss."""
    report_on_the_command_line(app, db)
    pipe = db.pipeline()
    visits.add(pipe, PHONE, day(4), "immunisation", clinic="Mathare")
    pipe.execute()
    texts = sent_over_six_weeks(app, db, at)
    assert [t for t in texts if ABOUT_BABY_OR_PREGNANCY.search(t)] == []
