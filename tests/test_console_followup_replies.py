"""The follow-up list one card per mother, its filters, and an SMS written to her from the console."""

import html

import pytest

from bot.sms import log
from bot.store import contacts, followups

from .sms_helpers import run_worker
from .test_console_auth import TOKEN, sign_in

PHONE = "+254722334455"
OTHER = "+254712000222"


@pytest.fixture
def app(clean_module_app):
    return clean_module_app


def add(db, phone=PHONE, reason="callback", message="", priority="normal", hours_ago=0):
    pipe = db.pipeline()
    found = followups.add(pipe, phone, reason, "pmtct", "ussd", message, priority)
    pipe.execute()
    if hours_ago:  # made earlier: its creation and its due time move back together
        record = db.hgetall(followups.key(found))
        shift = int(hours_ago * 3600)
        db.hset(followups.key(found), mapping={"created_at": str(int(record["created_at"]) - shift),
                                               "due_at": str(int(record["due_at"]) - shift)})
    return found


def enrol(db, phone=PHONE, **fields):
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "consent_sms": "yes", "language": "sw",
                                          "stage": "pregnancy", "clinic": "Mathare North", **fields})


def queued(db):
    return list(db.scan_iter(match="sms:batch:*"))


def text_of(answer):
    return html.unescape(answer.get_data(as_text=True))


def test_her_follow_ups_are_one_card_and_mothers_with_an_urgent_one_come_first(client, db):
    sign_in(client, db, "staff")
    enrol(db)
    first = add(db, reason="callback", hours_ago=5)
    add(db, reason="sms_question", message="Naweza kunyonyesha?", hours_ago=3)
    add(db, reason="missed_visit", hours_ago=1)
    urgent = add(db, OTHER, reason="danger_sign", message="Mtoto ana homa", priority="urgent")
    page = text_of(client.get("/console/followups"))
    assert page.count('class="card mother') == 2
    card = page[page.index(f'id="m-{first}"'):page.index("</article>", page.index(f'id="m-{first}"'))]
    assert card.count('class="followup"') == 3 and "Mathare North" in card and "3 open" in card
    assert page.index(f'id="m-{urgent}"') < page.index(f'id="m-{first}"')


def test_the_list_is_narrowed_by_reason_and_by_overdue(client, db):
    sign_in(client, db, "staff")
    late_call = add(db, reason="callback", hours_ago=49)  # a call-back is due within 2 days
    fresh_call = add(db, OTHER, reason="callback", hours_ago=1)
    question = add(db, "+254712000333", reason="sms_question", message="Swali", hours_ago=80)
    page = text_of(client.get("/console/followups?reason=callback"))
    assert f'id="f-{late_call}"' in page and f'id="f-{fresh_call}"' in page
    assert f'id="f-{question}"' not in page and "2 follow-ups of 2 mothers match." in page
    page = text_of(client.get("/console/followups?due=overdue"))
    assert f'id="f-{late_call}"' in page and f'id="f-{question}"' in page
    assert f'id="f-{fresh_call}"' not in page and page.count('class="badge overdue">Overdue<') == 2
    page = text_of(client.get("/console/followups?reason=callback&due=overdue"))
    assert f'id="f-{late_call}"' in page and page.count('class="followup"') == 1
    page = text_of(client.get("/console/followups?reason=nonsense"))  # an unknown choice: all
    assert page.count('class="followup"') == 3


@pytest.mark.parametrize("words, said", [
    ("", "Write the SMS first."),
    ("Habari " * 80, "SMS parts. Keep it within 3 parts"),
    ("Habari \u201cmama\u201d, nipigie simu", "not plain SMS characters: \u201c  \u201d (the SMS would cost"),
    ("Please bring your ARVs to the clinic", "It names 'ARVs'"),
    ("Umepimwa VVU? Nipigie", "It names 'VVU'"),
    ("Your mentor mother will call you", "It names 'mentor mother'"),
])
def test_a_reply_that_would_cost_more_or_say_too_much_is_refused_and_nothing_is_sent(client, db,
                                                                                    words, said):
    sign_in(client, db, "staff")
    enrol(db)
    found = add(db)
    answer = client.post(f"/console/followups/{found}/reply", data={"csrf_token": TOKEN, "text": words})
    page = text_of(answer)
    assert answer.status_code == 422 and "Not sent:" in page and said in page
    assert words.strip()[:20] in page  # what she wrote is shown again to be corrected
    assert not queued(db) and not log.messages(db, PHONE)


@pytest.mark.parametrize("fields, said", [
    ({"opted_out": "yes"}, "She stopped all SMS (STOP)"),
    ({"sms_paused": "1790000000"}, "SMS to her are paused"),
])
def test_no_reply_is_queued_for_a_mother_who_stopped_sms_or_whose_sms_are_paused(client, db, fields,
                                                                               said):
    sign_in(client, db, "staff")
    enrol(db, **fields)
    found = add(db)
    assert said in text_of(client.get("/console/followups"))  # said before anyone writes
    answer = client.post(f"/console/followups/{found}/reply",
                         data={"csrf_token": TOKEN, "text": "Habari, nipigie simu."})
    assert answer.status_code == 422 and said in text_of(answer) and not queued(db)


def test_a_reply_without_the_form_token_is_refused(client, db):
    sign_in(client, db, "staff")
    enrol(db)
    found = add(db)
    answer = client.post(f"/console/followups/{found}/reply", data={"text": "Habari, nipigie simu."})
    assert answer.status_code == 400 and not queued(db)
    answer = client.post(f"/console/followups/{found}/reply",
                         data={"text": "Habari, nipigie simu.", "csrf_token": TOKEN})
    assert answer.status_code == 302 and len(queued(db)) == 1  # with the page's token it goes


def test_a_reply_goes_through_the_gateway_and_is_in_her_log_with_who_wrote_it(client, db, sms_app,
                                                                              at):
    sign_in(client, db, "staff", name="wanjiru")
    enrol(db)
    found = add(db)
    answer = client.post(f"/console/followups/{found}/reply",
                         data={"csrf_token": TOKEN, "text": "Habari mama,  nipigie simu kesho."})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"#m-{found}")
    assert "Your SMS to *********455 is on its way (1 part)" in text_of(client.get("/console/followups"))
    run_worker(sms_app)
    assert at.recipients() == [PHONE] and at.requests[0]["message"] == "Habari mama, nipigie simu kesho."
    (message,) = log.messages(db, PHONE)
    assert (message["kind"], message["text"], message["by"]) == (
        "staff", "Habari mama, nipigie simu kesho.", "wanjiru")
    page = text_of(client.post("/console/contacts", data={"phone": PHONE, "csrf_token": TOKEN}))
    assert "written by wanjiru" in page and "Sent her an SMS (1 part)" in page


def test_a_reply_queued_before_she_sent_stop_is_not_sent(client, db, sms_app, at):
    sign_in(client, db, "staff")
    enrol(db)
    found = add(db)
    client.post(f"/console/followups/{found}/reply", data={"csrf_token": TOKEN, "text": "Habari."})
    assert len(queued(db)) == 1
    db.hset(contacts.key(PHONE), "opted_out", "yes")  # STOP arrived while it waited in the queue
    run_worker(sms_app)
    assert at.recipients() == [] and not log.messages(db, PHONE)
