"""A call asked for after the development check is a `development` follow-up everywhere staff look."""

from bot.api import tokens
from bot.engine import actions
from bot.store import contacts, followups

from .test_console_auth import sign_in
from .ussd_caller import Caller

PHONE = "+254712000931"
# Play, "1 week to 6 months", its second page, Continue, Check my child's development,
# 22 months; hearing yes, vision yes, walking alone no, pointing yes, no skill lost;
# Continue; Ask a Mentor Mother to call.
TO_THE_CALL = ["3", "2", "98", "1", "4", "22", "1", "1", "2", "1", "2", "1", "1"]


def ask_for_a_call(client, db):
    db.hset(contacts.key(PHONE), mapping={"language": "en", "enrol_offered": "yes"})
    caller = Caller(client, PHONE)
    caller.dial()
    for answer in TO_THE_CALL[:-1]:
        caller.send(answer)
    return caller.send(TO_THE_CALL[-1])


def test_the_call_is_listed_as_a_development_follow_up(client, db, runner):
    last = ask_for_a_call(client, db)
    assert last.startswith("END Thank you. A Mentor Mother will call you soon.")
    assert "go to the nearest hospital now" in last

    listed = runner.invoke(args=["followups", "list"]).output
    assert f"{PHONE}  development check (ussd) child of 22 months" in listed

    headers = {"Authorization": f"Bearer {tokens.create(db, 'emr-test')}"}
    found = client.get("/api/followups?reason=development", headers=headers).get_json()
    assert [(f["phone"], f["reason"], f["topic"]) for f in found["followups"]] == [
        (PHONE, "development", "child of 22 months")]
    assert client.get("/api/followups?reason=callback", headers=headers).get_json()[
        "followups"] == []

    token = sign_in(client, db, "staff")
    page = client.get("/console/followups").get_data(as_text=True)
    assert "Development check" in page and "child of 22 months" in page
    contact = client.post("/console/contacts", data={"phone": PHONE, "csrf_token": token})
    assert "development check (child of 22 months)" in contact.get_data(as_text=True)


def test_every_reason_a_flow_may_give_is_one_staff_can_read():
    assert set(actions.CALLBACK_REASONS) <= set(followups.REASONS)
