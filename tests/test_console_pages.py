"""The console's pages: follow-ups, contacts, messages, flows and the simulator's endpoints."""

import html
import json
import logging
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import content_service
from bot.console import followups_view, upcoming
from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.sms import log
from bot.sms.gateway import OUTBOX
from bot.store import contacts, followups, visits

from .test_console_auth import TOKEN, sign_in

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app
PHONE = "+254722334455"


def add_followup(db, reason="callback", phone=PHONE, **fields):
    pipe = db.pipeline()
    found = followups.add(pipe, phone, reason, fields.get("topic", "pmtct"), "ussd",
                          fields.get("message", ""), fields.get("priority", "normal"))
    pipe.execute()
    return found


def enrol(db, app, phone=PHONE, visit_in_days=3):
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "consent_sms": "yes", "language": "sw",
                                          "stage": "pregnancy", "clinic": "Mathare North"})
    now = datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"]))
    pipe = db.pipeline()
    visits.add(pipe, phone, now.date() + timedelta(days=visit_in_days), "anc", clinic="Mathare")
    pipe.execute()
    with app.app_context():
        dispatch.reschedule(db, content_service.current(), phone, now, Rules.from_config(app.config))
    return now.date()


def test_followups_are_grouped_and_numbers_masked_for_staff(client, db):
    sign_in(client, db, "staff")
    add_followup(db, "callback", topic="pmtct")
    add_followup(db, "sms_question", phone="+254712000222", message="Can I breastfeed?")
    add_followup(db, "missed_visit", topic="anc", message="2026-11-18")
    page = client.get("/console/followups").get_data(as_text=True)
    for words in ("Asked for a call", "Sent a question", "Missed a visit", "Can I breastfeed?",
                  "anc visit on 2026-11-18", "*********455", "3 open."):
        assert words in page
    assert PHONE not in page and "722334455" not in page


def test_urgent_followups_come_first_with_a_badge_and_how_long_she_has_waited(client, db):
    sign_in(client, db, "staff")
    older = add_followup(db, "callback")
    urgent = add_followup(db, "danger_sign", phone="+254712000333", topic="newborn",
                          message="Mtoto hanyonyi", priority="urgent")
    db.hset(followups.key(urgent), "created_at", str(int(time.time()) - 12 * 60 - 5))
    page = client.get("/console/followups").get_data(as_text=True)
    listed = page[page.index("</form>", page.index('class="card search filters"')):]
    assert listed.index("Urgent: call her now") < listed.index("Asked for a call")
    assert page.index(f'id="f-{urgent}"') < page.index(f'id="f-{older}"')
    urgent_row = page[page.index(f'id="f-{urgent}"'):page.index("</li>", page.index(f'id="f-{urgent}"'))]
    for words in ('class="badge urgent">Urgent<', "waited 12 min", "newborn", "Mtoto hanyonyi"):
        assert words in urgent_row
    her_card = page[page.index(f'id="m-{urgent}"'):page.index("</article>", page.index(f'id="m-{urgent}"'))]
    assert "*********333" in her_card
    followups.close(db, urgent, "Called; she is at the hospital")
    assert "Urgent: call her now" not in client.get("/console/followups").get_data(as_text=True)


@pytest.mark.parametrize("seconds, said", [
    (59, "waited 0 min"), (12 * 60, "waited 12 min"), (3 * 3600 + 59, "waited 3 h"),
    (47 * 3600, "waited 47 h"), (5 * 86400, "waited 5 days"),
])
def test_how_long_she_has_waited_is_said_as_a_person_would(seconds, said):
    assert followups_view.waited("1800000000", now=1800000000 + seconds) == said


def test_editors_see_full_numbers(client, db):
    sign_in(client, db, "editor")
    add_followup(db)
    assert PHONE in client.get("/console/followups").get_data(as_text=True)


def test_a_followup_is_marked_done_with_a_note(client, db, caplog):
    sign_in(client, db)
    found = add_followup(db)
    caplog.set_level(logging.INFO)
    answer = client.post(f"/console/followups/{found}/close", follow_redirects=True,
                         data={"note": "Called, booked a visit", "csrf_token": TOKEN})
    assert "Marked done." in answer.get_data(as_text=True)
    record = followups.find(db, found)
    assert record["status"] == "done" and record["note"] == "Called, booked a visit"
    assert record["closed_by"] == "staff"
    assert db.zscore(followups.OPEN, found) is None
    again = client.post(f"/console/followups/{found}/close", data={"csrf_token": TOKEN},
                        follow_redirects=True)
    assert "no longer open" in again.get_data(as_text=True)
    assert "Called, booked" not in caplog.text and "722334455" not in caplog.text


def test_staff_get_the_number_to_call_and_the_console_notes_who_asked(client, db, caplog):
    sign_in(client, db, "staff", name="amina")
    found = add_followup(db)
    other = add_followup(db, phone="+254712000222")
    caplog.set_level(logging.INFO)
    page = client.post(f"/console/followups/{found}/number", data={"csrf_token": TOKEN})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'href="tel:{PHONE}"' in text  # one tap to call on a phone
    assert "712000222" not in text and "*********222" in text  # only the one asked for
    assert "Number shown to amina (" in text
    assert db.hget(followups.key(found), "shown_to:amina")
    assert db.hget(followups.key(other), "shown_to:amina") is None
    assert "722334455" not in caplog.text and "amina was shown the number" in caplog.text
    # The list opened again masks it, and still says who was given it.
    again = client.get("/console/followups").get_data(as_text=True)
    assert PHONE not in again and "Number shown to amina" in again


def test_no_number_to_call_for_a_closed_or_unknown_followup_or_without_the_form_token(client, db):
    sign_in(client, db, "staff")
    found = add_followup(db)
    refused = client.post(f"/console/followups/{found}/number")
    assert refused.status_code == 400 and PHONE not in refused.get_data(as_text=True)
    followups.close(db, found, "called")
    for followup_id in (found, "nosuchid", "x" * 60):
        page = client.post(f"/console/followups/{followup_id}/number", data={"csrf_token": TOKEN},
                           follow_redirects=True)
        text = page.get_data(as_text=True)
        assert "no longer open" in text and PHONE not in text


@pytest.mark.parametrize("typed, said", [
    ("12345678901234", "That is not a phone number."),
    ("hello", "No mother found by clinic names with \"hello\"."),
    ("He", "Write at least 3 letters of her clinic's name."),
    ("0799000111", "No mother is enrolled or known with this number."),
])
def test_contact_search_says_plainly_what_is_wrong(client, db, typed, said):
    sign_in(client, db)
    page = client.post("/console/contacts", data={"phone": typed, "csrf_token": TOKEN})
    assert said in html.unescape(page.get_data(as_text=True))


def test_a_contact_shows_her_details_visits_and_sms_masked_for_staff(client, db, app, caplog):
    sign_in(client, db, "staff")
    enrol(db, app)
    db.hset(log.message_key("m1"), mapping={"phone": PHONE, "kind": "reply", "status": "Success",
                                            "cost": "KES 0.8000", "sent_at": "1790000000",
                                            "text": "Asante kwa ujumbe wako."})
    db.lpush(log.contact_key(PHONE), "m1")
    caplog.set_level(logging.INFO)
    page = client.post("/console/contacts", data={"phone": "0722 334 455", "csrf_token": TOKEN})
    text = page.get_data(as_text=True)
    for words in ("Mathare North", "Agreed to SMS", "anc", "booked", "Asante kwa ujumbe wako.",
                  "KES 0.8000", "*********455"):
        assert words in text
    assert "722334455" not in text
    assert "722334455" not in caplog.text and "Asante" not in caplog.text


def test_a_clinic_name_kept_out_of_her_sms_is_explained_to_staff(client, db, app):
    sign_in(client, db, "staff")
    enrol(db, app)
    db.hset(contacts.key(PHONE), "clinic", "Mathare PMTCT Clinic")  # as she typed it on USSD
    text = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN}).get_data(
        as_text=True)
    assert "Clinic in SMS" in text and "contains PMTCT" in text and "your clinic" in text


def test_her_urgent_followup_shows_as_urgent_on_her_contact_page(client, db, app):
    sign_in(client, db, "staff")
    enrol(db, app)
    add_followup(db, "danger_sign", topic="after_birth", priority="urgent")
    page = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN})
    assert ('<span class="badge urgent">Urgent</span>' in page.get_data(as_text=True)
            and "wrote of a danger sign (after birth)" in page.get_data(as_text=True))


def test_a_followup_opens_its_contact_and_editors_see_the_number(client, db, app):
    sign_in(client, db, "editor")
    enrol(db, app)
    found = add_followup(db)
    text = client.get(f"/console/contacts?followup={found}").get_data(as_text=True)
    assert PHONE in text and "Mathare North" in text


def test_messages_show_daily_counts_a_chart_and_reminders_coming(client, db, app):
    sign_in(client, db)
    today = datetime.now(UTC).date()
    db.hset(log.day_key(today), mapping={"sent": 40, "delivered": 35, "cost_milli": 32000,
                                         "undelivered:AbsentSubscriber": 3, "skipped:late": 2})
    enrol(db, app)
    page = client.get("/console/messages?days=7").get_data(as_text=True)
    for words in ("<svg", "40</b> sent", "35</b> delivered", "32.00</b> KES",
                  "AbsentSubscriber (undelivered): 3", "late (skipped): 2", "Visit tomorrow",
                  "Visit today"):
        assert words in page, words


def test_reminders_coming_are_counted_on_the_day_they_fall_due(db, app):
    today = enrol(db, app, visit_in_days=3)
    with app.app_context():
        rows, kinds, capped = upcoming.forecast(db, content_service.current(), app.config)
    by_day = {day: dict(counts) for day, counts in rows}
    assert by_day[today + timedelta(days=2)] == {"visit_day_before": 1}
    assert by_day[today + timedelta(days=3)] == {"visit_morning": 1}
    assert kinds[:2] == ["visit_day_before", "visit_morning"] and not capped


def test_flows_page_lists_every_flow_and_draws_its_menu(client, db):
    sign_in(client, db)
    page = client.get("/console/flows").get_data(as_text=True)
    assert "All good:" in page and 'href="/console/flows/pmtct"' in page
    tree = client.get("/console/flows/pmtct").get_data(as_text=True)
    for words in ("Protect baby from HIV", "1. HIV test in pregnancy", 'id="s-test_when"'):
        assert words in tree
    assert client.get("/console/flows/nothing").status_code == 404


def test_flows_page_shows_the_checkers_problems_in_plain_words(client, db, app, tmp_path):
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    main = tmp_path / "flows" / "main.yaml"
    main.write_text(main.read_text().replace("flow: appointments}", "flow: appointmentss}"))
    app.config.update(FLOWS_DIR=str(tmp_path / "flows"))
    sign_in(client, db)
    page = client.get("/console/flows").get_data(as_text=True)
    assert "Not published: the files in flows/ and locales/ have 1 problem(s)" in page
    assert "It leads to the flow &#39;appointmentss&#39; (option 5), which does not exist." in page


def test_the_simulator_reads_back_the_sms_of_its_test_number_only(client, db, app):
    sign_in(client, db)
    page = client.get("/console/simulator").get_data(as_text=True)
    assert 'data-ussd-url="/console/simulator/ussd"' in page and 'value="+254700000001"' in page
    for n, to in enumerate(["+254700000011", "+254700000012", "+254700000011", PHONE]):
        db.lpush(OUTBOX, json.dumps({"id": f"c{n}", "to": to, "text": f"reply {n}"}))
    answer = client.post("/console/simulator/outbox", json={"phone": "0700000011"},
                         headers={"X-CSRF-Token": TOKEN}).get_json()
    assert answer == {"gateway": "console", "messages": [{"id": "c0", "text": "reply 0"},
                                                         {"id": "c2", "text": "reply 2"}]}
    refused = client.post("/console/simulator/outbox", json={"phone": "0722334455"},
                          headers={"X-CSRF-Token": TOKEN})
    assert refused.status_code == 403 and "reply 3" not in refused.get_data(as_text=True)


def test_a_database_that_does_not_answer_gives_a_plain_page(client, db, monkeypatch):
    sign_in(client, db)
    import redis

    def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("gone")

    monkeypatch.setattr("bot.store.followups.open_list", down)
    answer = client.get("/console/followups")
    assert answer.status_code == 503
    assert "The database is not answering." in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)


def test_the_day_rows_keep_failure_reasons_apart_from_skipped(db):
    from bot.console.messages_view import day_row

    row = day_row(date(2026, 11, 20), {"sent": "5", "failed:InvalidPhoneNumber": "1",
                                       "undelivered:Rejected": "2", "skipped:opted_out": "4"})
    assert (row["sent"], row["failed"], row["skipped"]) == (5, 3, 4)
