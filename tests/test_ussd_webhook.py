"""POST /ussd and /ussd/events as Africa's Talking calls them, good input and bad."""

import json

import pytest

from bot.store import contacts, followups, ussd_events, ussd_sessions

from .ussd_caller import Caller

VALID = {"sessionId": "ATUid_1", "serviceCode": "*384*123#", "phoneNumber": "+254712000001",
         "networkCode": "63902", "text": ""}


def post(client, **changes):
    form = {k: v for k, v in {**VALID, **changes}.items() if v is not None}
    return client.post("/ussd", data=form)


def is_valid_screen(answer):
    body = answer.get_data(as_text=True)
    if answer.status_code == 400:
        return "\n" not in body.strip() and body.startswith("Bad request: ")
    return answer.status_code == 200 and body[:4] in ("CON ", "END ") and len(body) - 4 <= 182


@pytest.mark.parametrize("changes", [
    {"text": "x" * 10_000},
    {"text": "1*" * 5_000},
    {"text": "😀🤰🏾"},
    {"text": "\x00\x01\x1b[31m1\x7f"},
    {"text": "*****"},
    {"text": "1*2*3*4*5*6*7*8*9*0*00*98"},
    {"text": None},
    {"sessionId": "unknown-session-id", "text": "1*2*3"},
    {"sessionId": None},
    {"sessionId": ""},
    {"sessionId": "s" * 5000},
    {"phoneNumber": None},
    {"phoneNumber": "0712000001"},
    {"phoneNumber": "254712000001"},
    {"phoneNumber": "+254 712 000 001"},
    {"phoneNumber": "not a phone"},
    {"phoneNumber": "+1"},
    {"phoneNumber": "ShortCode"},
    {"serviceCode": None, "networkCode": None},
])
def test_any_form_gets_a_screen_or_a_one_line_400(client, changes):
    assert is_valid_screen(post(client, **changes))


def test_a_json_body_or_no_body_is_a_400(client):
    assert client.post("/ussd", json=VALID).status_code == 400
    assert client.post("/ussd").status_code == 400
    assert client.post("/ussd", data=b"\xff\xfe garbage", content_type="text/plain").status_code == 400


def test_a_huge_body_is_a_400_not_a_crash(client):
    answer = client.post("/ussd", data={**VALID, "text": "9" * 100_000})
    assert answer.status_code == 400
    assert answer.get_data(as_text=True) == "Bad Request: the request is too large"


def test_a_form_sent_without_a_length_is_still_read(client):
    body = "sessionId=chunked-1&phoneNumber=%2B254712000002&serviceCode=%2A384%23&text="
    answer = client.post("/ussd", data=body.encode(), content_type="application/x-www-form-urlencoded",
                         headers={"Transfer-Encoding": "chunked"})
    assert answer.status_code == 200 and answer.get_data(as_text=True).startswith("CON ")


def test_local_numbers_are_the_same_contact_as_international_ones(client, db):
    post(client, phoneNumber="0712000001", text="")
    post(client, phoneNumber="0712000001", text="2")
    assert db.hget(contacts.key("+254712000001"), "language") == "sw"


def test_unknown_paths_and_methods_answer_plain_text(client):
    assert client.get("/ussd").status_code == 405
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.mimetype == "text/plain"


def test_a_repeated_request_gets_the_same_screen_and_moves_nothing(client):
    caller = Caller(client)
    caller.dial()
    first = caller.send("1")
    again = caller._post()  # AT sends the very same request again
    assert again == first
    assert "Food and breastfeeding" in caller.send("2")


def test_sessions_are_keyed_by_phone_so_a_guessed_session_id_leads_nowhere(client):
    her = Caller(client, "+254712000001")
    her.dial()
    her.send("2")
    her.send("1")  # she is reading PMTCT content in Swahili
    stranger = Caller(client, "+254712000002")
    stranger.session_id, stranger.inputs = her.session_id, list(her.inputs)
    screen = stranger._post()
    assert "Chagua lugha" in screen and "VVU" not in screen


def test_the_stored_session_holds_only_what_it_needs(client, db):
    caller = Caller(client)
    caller.dial()
    caller.send("1")
    stored = json.loads(db.get(ussd_sessions.key(caller.phone)))
    assert set(stored) == {"id", "history", "screen", "updated", "session", "version"}
    assert stored["version"] == 1  # the content version her session is served from
    assert 0 < db.ttl(ussd_sessions.key(caller.phone)) <= 5 * 60


def test_a_callback_request_lands_on_the_follow_up_list(client, db):
    caller = Caller(client)
    caller.dial()
    caller.send("1")
    caller.send("2")
    caller.send("5")  # Clinic, my health
    caller.send("4")  # Talk to a Mentor Mother
    assert caller.send("3").startswith("END ")
    (followup_id,) = db.zrange(followups.OPEN, 0, -1)
    record = db.hgetall(followups.key(followup_id))
    assert record["phone"] == "+254712000001" and record["topic"] == "health"
    assert record["status"] == "open"


@pytest.mark.parametrize("token, status", [(None, 403), ("wrong", 403), ("s3cret", 200)])
def test_webhooks_need_the_token_when_one_is_set(app, client, token, status):
    app.config["WEBHOOK_TOKEN"] = "s3cret"
    query = {"token": token} if token else None
    assert client.post("/ussd", data=VALID, query_string=query).status_code == status
    assert client.post("/ussd/events", data={"status": "Success"},
                       query_string=query).status_code == status


def test_end_of_session_notifications_are_counted_without_the_phone(client, db):
    form = {"sessionId": "ATUid_9", "phoneNumber": "+254712000001", "status": "Incomplete",
            "durationInMillis": "30500", "hopsCount": "3", "input": "1*2", "cost": "KES 0.0",
            "lastAppResponse": "CON secret screen", "errorMessage": "", "brandNewField": "x",
            "networkCode": "63902", "serviceCode": "*384*123#", "date": "2026-11-21 10:00:00"}
    assert client.post("/ussd/events", data=form).get_data(as_text=True) == "OK"
    assert client.post("/ussd/events", data={}).status_code == 200
    (event_id, event), _ = db.xrange(ussd_events.STREAM)
    assert event["status"] == "Incomplete" and event["durationInMillis"] == "30500"
    assert "+254712000001" not in json.dumps(event) and "secret" not in json.dumps(event)
    (day,) = db.keys("ussd:stats:*")
    assert db.hgetall(day) == {"Incomplete": "1", "unknown": "1"}
