"""Opt-outs that arrive from Africa's Talking: its opt-out callback and blacklisted numbers."""

import pytest

from bot import content_service, create_app, effects, jobs, store
from bot.engine import Effect
from bot.sms import outbound
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts

from .fake_at import API_KEY, USERNAME
from .redis_server import RedisServer
from .sms_helpers import run_worker, text
from .test_console_auth import sign_in
from .test_reminders_dispatch import enrol, run
from .ussd_caller import Caller

PHONE = "+254712000061"
SENDER = "MAMA-MTOTO"


@pytest.fixture
def gateway(at):
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


def opt_out(client, phone=PHONE, sender=SENDER, **query):
    return client.post("/sms/optout", query_string=query,
                       data={"senderId": sender, "phoneNumber": phone})


def report(client, message_id, status, reason=""):
    return client.post("/sms/delivery", data={"id": message_id, "status": status,
                                              "phoneNumber": PHONE, "failureReason": reason})


def test_after_an_at_optout_no_sms_goes_out_queued_ones_included(client, sms_app, db, gateway, at):
    enrol(db, PHONE, stage="pregnancy", due_date="2027-03-16")  # a weekly message on Tuesdays
    jobs.queue_sms([outbound.Outgoing(PHONE, "Thank you for your question.")],
                   store.enqueue_connection(sms_app), [0])
    answer = opt_out(client)
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "OK")
    run_worker(sms_app)
    assert run(db, gateway, "2026-11-24T10:00").sent == 0
    assert at.requests == []
    contact = db.hgetall(contacts.key(PHONE))
    assert (contact["opted_out"], contact["opted_out_source"], contact["opted_out_sender"]) == (
        "yes", "at_optout", SENDER)


@pytest.mark.parametrize("query", [{}, {"token": "wrong"}, {"token": ""}])
def test_an_optout_without_the_token_is_refused(client, app, db, query):
    app.config["WEBHOOK_TOKEN"] = "s3cret-token"
    answer = opt_out(client, **query)
    assert answer.status_code == 403
    assert db.hgetall(contacts.key(PHONE)) == {}
    assert opt_out(client, token="s3cret-token").status_code == 200
    assert db.hget(contacts.key(PHONE), "opted_out") == "yes"


@pytest.mark.parametrize("form", [
    {}, {"senderId": SENDER}, {"senderId": SENDER, "phoneNumber": ""},
    {"senderId": SENDER, "phoneNumber": "hello"}, {"senderId": SENDER, "phoneNumber": "12"},
    {"senderId": SENDER, "phoneNumber": "+2547" + "1" * 60},
    {"senderId": "\x00" * 500, "phoneNumber": "'; DROP TABLE contacts; --"},
])
def test_garbage_is_a_clear_400(client, db, form):
    answer = client.post("/sms/optout", data=form)
    assert answer.status_code == 400 and "phoneNumber" in answer.get_data(as_text=True)
    assert db.dbsize() == 0


def test_an_unknown_number_is_stopped_once_and_her_no_holds_when_she_joins(client, db, app):
    assert opt_out(client, phone="0712000061").status_code == 200  # written as dialled at home
    first = db.hgetall(contacts.key(PHONE))
    assert set(first) == {"opted_out", "opted_out_at", "opted_out_source", "opted_out_sender"}
    db.hset(contacts.key(PHONE), "opted_out_at", "1")  # so a second record would show
    assert opt_out(client, sender="OTHER").status_code == 200  # AT repeats itself
    assert db.hgetall(contacts.key(PHONE)) == {**first, "opted_out_at": "1"}
    from bot.api import tokens

    secret = tokens.create(db, "emr", scopes=["contacts:write"])
    body = client.put(f"/api/contacts/{PHONE}", headers={"Authorization": f"Bearer {secret}"},
                      json={"consent_sms": True, "stage": "pregnancy",
                            "due_date": _in_days(app, 100)}).get_json()
    assert body["opted_out"] is True and body["receives_sms"] is False
    assert body["opted_out_source"] == "at_optout"


def _in_days(app, days):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"])).date() + timedelta(days=days)).isoformat()


def test_her_own_stop_keeps_its_source_and_ussd_stays_open_to_her(client, sms_app, db, at):
    text(client, PHONE, "STOP")
    opt_out(client)
    contact = db.hgetall(contacts.key(PHONE))
    assert contact["opted_out_source"] == "sms" and "opted_out_sender" not in contact
    caller = Caller(client, PHONE)
    assert caller.dial().startswith("CON ")  # no language question: her STOP was in English
    settings = [caller.send(answer) for answer in ("2", "6")][-1]
    assert "Start SMS again" in settings and "Stop all SMS" not in settings
    text(client, PHONE, "START")
    contact = db.hgetall(contacts.key(PHONE))
    assert contact["opted_out"] == "no" and "opted_out_source" not in contact


def test_a_stop_on_ussd_is_recorded_as_from_ussd(client, db):
    caller = Caller(client, PHONE)
    caller.dial()
    for answer in ("1", "2", "6", "4", "1"):
        screen = caller.send(answer)
    assert screen.startswith("CON You will get no more SMS.")
    contact = db.hgetall(contacts.key(PHONE))
    assert (contact["opted_out"], contact["opted_out_source"]) == ("yes", "ussd")
    assert contact["opted_out_at"]


def test_a_delivery_report_saying_blacklisted_stops_her(client, sms_app, db, gateway, at):
    enrol(db, PHONE, stage="pregnancy", due_date="2027-03-16")
    (sent,) = outbound.send(db, gateway, [outbound.Outgoing(PHONE, "Clinic tomorrow", "reminder")])
    assert report(client, sent.message_id, "Failed", "UserInBlackList").status_code == 200
    contact = db.hgetall(contacts.key(PHONE))
    assert (contact.get("opted_out"), contact.get("opted_out_source")) == ("yes", "blacklist")
    assert run(db, gateway, "2026-11-24T10:00").sent == 0 and len(at.requests) == 1


def test_a_send_refused_as_blacklisted_stops_her(db, gateway, at):
    enrol(db, PHONE, stage="pregnancy", due_date="2027-03-16")
    at.failing[PHONE] = (406, "UserInBlacklist")
    run(db, gateway, "2026-11-24T10:00")
    assert db.hget(contacts.key(PHONE), "opted_out_source") == "blacklist"
    del at.failing[PHONE]
    outcomes = outbound.send(db, gateway, [outbound.Outgoing(PHONE, "Hello", "staff")])
    assert [o.status for o in outcomes] == ["OptedOut"] and len(at.requests) == 1


def test_staff_see_where_her_stop_came_from(client, runner, db, app):
    db.hset(contacts.key(PHONE), mapping={"enrolled": "yes", "language": "en"})
    opt_out(client)
    shown = runner.invoke(args=["contacts", "show", PHONE]).output
    assert "stopped by: she opted out of the sender ID through Africa's Talking (sender ID " \
           f"{SENDER})" in shown
    token = sign_in(client, db)
    page = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": token})
    assert "<dt>Stopped by</dt><dd>she opted out of the sender ID through Africa&#39;s Talking " \
           f"(sender ID {SENDER})</dd>" in page.get_data(as_text=True)


def test_a_stop_from_a_flow_forgets_its_source_when_she_starts_again(app, db):
    content = content_service.current(app)
    with app.app_context():
        effects.apply(db, content, app.config, PHONE, [Effect("set_field", "opted_out", "yes")], "ussd")
        assert db.hget(contacts.key(PHONE), "opted_out_source") == "ussd"
        effects.apply(db, content, app.config, PHONE, [Effect("set_field", "opted_out", "no")], "sms")
    assert db.hget(contacts.key(PHONE), "opted_out_source") is None


def test_an_optout_that_arrives_while_redis_is_down_is_kept_and_then_recorded(tmp_path):
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    app = create_app({"TESTING": True, "REDIS_URL": server.url})
    app.instance_path = str(tmp_path / "instance")
    client, db = app.test_client(), store.redis(app)
    try:
        server.stop()
        assert opt_out(client).status_code == 200
        assert (tmp_path / "instance" / "spool" / "callbacks.jsonl").exists()
        server.start()
        assert opt_out(client, phone="+254712000062").status_code == 200  # Redis is back
        assert db.hget(contacts.key(PHONE), "opted_out_source") == "at_optout"
        assert not list((tmp_path / "instance" / "spool").glob("*.jsonl"))
    finally:
        db.close()
        server.stop()
