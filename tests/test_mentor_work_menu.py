"""A Mentor Mother's work on her own phone, beyond what the transcripts show: the mother she
registers gets only the request to confirm until her YES or NDIYO (checked against the real
dispatch and the fake AT), STOP removes her; the console shows what Mentor Mothers did;
"forget me" deletes it."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service, mentors
from bot.mentors import outcomes
from bot.reminders import dispatch
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, followups, forget, mentor_actions

from .fake_at import API_KEY, USERNAME
from .sending_helpers import RULES
from .sms_helpers import run_worker, text
from .test_console_auth import TOKEN, sign_in
from .ussd_caller import Caller

MENTOR = "+254712300500"
MOTHER = "+254712300601"
ZONE = ZoneInfo("Africa/Nairobi")


def register(client, db, mother="0712300601"):
    """Sign in on USSD as the Mentor Mother and register a pregnant mother in Kiswahili."""
    mentors.add(db, MENTOR, "Grace Achieng", "13939", "4826")
    caller = Caller(client, MENTOR)
    caller.dial()
    for answer in ("4826", "2", mother, "1", _in_days(100), "2", "1"):
        caller.send(answer)
    assert "Registered" in caller.send("1")


def _in_days(days):
    return (datetime.now(ZONE).date() + timedelta(days=days)).strftime("%d-%m-%Y")


def noon_dispatch(db, at, days=0):
    """Run the real dispatch at noon `days` from today; return what the fake AT took."""
    now = datetime.now(ZONE).replace(hour=12, minute=0) + timedelta(days=days)
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))
    dispatch.dispatch(db, content_service.current(), gateway, now, RULES, 500)
    return [(n, r["message"]) for r in at.requests for n in r["to"].split(",")]


def test_she_gets_only_the_request_to_confirm_until_she_says_yes(client, db, sms_app, at):
    with sms_app.app_context():
        register(client, db)
        run_worker(sms_app)
        (number, words), = [(n, r["message"]) for r in at.requests for n in r["to"].split(",")]
        assert number == MOTHER and "Jibu NDIYO" in words and "ACHA" in words
        assert "VVU" not in words and "HIV" not in words
        at.requests.clear()
        for days in (0, 1, 7, 14):  # weekly and danger-sign SMS would be due by now
            dispatch.reschedule(db, content_service.current(), MOTHER,
                                datetime.now(ZONE) + timedelta(days=days), RULES)
            assert noon_dispatch(db, at, days) == []
        text(client, MOTHER, "ndiyo")
        run_worker(sms_app)
        assert db.hget(contacts.key(MOTHER), "enrolled") == "yes"
        assert db.hget(contacts.key(MOTHER), "consent_sms") == "yes"
        assert any("Asante" in m for _, m in noon_dispatch(db, at))
        sent = noon_dispatch(db, at)
        assert len([m for n, m in sent if n == MOTHER]) >= 2  # her reply, then her stage SMS


@pytest.mark.parametrize("reply", ["YES", "yes please", "Ndiyo", "NDIO"])
def test_yes_or_ndiyo_in_any_case_confirms(client, db, sms_app, reply):
    with sms_app.app_context():
        register(client, db)
        # Until she says yes, the record of her registration goes when her contact would.
        assert 0 < db.ttl(mentor_actions.key(MOTHER)) <= sms_app.config["UNENROLLED_KEEP_DAYS"] * 86400
        text(client, MOTHER, reply)
        assert db.hget(contacts.key(MOTHER), "enrolled") == "yes"
        assert db.ttl(mentor_actions.key(MOTHER)) > 700 * 86400  # MENTOR_ACTIONS_KEEP_DAYS


def test_a_yes_from_someone_not_waiting_is_a_message_for_a_person(client, db, sms_app):
    with sms_app.app_context():
        db.hset(contacts.key(MOTHER), mapping={"enrolled": "yes", "language": "en"})
        text(client, MOTHER, "Yes")
        assert db.smembers(followups.by_phone_key(MOTHER))  # filed as her question


def test_stop_removes_her_registration_and_nothing_more_is_sent(client, db, sms_app, at):
    with sms_app.app_context():
        register(client, db)
        text(client, MOTHER, "STOP")
        contact = db.hgetall(contacts.key(MOTHER))
        assert contact.get("opted_out") == "yes" and "enrolled" not in contact
        assert "stage" not in contact and not db.exists(mentor_actions.key(MOTHER))
        assert MOTHER not in db.smembers(f"mentors:mothers:{MENTOR}")
        run_worker(sms_app)
        at.requests.clear()
        text(client, MOTHER, "NDIYO")  # too late: nothing waits for it
        assert db.hget(contacts.key(MOTHER), "enrolled") is None
        assert noon_dispatch(db, at, 1) == []


def test_a_mother_still_waiting_who_dials_herself_is_offered_to_join_in_her_language(
        client, db, sms_app, at):
    """Registered but not yet confirmed, she dials the code: the bot does not treat her as
    enrolled; it greets her in the language her Mentor Mother chose and offers to join, and
    her own consent on USSD enrols her as any caller's does."""
    with sms_app.app_context():
        register(client, db)
        run_worker(sms_app)
        at.requests.clear()
        mother = Caller(client, MOTHER)
        first = mother.dial()
        assert first.startswith("CON Ungependa SMS za bure")  # the offer to join, in Kiswahili
        assert db.hget(contacts.key(MOTHER), "enrolled") == "awaiting"
        assert noon_dispatch(db, at, 1) == []  # still nothing but the request went


def test_a_mother_still_waiting_is_sent_the_request_again_at_most_once_a_day(client, db, sms_app,
                                                                             at):
    with sms_app.app_context():
        register(client, db)
        run_worker(sms_app)
        assert len(at.requests) == 1
        for _ in range(2):  # the same day twice: one SMS again, not two
            caller = Caller(client, MENTOR)
            caller.dial()
            for answer in ("4826", "2"):
                caller.send(answer)
            waiting = caller.send("0712300601")
            assert "waiting to reply YES" in waiting and "2. Send her the SMS again" in waiting
            assert "was sent again" in caller.send("2")
            run_worker(sms_app)
        again = [r["message"] for r in at.requests[1:]]
        assert len(again) == 1 and "Jibu NDIYO" in again[0]
        kinds = [e["kind"] for e in mentor_actions.entries(db, MOTHER)]
        assert kinds.count("asked_again") == 2 and "registered" in kinds
        text(client, MOTHER, "ndiyo")
        caller = Caller(client, MENTOR)
        caller.dial()
        for answer in ("4826", "2"):
            caller.send(answer)
        assert "Send her the SMS again" not in caller.send("0712300601")  # enrolled now


def test_she_is_not_registered_twice(client, db, sms_app, at):
    with sms_app.app_context():
        register(client, db)
        caller = Caller(client, MENTOR)
        caller.dial()
        caller.send("4826")
        caller.send("2")
        assert "already registered and waiting" in caller.send("0712300601")


def test_outcomes_only_for_her_own_follow_ups(client, db, app):
    with app.app_context():
        mentors.add(db, MENTOR, "Grace Achieng", "13939", "4826")
        mentors.add(db, "+254712300501", "Wanjiru Kamau", "13704", "4826")
        db.hset(contacts.key(MOTHER), mapping={"facility": "13704", "enrolled": "yes"})
        pipe = db.pipeline()
        followup_id = followups.add(pipe, MOTHER, "callback", "", "ussd")
        pipe.execute()
        grace = mentors.get(db, MENTOR)
        assert outcomes.mine(db, MENTOR) == []
        assert outcomes.record(db, app.config, followup_id, grace, "reached") is None
        assert db.hget(followups.key(followup_id), "status") == "open"


def test_the_console_shows_her_work_and_forget_me_deletes_it(client, db, sms_app):
    with sms_app.app_context():
        register(client, db)
        caller = Caller(client, MENTOR)
        caller.dial()
        for answer in ("4826", "3", "0712300601", "14", "2", "3"):
            caller.send(answer)
        assert "Home visit saved." in caller.send("1")
    sign_in(client, db, "staff")
    page = client.post("/console/contacts", data={"phone": MOTHER, "csrf_token": TOKEN})
    shown = html.unescape(page.get_data(as_text=True))
    section = shown[shown.index("Mentor Mothers' work"):shown.index("Changed in the console")]
    assert "Grace Achieng (*********500)" in section
    assert "home visit: talked of pmtct, development; development check concern; referral " \
           "hospital" in re.sub(r"\s+", " ", section)
    assert "registered her (awaiting her YES)" in section
    assert MENTOR not in shown and "0712300500" not in shown
    # Her fields in staff's words: who registered her and when, as a date, not a Unix time.
    registered = db.hget(contacts.key(MOTHER), "registered_at")
    assert "Registered by" in shown and "Registered at" in shown and registered not in shown
    forget.forget(db, MOTHER)
    assert not db.exists(mentor_actions.key(MOTHER))


def test_old_entries_go_in_the_nightly_sweep(db):
    pipe = db.pipeline()
    mentor_actions.record(pipe, MOTHER, MENTOR, "home_visit", {}, now=1_000_000)
    mentor_actions.record(pipe, MOTHER, MENTOR, "home_visit", {}, now=2_000_000_000)
    pipe.execute()
    assert mentor_actions.prune(db, 2_000_000_000, keep_days=730) == 1
    assert [e["at"] for e in mentor_actions.entries(db, MOTHER)] == [2_000_000_000]


def test_a_supervisor_lists_the_numbers_found_wrong(client, db, app, runner):
    kept = _wrong_number_reported(db, app)
    assert kept["status"] == "done" and kept["closed_by"] == "Grace Achieng (Mentor Mother *********500)"
    said = runner.invoke(args=["mentors", "wrong-numbers"]).output
    assert "*********601" in said and "reported wrong by Grace Achieng" in said
    forget.forget(db, MOTHER)
    assert "No number has been reported wrong." in runner.invoke(args=["mentors", "wrong-numbers"]).output


def _wrong_number_reported(db, app):
    with app.app_context():
        mentors.add(db, MENTOR, "Grace Achieng", "13939", "4826")
        db.hset(contacts.key(MOTHER), mapping={"facility": "13939", "enrolled": "yes"})
        pipe = db.pipeline()
        followup_id = followups.add(pipe, MOTHER, "callback", "", "ussd")
        pipe.execute()
        return outcomes.record(db, app.config, followup_id, mentors.get(db, MENTOR), "wrong_number")


def test_a_supervisor_checks_a_number_found_wrong_in_the_console(client, db, app):
    """Listed on the Mentor Mothers page with who found it and a link to her page; a supervisor
    marks it checked (staff only see it); her page's history says who checked it."""
    _wrong_number_reported(db, app)
    sign_in(client, db, "staff")
    page = html.unescape(client.get("/console/mentors").get_data(as_text=True))
    listed = page[page.index("Numbers found wrong"):]
    assert "*********601" in listed and "Grace Achieng" in listed and MOTHER not in page
    assert "number-checked" not in page  # staff see the list, supervisors act on it
    link = re.search(r'href="(/console/contacts\?ref=[^"]+)"', listed).group(1)
    assert "Number found wrong by" in client.get(link).get_data(as_text=True)
    assert client.post("/console/mentors/number-checked",
                       data={"phone": MOTHER, "csrf_token": TOKEN}).status_code == 403
    sign_in(client, db, "supervisor")
    done = client.post("/console/mentors/number-checked", data={"phone": MOTHER, "csrf_token": TOKEN},
                       follow_redirects=True)
    shown = html.unescape(done.get_data(as_text=True))
    assert "is off the list of numbers found wrong" in shown
    assert "No Mentor Mother has found a mother's number wrong." in shown
    assert not db.sismember(outcomes.WRONG_NUMBERS, MOTHER)
    assert not db.hexists(contacts.key(MOTHER), "number_wrong_at")
    again = client.post("/console/mentors/number-checked", data={"phone": MOTHER, "csrf_token": TOKEN},
                        follow_redirects=True)
    assert "no longer on the list" in html.unescape(again.get_data(as_text=True))
    page = client.post("/console/contacts", data={"phone": MOTHER, "csrf_token": TOKEN})
    assert "checked her number" in html.unescape(page.get_data(as_text=True))
