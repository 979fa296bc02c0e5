"""The console's phone simulator: the bot runs on the server, for test numbers only, and a test
number's traffic makes no real follow-up and counts in no figure.

Through the console, the real webhooks, Redis, the RQ worker and the fake Africa's Talking server.
"""

import json
import re

import pytest

from bot import config as settings
from bot.api import tokens
from bot.console import simulator_audit
from bot.errors import InvalidSetting
from bot.sms import incoming
from bot.sms import log as sms_log
from bot.store import followups, ussd_sessions

from .sms_helpers import run_worker
from .test_console_auth import TOKEN, sign_in

WEBHOOK_TOKEN = "webhook-secret-6f1d2c"
TEST_PHONE = "+254700000021"
MOTHER = "+254722334455"
QUESTION = "Can I give my baby water in the first months?"
DANGER = "My baby has a fever since yesterday and is not breastfeeding, what should I do?"
ON_DUTY = ("+254722000901",)


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test; AT callbacks need the webhook token."""
    clean_module_app.config["WEBHOOK_TOKEN"] = WEBHOOK_TOKEN
    return clean_module_app


def post(client, what, **fields):
    return client.post(f"/console/simulator/{what}", json=fields, headers={"X-CSRF-Token": TOKEN})


def test_no_page_or_script_holds_the_webhook_token(client, db):
    sign_in(client, db)
    assert client.get("/console/simulator/token").status_code == 404
    page = client.get("/console/simulator").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert any(src.endswith("simulator.js") for src in scripts)
    for text_served in [page] + [_served(client, src) for src in scripts]:
        assert WEBHOOK_TOKEN not in text_served
        assert "simulator/token" not in text_served and "?token=" not in text_served


def _served(client, path):
    with client.get(path) as answer:  # a static file: closed after reading
        return answer.get_data(as_text=True)


def test_a_ussd_session_for_a_test_number_runs_on_the_server(client, db):
    sign_in(client, db, "staff", name="amina")
    first = post(client, "ussd", phone="0700000021", session="a1", text="")
    assert first.status_code == 200
    assert first.get_json()["screen"].startswith("CON ") and "Kiswahili" in first.get_json()["screen"]
    second = post(client, "ussd", phone=TEST_PHONE, session="a1", text="2").get_json()["screen"]
    assert second.startswith("CON ") and second != first.get_json()["screen"]
    assert db.exists(ussd_sessions.key(TEST_PHONE))
    entries = simulator_audit.latest(db)
    assert [(e["user"], e["channel"], e["phone"]) for e in entries] == \
        [("amina", "ussd", "*********021")] * 2


@pytest.mark.parametrize("number", [MOTHER, "0722334455", "+254700000121"])
def test_a_number_that_is_not_a_test_number_is_refused(client, db, number):
    sign_in(client, db)
    for what, fields in (("ussd", {"session": "b1", "text": ""}), ("sms", {"text": QUESTION}),
                         ("outbox", {})):
        answer = post(client, what, phone=number, **fields)
        assert answer.status_code == 403
        assert "not a test number" in answer.get_json()["error"]
        assert "+2547000000" in answer.get_json()["error"]
    assert db.keys("ussd:*") == [] and db.keys("sms:*") == [] and db.zcard(followups.OPEN) == 0
    assert simulator_audit.latest(db) == []


def test_without_test_numbers_the_simulator_says_what_to_set(client, db, app):
    app.config["TEST_PHONE_PREFIXES"] = ()
    sign_in(client, db)
    answer = post(client, "ussd", phone=TEST_PHONE, session="c1", text="")
    assert answer.status_code == 403 and "TEST_PHONE_PREFIXES" in answer.get_json()["error"]
    assert "No test numbers are set" in client.get("/console/simulator").get_data(as_text=True)


def _visible_followups(app, client, db):
    """Every follow-up id the console, the API and `followups list` show, and the console's count."""
    page = client.get("/console/followups").get_data(as_text=True)
    api_token = tokens.create(db, "emr-simulator-test")
    listed = client.get("/api/followups", headers={"Authorization": f"Bearer {api_token}"})
    cli = app.test_cli_runner().invoke(args=["followups", "list"]).output
    ids = set(re.findall(r'id="f-([0-9a-f]{12})"', page))
    ids |= {item["id"] for item in listed.get_json()["followups"]}
    ids |= set(re.findall(r"^([0-9a-f]{12}) ", cli, re.MULTILINE))
    return ids, cli


def test_a_question_from_a_test_number_is_no_followup_anyone_sees_nor_a_figure(client, db, sms_app,
                                                                                at):
    sign_in(client, db)
    assert post(client, "sms", phone=TEST_PHONE, text=QUESTION).get_json() == {"status": "received"}
    run_worker(sms_app)  # the reply goes out through the fake AT, as to a real test phone
    (sent,) = [r for r in at.requests if TEST_PHONE in r["to"]]
    (kept,) = db.zrange(followups.TESTS, 0, -1)
    assert db.hget(followups.key(kept), "test") == "yes"
    assert db.hget(followups.key(kept), "message") == QUESTION
    ids, cli = _visible_followups(sms_app, client, db)
    assert ids == set() and "No open follow-ups." in cli
    assert db.zcard(followups.OPEN) == 0
    (message_id,) = db.lrange(sms_log.contact_key(TEST_PHONE), 0, -1)
    delivered = client.post(f"/sms/delivery?token={WEBHOOK_TOKEN}",
                            data={"id": message_id, "status": "Success", "phoneNumber": TEST_PHONE})
    assert delivered.status_code == 200
    assert db.hget(sms_log.message_key(message_id), "status") == "Success"
    assert db.keys("sms:daily:*") == [] and db.hgetall(incoming.INBOUND) == {}
    assert all(counts == {} for _, counts in sms_log.totals(db, 14))  # the Messages page's figures


def test_a_danger_sign_from_a_test_number_alerts_no_mentor_mother(client, db, sms_app, at):
    sms_app.config["URGENT_ALERT_PHONES"] = ON_DUTY
    sign_in(client, db)
    post(client, "sms", phone=TEST_PHONE, text=DANGER)
    run_worker(sms_app)
    (answer,) = [r["message"] for r in at.requests if TEST_PHONE in r["to"]]
    assert "hospital" in answer  # she is answered as a mother would be
    assert not [r for r in at.requests if ON_DUTY[0] in r["to"]]
    (kept,) = db.zrange(followups.TESTS, 0, -1)
    assert db.hget(followups.key(kept), "priority") == "urgent"
    assert _visible_followups(sms_app, client, db)[0] == set()
    assert db.keys("sms:daily:*") == []


def test_the_same_rule_holds_for_a_test_sim_through_the_webhooks(client, db):
    """A test SIM texting or dialling through AT is a test too; a mother is not."""
    for phone in (TEST_PHONE, MOTHER):
        answer = client.post(f"/sms/incoming?token={WEBHOOK_TOKEN}", data={
            "from": phone, "to": "22384", "text": QUESTION, "id": f"in-{phone}", "linkId": "",
            "date": "2026-11-21 10:00:00", "networkCode": "63902"})
        assert answer.status_code == 200
    (mother,) = followups.open_list(db, 10)
    assert mother["phone"] == MOTHER and "test" not in mother
    (tried,) = db.zrange(followups.TESTS, 0, -1)
    assert db.hgetall(incoming.INBOUND) == {"other": "1"}  # the mother's text only
    for phone in (TEST_PHONE, MOTHER):
        client.post(f"/ussd/events?token={WEBHOOK_TOKEN}", data={
            "sessionId": f"s-{phone}", "phoneNumber": phone, "status": "Success"})
    assert [db.hgetall(name) for name in db.keys("ussd:stats:*")] == [{"Success": "1"}]
    assert followups.close(db, tried, "tried the menus", by="amina")
    assert db.zcard(followups.TESTS) == 0


@pytest.mark.parametrize("written, environment, wanted", [
    ("", "development", ("+2547000000",)),
    ("", "production", ()),
    ("0700 000 111, +254711000", "production", ("+254700000111", "+254711000")),
    ("254700000222", "production", ("+254700000222",)),
])
def test_the_test_numbers_setting_is_read_as_number_starts(written, environment, wanted):
    assert settings.test_numbers.read(written, "KE", environment) == wanted


@pytest.mark.parametrize("written", ["abc", "+25", "07x0"])
def test_a_test_number_setting_that_is_no_number_stops_the_bot(written):
    with pytest.raises(InvalidSetting, match="TEST_PHONE_PREFIXES"):
        settings.test_numbers.read(written, "KE", "production")


def test_the_audit_keeps_no_words_and_no_full_number(client, db):
    sign_in(client, db, "staff", name="juma")
    post(client, "sms", phone=TEST_PHONE, text=QUESTION)
    stored = json.dumps(simulator_audit.latest(db))
    assert "juma" in stored and QUESTION not in stored and TEST_PHONE not in stored


def test_her_contact_page_says_test_number_and_forget_me_clears_its_followups(client, db, app):
    from bot.store import forget

    sign_in(client, db, "editor")
    post(client, "sms", phone=TEST_PHONE, text=QUESTION)
    page = client.post("/console/contacts", data={"phone": TEST_PHONE, "csrf_token": TOKEN})
    assert "Test number" in page.get_data(as_text=True)
    assert db.zcard(followups.TESTS) == 1
    forget.forget(db, TEST_PHONE)
    assert db.zcard(followups.TESTS) == 0 and db.keys("followup:*") == []


def test_a_prefix_written_by_hand_after_start_is_still_read_as_whole_number_starts():
    by_hand = {"TEST_PHONE_PREFIXES": "+254700000, 0711"}
    assert settings.test_numbers.is_test("+254700000123", by_hand)
    assert not settings.test_numbers.is_test(MOTHER, by_hand)  # never '+' alone, as letters would
    assert not settings.test_numbers.is_test(TEST_PHONE, {})  # a config without the setting
