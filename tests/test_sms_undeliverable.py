"""Failed deliveries in a row: SMS to her pause and one follow-up asks to check her number."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service, jobs, store
from bot.optout import undeliverable
from bot.reminders import dispatch, due_list
from bot.sms import outbound
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, followups

from .fake_at import API_KEY, USERNAME
from .sms_helpers import run_worker, text
from .test_console_auth import TOKEN, sign_in
from .test_reminders_dispatch import CONTENT, RULES, enrol, moment, run

PHONE = "+254712000071"


@pytest.fixture
def gateway(at):
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


@pytest.fixture
def mother(db):
    enrol(db, PHONE, stage="pregnancy", due_date="2027-03-16")  # a weekly message on Tuesdays
    return PHONE


def deliveries(client, db, gateway, outcomes):
    """Send one SMS for each (status, failureReason) and have AT report it so."""
    for n, (status, reason) in enumerate(outcomes):
        (sent,) = outbound.send(db, gateway, [outbound.Outgoing(PHONE, f"Tip number {n}", "stage")])
        assert sent.sent, sent.status  # a failure is what AT reports later, not at sending
        answer = client.post("/sms/delivery", data={"id": sent.message_id, "status": status,
                                                    "phoneNumber": PHONE, "failureReason": reason})
        assert answer.status_code == 200


def weekly_message_goes(db, gateway):
    """Her Tuesday message goes out (she is filed again at a fixed moment, not today's)."""
    dispatch.reschedule(db, CONTENT, PHONE, moment("2026-11-24T09:00"), RULES)
    return run(db, gateway, "2026-11-24T10:00").sent == 1


def open_followups(db):
    return [db.hgetall(followups.key(f)) for f in db.zrange(followups.OPEN, 0, -1)]


@pytest.mark.parametrize("status, reason", [
    ("Failed", "UserIsInactive"), ("Failed", "DeliveryFailure"), ("Rejected", "AbsentSubscriber"),
    ("Failed", "UserDoesNotExist"), ("Expired", ""),
])
def test_five_failures_in_a_row_pause_her_sms_and_make_one_followup(client, db, gateway, at,
                                                                    mother, status, reason):
    deliveries(client, db, gateway, [(status, reason)] * 5)
    (followup,) = open_followups(db)
    assert (followup["phone"], followup["reason"], followup["topic"]) == (
        PHONE, "undeliverable", reason or status)
    assert db.hget(contacts.key(PHONE), "sms_paused") == "undeliverable"
    sent_before = len(at.requests)
    assert run(db, gateway, "2026-11-24T10:00").sent == 0
    refused = outbound.send(db, gateway, [outbound.Outgoing(PHONE, "Staff test", "staff")])
    assert [o.status for o in refused] == ["Paused"] and len(at.requests) == sent_before
    assert db.hget(contacts.key(PHONE), "opted_out") is None  # not her own stop


def test_late_reports_after_the_pause_make_no_second_followup(client, db, gateway, mother):
    sent = []
    for n in range(7):  # all sent before AT reports any of them
        (outcome,) = outbound.send(db, gateway, [outbound.Outgoing(PHONE, f"Tip {n}", "stage")])
        sent.append(outcome.message_id)
    for message_id in sent + sent:  # and AT repeats its reports
        client.post("/sms/delivery", data={"id": message_id, "status": "Failed",
                                           "failureReason": "DeliveryFailure"})
    assert len(open_followups(db)) == 1


def test_four_failures_a_success_and_four_more_change_nothing(client, db, gateway, mother):
    failed = ("Failed", "UserIsInactive")
    deliveries(client, db, gateway, [failed] * 4 + [("Success", "")] + [failed] * 4)
    assert open_followups(db) == [] and db.hget(contacts.key(PHONE), "sms_paused") is None
    deliveries(client, db, gateway, [failed])  # the fifth since the success
    assert len(open_followups(db)) == 1


@pytest.mark.parametrize("reason", ["InsufficientCredit", "InvalidLinkId",
                                   "UserNotSubscribedToProduct", ""])
def test_failures_that_are_not_about_her_phone_do_not_count(client, db, gateway, mother, reason):
    failed = ("Failed", "UserIsInactive")
    deliveries(client, db, gateway, [failed] * 4 + [("Failed", reason)] * 6)
    assert open_followups(db) == [] and db.hget(contacts.key(PHONE), "sms_paused") is None
    deliveries(client, db, gateway, [failed])  # nor do they clear her count: this is her fifth
    assert len(open_followups(db)) == 1


def test_a_repeated_report_counts_once(client, db, gateway, mother):
    (sent,) = outbound.send(db, gateway, [outbound.Outgoing(PHONE, "Tip", "stage")])
    for _ in range(6):
        client.post("/sms/delivery", data={"id": sent.message_id, "status": "Failed",
                                           "failureReason": "DeliveryFailure"})
    assert open_followups(db) == [] and db.get(undeliverable.count_key(PHONE)) == "1"


def test_reports_arriving_at_once_make_one_followup(db, mother):
    start = threading.Barrier(10)

    def report():
        start.wait(5)
        undeliverable.note_failure(db, PHONE, "Failed", "DeliveryFailure", 5)

    reporters = [threading.Thread(target=report) for _ in range(10)]
    for reporter in reporters:
        reporter.start()
    for reporter in reporters:
        reporter.join(10)
    assert len(open_followups(db)) == 1 and db.get(undeliverable.count_key(PHONE)) == "10"


def test_a_number_that_is_no_contact_is_counted_but_not_paused(client, db, gateway):
    deliveries(client, db, gateway, [("Failed", "UserIsInactive")] * 5)
    assert open_followups(db) == [] and db.hgetall(contacts.key(PHONE)) == {}
    assert db.get(undeliverable.count_key(PHONE)) == "5"  # counted all the same


def test_her_text_lifts_the_pause_and_her_replies_and_reminders_go_again(
        client, sms_app, db, gateway, at, mother):
    deliveries(client, db, gateway, [("Failed", "UserIsInactive")] * 5)
    jobs.queue_sms([outbound.Outgoing(PHONE, "Thank you for your question.")],
                   store.enqueue_connection(sms_app), [0])
    run_worker(sms_app)  # queued while paused: not sent
    assert not [r for r in at.requests if r["message"].startswith("Thank you")]
    sent_before = len(at.requests)
    text(client, PHONE, "help")
    run_worker(sms_app)
    assert len(at.requests) == sent_before + 1 and at.requests[-1]["message"].startswith("Mama na")
    assert db.hget(contacts.key(PHONE), "sms_paused") is None
    assert db.get(undeliverable.count_key(PHONE)) is None
    assert weekly_message_goes(db, gateway)


def test_staff_lift_the_pause_on_the_command_line(client, runner, db, gateway, mother):
    deliveries(client, db, gateway, [("Failed", "DeliveryFailure")] * 5)
    shown = runner.invoke(args=["contacts", "show", PHONE]).output
    assert "sms paused: her last SMS were not delivered" in shown
    assert "SMS not delivered" in shown  # her open follow-up
    answer = runner.invoke(args=["contacts", "resume-sms", PHONE])
    assert answer.exit_code == 0 and "SMS to *********071 will go again" in answer.output
    assert db.hget(contacts.key(PHONE), "sms_paused") is None
    assert weekly_message_goes(db, gateway)
    again = runner.invoke(args=["contacts", "resume-sms", PHONE])
    assert "were not paused; nothing was changed" in again.output


def test_staff_send_sms_again_from_her_followup_in_the_console(client, db, gateway, mother):
    deliveries(client, db, gateway, [("Failed", "UserAccountSuspended")] * 5)
    sign_in(client, db)
    page = client.get("/console/followups").get_data(as_text=True)
    assert "SMS not delivered" in page and "UserAccountSuspended" in page
    contact_page = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN})
    assert "<dt>SMS paused</dt>" in contact_page.get_data(as_text=True)
    (followup_id,) = db.zrange(followups.OPEN, 0, -1)
    done = client.post(f"/console/followups/{followup_id}/resume-sms", data={"csrf_token": TOKEN},
                       follow_redirects=True)
    assert "SMS to her will go again." in done.get_data(as_text=True)
    assert db.hget(contacts.key(PHONE), "sms_paused") is None
    assert followups.find(db, followup_id)["status"] == "done"
    assert weekly_message_goes(db, gateway)


def test_the_api_says_her_sms_are_paused(client, db, gateway, mother):
    from bot.api import tokens

    deliveries(client, db, gateway, [("Failed", "UserIsInactive")] * 5)
    secret = tokens.create(db, "emr", scopes=["contacts:read", "followups:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    body = client.get(f"/api/contacts/{PHONE}", headers=headers).get_json()
    assert (body["sms_paused"], body["receives_sms"], body["opted_out"]) == (
        "undeliverable", False, False)
    listed = client.get("/api/followups?reason=undeliverable", headers=headers).get_json()
    assert [f["phone"] for f in listed["followups"]] == [PHONE]


def test_forget_me_takes_her_count_too(client, db, gateway, mother):
    from bot.store import forget

    deliveries(client, db, gateway, [("Failed", "UserIsInactive")] * 2)
    assert db.get(undeliverable.count_key(PHONE)) == "2"
    forget.forget(db, PHONE)
    assert db.get(undeliverable.count_key(PHONE)) is None


def test_lifting_the_pause_files_her_next_reminder_again(app, db):
    today = dispatch_today(app)
    db.hset(contacts.key(PHONE), mapping={
        "enrolled": "yes", "consent_sms": "yes", "language": "en", "stage": "pregnancy",
        "due_date": (today + timedelta(days=150)).isoformat(), "sms_paused": "undeliverable"})
    due_list.file(db, {PHONE: None})  # as a dispatch leaves her while paused
    with app.app_context():
        assert undeliverable.resume(db, content_service.current(), app.config, PHONE)
    assert due_list.next_at(db, PHONE) is not None  # her weekly message, whatever the day


def dispatch_today(app):
    return datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"])).date()
