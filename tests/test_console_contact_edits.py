"""Contacts in the console: find her by number, last digits or clinic; change her details and
visits with the API's checks; see what she received and who changed what."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service
from bot.reminders import dispatch, due_list
from bot.reminders.timing import Rules
from bot.sms import log
from bot.store import contacts, forget, staff_changes, visits

from .test_console_auth import TOKEN, sign_in

PHONE = "+254722334455"


@pytest.fixture
def app(clean_module_app):
    return clean_module_app


def today(app):
    return datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"])).date()


def enrol(db, app, phone=PHONE, clinic="Mathare North", visit_in_days=10):
    day = today(app)
    db.hset(contacts.key(phone), mapping={
        "enrolled": "yes", "consent_sms": "yes", "language": "sw", "stage": "pregnancy",
        "due_date": (day + timedelta(days=120)).isoformat(), "clinic": clinic,
        "stage_since": day.isoformat(), "enrolled_on": day.isoformat()})
    pipe = db.pipeline()
    visits.add(pipe, phone, day + timedelta(days=visit_in_days), "anc", clinic=clinic)
    pipe.execute()
    with app.app_context():
        dispatch.reschedule(db, content_service.current(), phone,
                            datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"])),
                            Rules.from_config(app.config))
    return (day + timedelta(days=visit_in_days)).isoformat() + "-anc"


def her_ref(client, phone=PHONE):
    """Open her page by her number; return the reference its forms post to."""
    page = client.post("/console/contacts", data={"phone": phone, "csrf_token": TOKEN})
    found = re.search(r"/console/contacts/([\w-]+)/visits\"", page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)[-3000:]
    return found.group(1)


def text_of(answer):
    return html.unescape(answer.get_data(as_text=True))


# Finding her

def test_she_is_found_by_the_last_digits_of_her_number_or_her_clinic(client, db, app):
    sign_in(client, db, "staff")
    enrol(db, app)
    enrol(db, app, "+254711000455", clinic="Kariobangi North")
    enrol(db, app, "+254733999888", clinic="Kariobangi North")
    page = text_of(client.post("/console/contacts", data={"phone": "455", "csrf_token": TOKEN}))
    assert "Mothers found by numbers ending in 455" in page
    assert page.count('class="number"') == 2 and "722334455" not in page  # masked for staff
    page = text_of(client.post("/console/contacts", data={"phone": "kariobangi", "csrf_token": TOKEN}))
    assert 'Mothers found by clinic names with "kariobangi"' in page and page.count("Kariobangi North") == 2
    link = re.findall(r'href="(/console/contacts\?ref=[\w-]+)"', page)[0]
    opened = text_of(client.get(link))
    assert "Clinic visits" in opened and "Kariobangi North" in opened
    # One mother found by her last digits opens her page at once.
    page = text_of(client.post("/console/contacts", data={"phone": "999888", "csrf_token": TOKEN}))
    assert "Clinic visits" in page and "*********888" in page


def test_an_unknown_reference_asks_to_find_her_again(client, db):
    sign_in(client, db, "staff")
    page = text_of(client.get("/console/contacts?ref=nothing-like-this"))
    assert "That page has ended" in page


# Her details

def test_an_editor_changes_her_details_with_who_and_when_and_her_reminders_follow(client, db, app):
    sign_in(client, db, "editor", name="achieng")
    enrol(db, app)
    ref = her_ref(client)
    pipe = db.pipeline()
    due_list.remove(pipe, PHONE)
    pipe.execute()
    birth = (today(app) - timedelta(days=3)).isoformat()
    answer = client.post(f"/console/contacts/{ref}/details", data={
        "csrf_token": TOKEN, "language": "en", "stage": "baby", "birth_date": birth,
        "due_date": "", "clinic": "Mathare North"}, follow_redirects=True)
    page = text_of(answer)
    assert "Her details are saved" in page
    saved = db.hgetall(contacts.key(PHONE))
    assert (saved["language"], saved["stage"], saved["birth_date"]) == ("en", "baby", birth)
    assert saved["stage_since"] == today(app).isoformat()  # as the API records a new stage
    assert due_list.next_at(db, PHONE) is not None  # her reminders were filed again
    (entry,) = staff_changes.entries(db, PHONE)
    assert entry["by"] == "achieng" and "stage pregnancy -> baby" in entry["what"]
    assert "achieng" in page and "stage pregnancy -> baby" in page  # on her page, with who
    assert "Changed her details" in page


def test_staff_cannot_change_her_details(client, db, app):
    sign_in(client, db, "staff")
    enrol(db, app)
    ref = her_ref(client)
    assert "Change her details" not in text_of(client.get(f"/console/contacts?ref={ref}"))
    answer = client.post(f"/console/contacts/{ref}/details",
                         data={"csrf_token": TOKEN, "language": "en"})
    assert answer.status_code == 403
    assert db.hget(contacts.key(PHONE), "language") == "sw" and not staff_changes.entries(db, PHONE)


@pytest.mark.parametrize("form, said", [
    ({"due_date": "2020-01-01"}, "Due date must be today or later and at most 294 days"),
    ({"stage": "baby"}, "Stage baby needs Baby's birth date"),
    ({"language": "fr"}, "Language must be one of: en, sw"),
    ({"clinic": "A clinic name far longer than thirty letters"}, "Clinic must be 1 to 30 characters"),
])
def test_a_detail_the_api_would_refuse_is_refused_plainly_and_nothing_changes(client, db, app, form,
                                                                               said):
    sign_in(client, db, "editor")
    enrol(db, app)
    ref = her_ref(client)
    before = db.hgetall(contacts.key(PHONE))
    page = text_of(client.post(f"/console/contacts/{ref}/details", data={"csrf_token": TOKEN, **form},
                               follow_redirects=True))
    assert "Not saved: " in page and said in page
    assert db.hgetall(contacts.key(PHONE)) == before and not staff_changes.entries(db, PHONE)


def test_a_change_without_the_form_token_is_refused(client, db, app):
    sign_in(client, db, "editor")
    vid = enrol(db, app)
    ref = her_ref(client)
    for path, form in ((f"/console/contacts/{ref}/details", {"language": "en"}),
                       (f"/console/contacts/{ref}/visits/{vid}/cancel", {})):
        answer = client.post(path, data=form)
        assert answer.status_code == 400 and "This form had expired" in text_of(answer)
    assert db.hget(contacts.key(PHONE), "language") == "sw"
    assert visits.parse(db.hgetall(visits.key(PHONE)))[vid]["status"] == "booked"


# Her visits

def test_staff_book_move_mark_attended_and_cancel_visits_and_her_reminders_follow(client, db, app):
    sign_in(client, db, "staff", name="wanjiru")
    vid = enrol(db, app, visit_in_days=10)
    ref = her_ref(client)
    pipe = db.pipeline()
    due_list.remove(pipe, PHONE)  # she is filed again only if the change files her reminders again
    pipe.execute()
    soon = (today(app) + timedelta(days=3)).isoformat()
    page = text_of(client.post(f"/console/contacts/{ref}/visits", data={
        "csrf_token": TOKEN, "date": soon, "kind": "immunisation", "time": "09:30",
        "clinic": "Mathare North"}, follow_redirects=True))
    assert "The visit is booked" in page
    found = visits.parse(db.hgetall(visits.key(PHONE)))
    assert found[f"{soon}-immunisation"]["source"] == "staff"
    assert due_list.next_at(db, PHONE) is not None

    later = (today(app) + timedelta(days=20)).isoformat()
    page = text_of(client.post(f"/console/contacts/{ref}/visits/{vid}/move", data={
        "csrf_token": TOKEN, "date": later, "time": "", "clinic": ""}, follow_redirects=True))
    assert "The visit is changed" in page
    found = visits.parse(db.hgetall(visits.key(PHONE)))
    assert found[vid]["status"] == "cancelled" and found[vid]["cancel_reason"] == "moved"
    assert found[f"{later}-anc"]["status"] == "booked"

    client.post(f"/console/contacts/{ref}/visits/{soon}-immunisation/attended",
                data={"csrf_token": TOKEN})
    client.post(f"/console/contacts/{ref}/visits/{later}-anc/cancel", data={"csrf_token": TOKEN})
    found = visits.parse(db.hgetall(visits.key(PHONE)))
    assert found[f"{soon}-immunisation"]["status"] == "attended"
    assert (found[f"{later}-anc"]["status"], found[f"{later}-anc"]["cancel_reason"]) == (
        "cancelled", "staff")
    history = staff_changes.entries(db, PHONE)
    assert [e["what"].split(":")[0] for e in history] == [
        "Cancelled a visit", "Marked a visit attended", "Moved a visit", "Booked a visit"]
    assert {e["by"] for e in history} == {"wanjiru"}


@pytest.mark.parametrize("action, form, said", [
    ("book", {"date": "2020-01-01", "kind": "anc"}, "Date must be today or later"),
    ("book", {"date": "", "kind": "anc"}, "Date is needed to book a visit."),
    ("book", {"date": "TOMORROW", "kind": "nothing"}, "Kind of visit must be one of"),
    ("move", {"date": "2020-01-01"}, "Date must be today or later"),
    ("move", {"time": "25:00"}, "Time must be a time written HH:MM"),
    ("move", {}, "Nothing was changed"),
    ("attended-then-cancel", {}, "she attended this appointment; it cannot be cancelled"),
])
def test_a_visit_change_the_api_would_refuse_is_refused_and_nothing_changes(client, db, app, action,
                                                                            form, said):
    sign_in(client, db, "staff")
    vid = enrol(db, app)
    ref = her_ref(client)
    form = {k: (today(app) + timedelta(days=1)).isoformat() if v == "TOMORROW" else v
            for k, v in form.items()}
    if action == "attended-then-cancel":
        client.post(f"/console/contacts/{ref}/visits/{vid}/attended", data={"csrf_token": TOKEN})
        path = f"/console/contacts/{ref}/visits/{vid}/cancel"
    else:
        path = f"/console/contacts/{ref}/visits" + (f"/{vid}/move" if action == "move" else "")
    before = db.hgetall(visits.key(PHONE))
    history = staff_changes.entries(db, PHONE)
    page = text_of(client.post(path, data={"csrf_token": TOKEN, **form}, follow_redirects=True))
    assert "Not saved: " in page and said.lower() in page.lower()
    assert db.hgetall(visits.key(PHONE)) == before and staff_changes.entries(db, PHONE) == history


def test_no_pregnancy_visit_is_booked_after_a_loss(client, db, app):
    sign_in(client, db, "staff")
    enrol(db, app)
    db.hset(contacts.key(PHONE), mapping={"stage": "loss", "loss_date": today(app).isoformat()})
    ref = her_ref(client)
    page = text_of(client.post(f"/console/contacts/{ref}/visits", data={
        "csrf_token": TOKEN, "date": (today(app) + timedelta(days=5)).isoformat(), "kind": "anc"},
        follow_redirects=True))
    assert "Not saved: She reported a loss" in page and "(her details above)" in page


# What she received

def test_her_sms_log_shows_the_words_of_each_reminder_and_who_wrote_a_staff_sms(client, db, app):
    sign_in(client, db, "staff")
    vid = enrol(db, app, visit_in_days=2)
    day = vid[:10]
    sent_at = int(datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"])).timestamp())
    for message_id, fields in (
            ("m1", {"kind": "reminder", "ref": f"visit:{day}:before"}),
            ("m2", {"kind": "staff", "text": "Habari, nipigie simu kesho.", "by": "Wanjiru"}),
            ("m3", {"kind": "reminder", "ref": "visit:2019-01-01:before"}),
            ("m4", {"kind": "stage", "ref": "stage:pregnancy:20"}),
            ("m5", {"kind": "stage_day", "ref": f"day:danger-pregnancy:{day}"})):
        db.hset(log.message_key(message_id), mapping={"phone": PHONE, "status": "Success",
                                                      "sent_at": str(sent_at), **fields})
        db.lpush(log.contact_key(PHONE), message_id)
    page = text_of(client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN}))
    with app.app_context():
        words = content_service.current().texts.get("sms_reminders.day_before", "sw")
        weekly = content_service.current().texts.get("sms_pregnancy.w20", "sw")
        daily = content_service.current().texts.get("sms_danger_signs.pregnancy", "sw")
    opening = words.split("%{")[0].strip()
    assert opening and opening in page  # the Kiswahili reminder, rebuilt from its id
    assert weekly in page and daily in page
    assert f"visit:{day}:before" not in page and "reminder visit:" not in page
    assert "Habari, nipigie simu kesho." in page and "written by Wanjiru" in page
    assert "A visit reminder whose words cannot be rebuilt" in page


def test_forgetting_her_deletes_what_staff_changed_and_the_links_to_her_page(client, db, app):
    sign_in(client, db, "staff")
    vid = enrol(db, app)
    ref = her_ref(client)
    client.post(f"/console/contacts/{ref}/visits/{vid}/attended", data={"csrf_token": TOKEN})
    assert staff_changes.entries(db, PHONE)
    forget.forget(db, PHONE)
    assert not db.exists(staff_changes.key(PHONE))
    assert client.get(f"/console/contacts?ref={ref}").status_code == 200
    assert "That page has ended" in text_of(client.get(f"/console/contacts?ref={ref}"))
