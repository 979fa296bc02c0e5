"""The clinic API under /api: tokens, contacts, appointments, messages, follow-ups and errors."""

import logging
import threading
import types
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service, store
from bot.api import tokens
from bot.reminders import dispatch, due_list
from bot.reminders.timing import Rules
from bot.sms import log, outbound
from bot.sms.gateway import ConsoleGateway
from bot.store import contacts, followups, ussd_sessions, visits

PHONE = "+254712345678"
TZ = ZoneInfo("Africa/Nairobi")


def today():
    return datetime.now(TZ).date()


def day(offset):
    return (today() + timedelta(days=offset)).isoformat()


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module (see conftest)."""
    return module_app


@pytest.fixture(autouse=True)
def empty_store(app):
    store.redis(app).flushdb()


@pytest.fixture
def api(client, db):
    """The test client with a valid token on every request."""
    token = tokens.create(db, "emr-test")

    class Api:
        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
                return getattr(client, method)(path, headers=headers, **kwargs)
            return call

    return Api()


@pytest.fixture
def enrolled(api):
    """A mother enrolled by the clinic with SMS consent and no stage (so only visit reminders)."""
    assert api.put(f"/api/contacts/{PHONE}", json={"consent_sms": True}).status_code == 201
    return PHONE


def error(response, status, field):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "field"} and body["error"] and body["field"] == field
    return body["error"]


def reminder_at(date_text, clock):
    return datetime.combine(datetime.fromisoformat(date_text).date(), clock, TZ).timestamp()


def plan(app, db, now):
    rules = Rules.from_config(app.config)
    return dispatch.plan_for(db, content_service.current(app), now, rules, [PHONE])[0][2]


# Tokens


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz"])
def test_a_request_without_a_known_token_is_refused(client, db, header):
    tokens.create(db, "emr")
    answer = client.get(f"/api/contacts/{PHONE}", headers={"Authorization": header} if header else {})
    assert "token" in error(answer, 401, None)
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working_at_once(client, db):
    token = tokens.create(db, "emr")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/followups", headers=headers).status_code == 200
    assert tokens.revoke(db, "emr")
    error(client.get("/api/followups", headers=headers), 401, None)


def test_only_the_tokens_fingerprint_is_stored(db):
    token = tokens.create(db, "emr")
    stored = str(db.hgetall(tokens.BY_HASH)) + str(db.hgetall(tokens.BY_NAME))
    assert token not in stored and tokens.digest(token) in stored


def test_each_token_has_its_own_limit_of_requests_a_minute(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "API_REQUESTS_PER_MINUTE", 3)
    clock = {"now": 1_800_000_010.0}  # 10 s into a minute
    monkeypatch.setattr(tokens, "time", types.SimpleNamespace(time=lambda: clock["now"]))
    busy, other = tokens.create(db, "busy-emr"), tokens.create(db, "other-emr")

    def get(token):
        return client.get("/api/followups", headers={"Authorization": f"Bearer {token}"})

    for _ in range(6):
        error(get("not-a-token"), 401, None)  # unknown tokens are refused, not counted
    assert [get(busy).status_code for _ in range(3)] == [200, 200, 200]
    refused = get(busy)
    assert "more than 3 requests this minute" in error(refused, 429, None)
    assert refused.headers["Retry-After"] == "50"
    assert get(other).status_code == 200  # another clinic's system is not held back
    clock["now"] += 50  # the next minute
    assert get(busy).status_code == 200
    assert len(db.keys("api:requests:*")) == 3  # one count per known token and minute


def test_the_openapi_document_needs_no_token(client):
    answer = client.get("/api/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.get_json()["openapi"].startswith("3.1")


# Contacts


@pytest.mark.parametrize("written", ["0712345678", "254712345678", "+254712345678", "712345678"])
def test_an_unknown_number_is_enrolled_by_the_clinic(api, db, written):
    answer = api.put(f"/api/contacts/{written}", json={
        "stage": "pregnancy", "due_date": day(100), "clinic": "Mathare North", "consent_sms": True})
    assert answer.status_code == 201
    assert answer.get_json()["phone"] == PHONE and answer.get_json()["receives_sms"] is True
    stored = db.hgetall(contacts.key(PHONE))
    assert {k: stored[k] for k in ("enrolled", "enrolled_by", "consent_sms", "enrolled_on", "language",
                                   "stage", "due_date", "clinic")} == {
        "enrolled": "yes", "enrolled_by": "api", "consent_sms": "clinic", "enrolled_on": day(0),
        "language": "en", "stage": "pregnancy", "due_date": day(100), "clinic": "Mathare North"}
    assert due_list.next_at(db, PHONE) is not None


def test_updating_a_known_mother_changes_only_what_was_sent(api, db, enrolled):
    db.hset(contacts.key(PHONE), mapping={"consent_sms": "yes", "language": "sw"})
    answer = api.put(f"/api/contacts/{PHONE}", json={"clinic": "Kariobangi", "consent_sms": True})
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["clinic"], body["language"], body["enrolled_by"]) == ("Kariobangi", "sw", "api")
    assert db.hget(contacts.key(PHONE), "consent_sms") == "yes"  # her own consent is kept


def test_a_clinic_name_naming_hiv_care_is_stored_and_the_answer_says_why(api, db, enrolled):
    answer = api.put(f"/api/contacts/{PHONE}", json={"clinic": "Mathare PMTCT Clinic"})
    body = answer.get_json()
    assert answer.status_code == 200 and body["clinic"] == "Mathare PMTCT Clinic"
    assert "contains PMTCT" in body["clinic_warning"] and "'your clinic'" in body["clinic_warning"]
    booked = api.post(f"/api/contacts/{PHONE}/appointments",
                      json={"date": day(10), "kind": "anc", "clinic": "Kibera CCC ART"}).get_json()
    assert booked["clinic"] == "Kibera CCC ART" and "contains ART" in booked["clinic_warning"]
    fine = api.put(f"/api/contacts/{PHONE}", json={"clinic": "Mathare North"}).get_json()
    assert fine["clinic_warning"] is None


def test_a_mother_who_joined_on_ussd_shows_as_enrolled_by_herself(api, db):
    db.hset(contacts.key(PHONE), mapping={"enrolled": "yes", "consent_sms": "yes", "language": "sw",
                                          "stage": "baby", "birth_date": day(-30)})
    db.hset(ussd_sessions.key(PHONE), "state", "main")
    body = api.get(f"/api/contacts/{PHONE}").get_json()
    assert body == {"phone": PHONE, "enrolled": True, "enrolled_by": "mother", "enrolled_on": None,
                    "language": "sw", "stage": "baby", "due_date": None, "birth_date": day(-30),
                    "loss_date": None, "clinic": None, "facility": None, "county": None, "consent_sms": True,
                    "hiv_messages": False, "opted_out": False, "opted_out_source": None,
                    "sms_paused": None, "receives_sms": True, "clinic_warning": None,
                    "appointments": []}


def test_her_stop_outlasts_the_clinics_consent(api, db, enrolled):
    db.hset(contacts.key(PHONE), "opted_out", "yes")
    body = api.put(f"/api/contacts/{PHONE}", json={"consent_sms": True}).get_json()
    assert body["opted_out"] is True and body["receives_sms"] is False
    assert due_list.next_at(db, PHONE) is None


@pytest.mark.parametrize("enrolled_yet", ["yes", "no"])
def test_her_own_no_on_ussd_is_never_turned_into_yes(api, db, enrolled_yet):
    db.hset(contacts.key(PHONE), mapping={"enrolled": enrolled_yet, "consent_sms": "no",
                                          "hiv_messages": "no", "language": "sw"})
    answer = api.put(f"/api/contacts/{PHONE}", json={"consent_sms": True, "hiv_messages": True,
                                                     "clinic": "Kariobangi"})
    body = answer.get_json()
    assert answer.status_code in (200, 201) and body["clinic"] == "Kariobangi"  # the rest is kept
    assert (body["consent_sms"], body["hiv_messages"], body["receives_sms"]) == (False, False, False)
    stored = db.hgetall(contacts.key(PHONE))
    assert (stored["consent_sms"], stored["hiv_messages"]) == ("no", "no")
    assert "hiv_since" not in stored and due_list.next_at(db, PHONE) is None


def test_answers_about_her_are_not_cached_or_sniffed(api, enrolled):
    for answer in (api.get(f"/api/contacts/{PHONE}"), api.get("/api/contacts/0799000999"),
                   api.put(f"/api/contacts/{PHONE}", json={"clinic": "Kariobangi"}),
                   api.get("/api/followups")):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_clinics_own_no_can_be_undone_by_the_clinic(api, db, enrolled):
    assert api.put(f"/api/contacts/{PHONE}", json={"consent_sms": False,
                                                   "hiv_messages": False}).status_code == 200
    body = api.put(f"/api/contacts/{PHONE}", json={"consent_sms": True, "hiv_messages": True}).get_json()
    assert (body["consent_sms"], body["hiv_messages"]) == (True, True)


def test_withdrawn_consent_stops_her_reminders(api, db, enrolled):
    api.post(f"/api/contacts/{PHONE}/appointments", json={"date": day(10), "kind": "anc"})
    assert due_list.next_at(db, PHONE) is not None
    assert api.put(f"/api/contacts/{PHONE}", json={"consent_sms": False}).get_json()["consent_sms"] is False
    assert due_list.next_at(db, PHONE) is None


def test_hiv_messages_count_from_the_day_she_chose_them_and_a_loss_from_today(api, db, enrolled):
    api.put(f"/api/contacts/{PHONE}", json={"hiv_messages": True, "stage": "loss"})
    stored = db.hgetall(contacts.key(PHONE))
    assert (stored["hiv_messages"], stored["hiv_since"], stored["loss_date"]) == ("yes", day(0), day(0))


@pytest.mark.parametrize("body, field", [
    ({"language": "fr"}, "language"),
    ({"stage": "twins"}, "stage"),
    ({"stage": "pregnancy"}, "due_date"),
    ({"stage": "pregnancy", "due_date": day(-1)}, "due_date"),
    ({"stage": "pregnancy", "due_date": day(295)}, "due_date"),
    ({"stage": "pregnancy", "due_date": "15-03-2027"}, "due_date"),
    ({"stage": "pregnancy", "due_date": "2027-02-30"}, "due_date"),
    ({"stage": "pregnancy", "due_date": "20270315"}, "due_date"),
    ({"due_date": day(100)}, "due_date"),
    ({"stage": "baby"}, "birth_date"),
    ({"stage": "baby", "birth_date": day(1)}, "birth_date"),
    ({"stage": "baby", "birth_date": day(-731)}, "birth_date"),
    ({"stage": "pregnancy", "birth_date": day(-1), "due_date": day(9)}, "birth_date"),
    ({"clinic": "x" * 31}, "clinic"),
    ({"clinic": "Mathare\nNorth"}, "clinic"),
    ({"clinic": "   "}, "clinic"),
    ({"clinic": 12}, "clinic"),
    ({"consent_sms": "yes"}, "consent_sms"),
    ({"hiv_messages": 1}, "hiv_messages"),
    ({"language": None}, "language"),
    ({"nickname": "Mama Baraka"}, "nickname"),
])
def test_a_field_that_does_not_fit_is_refused_by_name(api, db, body, field):
    error(api.put(f"/api/contacts/{PHONE}", json=body), 422, field)
    assert not db.exists(contacts.key(PHONE))


@pytest.mark.parametrize("phone", ["12345", "0712abc678", "0112 345 678", "+1234567890123456",
                                   "0000000000"])
def test_a_phone_that_is_no_phone_number_is_refused(api, phone):
    error(api.put(f"/api/contacts/{phone}", json={}), 422, "phone")
    error(api.get(f"/api/contacts/{phone}"), 422, "phone")


@pytest.mark.parametrize("kwargs, status", [
    ({"data": "language=sw", "content_type": "application/x-www-form-urlencoded"}, 415),
    ({"data": "{\"language\": ", "content_type": "application/json"}, 400),
    ({"json": ["language", "sw"]}, 400),
    ({"data": "null", "content_type": "application/json"}, 400),
    ({"data": "x" * 70_000, "content_type": "application/json"}, 400),
])
def test_a_body_that_is_not_a_json_object_is_refused_plainly(api, kwargs, status):
    error(api.put(f"/api/contacts/{PHONE}", **kwargs), status, None)


def test_an_unknown_contact_is_not_found(api):
    assert "enrol her first" in error(api.get(f"/api/contacts/{PHONE}"), 404, "phone")


# Appointments


def test_booking_twice_books_once_and_files_her_reminder(api, db, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    first = api.post(path, json={"date": day(10), "kind": "anc", "time": "09:30"})
    assert first.status_code == 201
    assert first.get_json() == {"id": f"{day(10)}-anc", "date": day(10), "kind": "anc", "time": "09:30",
                                "clinic": None, "status": "booked", "source": "api", "cancel_reason": None,
                                "clinic_warning": None}
    again = api.post(path, json={"date": day(10), "kind": "anc", "time": "09:30"})
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert list(visits.parse(db.hgetall(visits.key(PHONE)))) == [f"{day(10)}-anc"]
    assert due_list.next_at(db, PHONE) == reminder_at(day(9), time(10, 0))
    assert api.get(f"{path}/{day(10)}-anc").get_json() == first.get_json()


def test_booking_a_cancelled_appointment_books_it_again(api, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(10), "kind": "pnc"})
    api.delete(f"{path}/{day(10)}-pnc")
    again = api.post(path, json={"date": day(10), "kind": "pnc"})
    assert again.status_code == 201 and again.get_json()["status"] == "booked"


def test_moving_an_appointment_cancels_the_old_day_and_moves_its_reminders(app, api, db, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(10), "kind": "anc", "clinic": "Mathare North"})
    moved = api.patch(f"{path}/{day(10)}-anc", json={"date": day(20), "time": "11:00"})
    assert moved.status_code == 200
    assert moved.get_json() == {"id": f"{day(20)}-anc", "date": day(20), "kind": "anc", "time": "11:00",
                                "clinic": "Mathare North", "status": "booked", "source": "api",
                                "cancel_reason": None, "clinic_warning": None}
    assert api.get(f"{path}/{day(10)}-anc").get_json()["cancel_reason"] == "moved"
    assert due_list.next_at(db, PHONE) == reminder_at(day(19), time(10, 0))
    ids = {r.id for r in plan(app, db, datetime.combine(today() + timedelta(days=9), time(12), TZ)).due}
    assert not any(day(10) in reminder_id for reminder_id in ids)


def test_changing_only_the_time_keeps_the_appointment(api, db, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(10), "kind": "eid"})
    changed = api.patch(f"{path}/{day(10)}-eid", json={"time": "14:15", "clinic": "Kariobangi"})
    assert changed.get_json()["id"] == f"{day(10)}-eid" and changed.get_json()["time"] == "14:15"
    assert len(db.hgetall(visits.key(PHONE))) == 1


def test_cancelling_stops_the_reminders(api, db, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(10), "kind": "art"})
    cancelled = api.delete(f"{path}/{day(10)}-art")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancel_reason"] == "clinic"
    assert due_list.next_at(db, PHONE) is None
    assert api.delete(f"{path}/{day(10)}-art").status_code == 200  # again: nothing changes


def test_an_attended_visit_gets_no_missed_visit_sms(app, api, db, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(1), "kind": "growth"})
    after = datetime.combine(today() + timedelta(days=3), time(12), TZ)
    assert any(r.kind == "visit_missed" for r in plan(app, db, after).due)
    marked = api.patch(f"{path}/{day(1)}-growth", json={"status": "attended"})
    assert marked.get_json()["status"] == "attended"
    assert not any(r.kind == "visit_missed" for r in plan(app, db, after).due)
    assert "cannot be cancelled" in error(api.delete(f"{path}/{day(1)}-growth"), 409, None)
    error(api.patch(f"{path}/{day(1)}-growth", json={"date": day(5)}), 409, None)


@pytest.mark.parametrize("body, status, field", [
    ({"date": day(12)}, 422, "kind"),
    ({"kind": "anc"}, 422, "date"),
    ({"date": day(-1), "kind": "anc"}, 422, "date"),
    ({"date": day(367), "kind": "anc"}, 422, "date"),
    ({"date": day(12), "kind": "dental"}, 422, "kind"),
    ({"date": day(12), "kind": "anc", "time": "9:30"}, 422, "time"),
    ({"date": day(12), "kind": "anc", "time": "24:00"}, 422, "time"),
    ({"date": day(12), "kind": "anc", "room": "4"}, 422, "room"),
])
def test_a_booking_that_does_not_fit_is_refused_by_name(api, enrolled, body, status, field):
    error(api.post(f"/api/contacts/{PHONE}/appointments", json=body), status, field)


@pytest.mark.parametrize("body, status, field", [
    ({}, 422, None),
    ({"status": "attended", "date": day(11)}, 422, "status"),
    ({"status": "cancelled"}, 422, "status"),
    ({"kind": "pnc"}, 422, "kind"),
    ({"date": day(400)}, 422, "date"),
])
def test_a_change_that_does_not_fit_is_refused_by_name(api, enrolled, body, status, field):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(10), "kind": "anc"})
    error(api.patch(f"{path}/{day(10)}-anc", json=body), status, field)


def test_a_cancelled_appointment_cannot_be_attended(api, enrolled):
    path = f"/api/contacts/{PHONE}/appointments"
    api.post(path, json={"date": day(10), "kind": "anc"})
    api.delete(f"{path}/{day(10)}-anc")
    error(api.patch(f"{path}/{day(10)}-anc", json={"status": "attended"}), 409, "status")


def test_unknown_contacts_and_appointments_are_not_found(api, enrolled):
    error(api.post("/api/contacts/0722000000/appointments", json={"date": day(3), "kind": "anc"}),
          404, "phone")
    for vid in (f"{day(3)}-anc", "not-an-id"):
        error(api.get(f"/api/contacts/{PHONE}/appointments/{vid}"), 404, "appointment_id")
        error(api.patch(f"/api/contacts/{PHONE}/appointments/{vid}", json={"time": "10:00"}),
              404, "appointment_id")
        error(api.delete(f"/api/contacts/{PHONE}/appointments/{vid}"), 404, "appointment_id")


# Messages and follow-ups


def test_a_message_shows_its_delivery_but_not_its_text_or_number(api, db):
    db.hset(log.message_key("ATXid_1"), mapping={
        "phone": PHONE, "kind": "reply", "status": "Failed", "cost": "KES 0.8000", "sent_at": "1800000000",
        "text": "Your CD4 results", "failure_reason": "AbsentSubscriber", "updated_at": "1800000060"})
    body = api.get("/api/messages/ATXid_1").get_json()
    assert body == {"id": "ATXid_1", "phone": "*********678", "kind": "reply", "status": "Failed",
                    "failure_reason": "AbsentSubscriber", "cost": "KES 0.8000",
                    "sent_at": "2027-01-15T11:00:00+03:00", "updated_at": "2027-01-15T11:01:00+03:00"}
    error(api.get("/api/messages/ATXid_2"), 404, "message_id")


def test_a_reminder_is_found_with_the_number_it_went_to(api, db):
    (outcome,) = outbound.send(db, ConsoleGateway(db, echo=lambda line: None),
                               [outbound.Outgoing(PHONE, "Clinic tomorrow", "visit_day_before",
                                                  key="visit:2027-01-16:before")])
    message_id = outcome.message_id
    answer = api.get(f"/api/messages/{message_id}?phone={PHONE}")
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert body["id"] == message_id and body["kind"] == "visit_day_before"
    assert body["status"] == "Sent" and body["phone"] == "*********678"
    assert body["sent_at"] is not None
    missing = error(api.get(f"/api/messages/{message_id}"), 404, "message_id")
    assert "?phone=" in missing
    error(api.get(f"/api/messages/{message_id}?phone=12"), 422, "phone")
    error(api.get(f"/api/messages/{message_id}?number={PHONE}"), 422, "number")


def add_followups(db, *rows, priority="normal"):
    pipe = db.pipeline()
    ids = [followups.add(pipe, phone, reason, "anc", "reminder", message="please call",
                         priority=priority)
           for phone, reason in rows]
    pipe.execute()
    return ids


def test_open_followups_are_listed_oldest_first_without_her_words(api, db):
    first, second, third = add_followups(db, (PHONE, "missed_visit"), ("+254722000001", "callback"),
                                         ("+254722000002", "missed_visit"))
    db.zrem(followups.OPEN, second)  # closed
    body = api.get("/api/followups").get_json()
    assert [f["id"] for f in body["followups"]] == [first, third] and body["more"] is False
    assert set(body["followups"][0]) == {"id", "phone", "reason", "topic", "channel", "priority",
                                         "created_at", "texts", "last_text_at", "assigned_to",
                                         "due_at", "overdue"}
    assert body["followups"][0]["phone"] == PHONE and body["followups"][0]["priority"] == "normal"


def test_urgent_followups_come_first_and_can_be_listed_alone(api, db):
    older, newer = add_followups(db, (PHONE, "callback"), ("+254722000001", "sms_question"))
    urgent = add_followups(db, ("+254722000002", "danger_sign"), ("+254722000003", "danger_sign"),
                           priority="urgent")
    db.hdel(followups.key(older), "priority")  # made before priorities: reads as normal
    body = api.get("/api/followups").get_json()
    assert [f["id"] for f in body["followups"]] == [*urgent, older, newer]
    assert [f["priority"] for f in body["followups"]] == ["urgent", "urgent", "normal", "normal"]
    body = api.get("/api/followups?priority=urgent&limit=1").get_json()
    assert [f["id"] for f in body["followups"]] == urgent[:1] and body["more"] is True
    body = api.get("/api/followups?priority=normal").get_json()
    assert [f["id"] for f in body["followups"]] == [older, newer] and body["more"] is False
    body = api.get("/api/followups?priority=normal&reason=sms_question").get_json()
    assert [f["id"] for f in body["followups"]] == [newer]


def test_followups_can_be_filtered_and_limited(api, db):
    rows = [(f"+25472200000{n}", "callback" if n % 2 else "missed_visit") for n in range(5)]
    ids = add_followups(db, *rows)
    body = api.get("/api/followups?reason=callback&limit=1").get_json()
    assert [f["id"] for f in body["followups"]] == [ids[1]] and body["more"] is True
    body = api.get("/api/followups?reason=callback&limit=2").get_json()
    assert [f["id"] for f in body["followups"]] == [ids[1], ids[3]] and body["more"] is False


@pytest.mark.parametrize("query, field", [
    ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"), ("limit=", "limit"),
    ("reason=other", "reason"), ("page=2", "page"), ("priority=high", "priority"),
    ("priority=", "priority"),
])
def test_a_followup_query_that_does_not_fit_is_refused_by_name(api, query, field):
    error(api.get(f"/api/followups?{query}"), 422, field)


def test_a_clinic_closes_a_followup_with_a_note_and_it_leaves_every_list(api, db, client, caplog):
    first, second = add_followups(db, (PHONE, "missed_visit"), ("+254722000001", "callback"))
    caplog.set_level(logging.INFO)
    answer = api.post(f"/api/followups/{first}/close", json={"note": " Called her;  booked again "})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["id"] == first and body["status"] == "done" and body["phone"] == PHONE
    assert body["note"] == "Called her; booked again" and body["closed_by"] == "api:emr-test"
    assert body["closed_at"].startswith(today().isoformat())
    record = followups.find(db, first)
    assert record["status"] == "done" and record["closed_by"] == "api:emr-test"
    assert not db.exists(followups.key(first))  # kept packed among her closed follow-ups
    assert [f["id"] for f in api.get("/api/followups").get_json()["followups"]] == [second]
    assert "712345678" not in caplog.text and "Called her" not in caplog.text
    # Closing it again is refused, and its note stays.
    error(api.post(f"/api/followups/{first}/close", json={"note": "again"}), 409, "followup_id")
    assert followups.find(db, first)["note"] == "Called her; booked again"
    # Past CLOSED_ID_DAYS its id no longer leads to her: unknown, and still not closed twice.
    db.delete(followups.closed_id_key(first))
    error(api.post(f"/api/followups/{first}/close", json={"note": "again"}), 404, "followup_id")
    assert followups.closed(db, PHONE)[0]["note"] == "Called her; booked again"
    # No note at all is fine.
    assert api.post(f"/api/followups/{second}/close", json={}).get_json()["note"] is None


@pytest.mark.parametrize("path, body, status, field", [
    ("/api/followups/0123456789ab/close", {}, 404, "followup_id"),
    ("/api/followups/not-an-id/close", {}, 404, "followup_id"),
    ("/api/followups/{id}/close", {"note": ""}, 422, "note"),
    ("/api/followups/{id}/close", {"note": "   "}, 422, "note"),
    ("/api/followups/{id}/close", {"note": "x" * 501}, 422, "note"),
    ("/api/followups/{id}/close", {"note": "two\nlines"}, 422, "note"),
    ("/api/followups/{id}/close", {"note": 5}, 422, "note"),
    ("/api/followups/{id}/close", {"status": "done"}, 422, "status"),
    ("/api/followups/{id}/close", [], 400, None),
])
def test_a_followup_close_that_does_not_fit_is_refused_by_name(api, db, path, body, status, field):
    [found] = add_followups(db, (PHONE, "callback"))
    error(api.post(path.format(id=found), json=body), status, field)
    assert db.hget(followups.key(found), "status") == "open"


def test_a_followup_close_needs_a_token_and_a_json_body(api, client, db):
    [found] = add_followups(db, (PHONE, "callback"))
    error(client.post(f"/api/followups/{found}/close", json={}), 401, None)
    error(api.post(f"/api/followups/{found}/close", data="note=x"), 415, None)
    assert db.hget(followups.key(found), "status") == "open"


def test_two_closing_the_same_followup_at_once_close_it_once(db):
    [found] = add_followups(db, (PHONE, "callback"))
    results = []
    barrier = threading.Barrier(8)

    def close(n):
        barrier.wait()
        results.append(followups.close(db, found, f"note {n}", by=f"person {n}"))

    threads = [threading.Thread(target=close, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if r]
    assert len(winners) == 1
    assert followups.find(db, found)["closed_by"] == winners[0]["closed_by"]
    assert len(followups.closed(db, PHONE)) == 1


# Errors everywhere under /api


def test_unknown_addresses_and_methods_answer_json_under_api_only(api, client):
    error(api.get("/api/nothing/here"), 404, None)
    error(client.get("/api"), 404, None)
    answer = api.post("/api/followups")
    error(answer, 405, None)
    assert "GET" in answer.headers["Allow"]
    assert client.get("/nothing").mimetype == "text/plain"  # the rest of the app is unchanged


def test_an_unexpected_failure_is_logged_and_answered_in_json(api, monkeypatch, enrolled):
    def broken(contact):
        raise RuntimeError("boom")

    monkeypatch.setattr("bot.api.contacts.wants_sms", broken)
    answer = api.get(f"/api/contacts/{PHONE}")
    assert "logged" in error(answer, 500, None) and b"Traceback" not in answer.data


def test_a_store_that_does_not_answer_is_a_503_in_json(api, monkeypatch):
    import redis

    def down(app=None):
        raise redis.exceptions.ConnectionError("refused")

    monkeypatch.setattr("bot.store.redis", down)
    answer = api.get("/api/followups")
    error(answer, 503, None)
    assert answer.headers["Retry-After"]


def test_the_logs_hold_no_phone_number(api, caplog):
    caplog.set_level(logging.DEBUG)
    api.put(f"/api/contacts/{PHONE}", json={"consent_sms": True})
    api.post(f"/api/contacts/{PHONE}/appointments", json={"date": day(5), "kind": "anc"})
    api.patch(f"/api/contacts/{PHONE}/appointments/{day(5)}-anc", json={"date": day(6)})
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot.api"))
    assert "*********678" in logged and "712345678" not in logged


def test_the_clinic_can_give_her_county_which_the_malaria_vaccine_reminders_go_by(api, db):
    answer = api.put(f"/api/contacts/{PHONE}", json={
        "language": "en", "stage": "baby", "birth_date": day(-30), "county": "Kisumu",
        "consent_sms": True})
    assert answer.status_code == 201 and answer.get_json()["county"] == "Kisumu"
    assert db.hget(contacts.key(PHONE), "county") == "Kisumu"
    assert api.put(f"/api/contacts/{PHONE}", json={"county": "x" * 31}).status_code == 422
