"""An enrolment the network cut off: one SMS if she agreed to SMS, resumed for a day, counted."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.sms_rules import PRIVATE_WORDS, PROGRAMME_WORDS
from bot.enrolment import recovery
from bot.store import contacts, forget

from .sms_helpers import run_worker
from .ussd_caller import Caller

# New number: English, join, the data consent (two pages), then yes or no to SMS.
TO_SMS_QUESTION = ("1", "1", "98", "1")


def _ends(client, caller, status="Incomplete", **extra):
    answer = client.post("/ussd/events", data={
        "sessionId": caller.session_id, "serviceCode": "*384*123#", "phoneNumber": caller.phone,
        "networkCode": "63902", "status": status, "errorMessage": "USER_TIMEOUT",
        "input": "*".join(caller.inputs), "durationInMillis": "41000", "cost": "0",
        "newField": "unknown fields are taken", **extra})
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "OK"


def _start(client, phone, *answers):
    caller = Caller(client, phone)
    caller.dial()
    for answer in answers:
        reply = caller.send(answer)
    return caller, reply


def _counts(db):
    (found,) = recovery.counts(db, [_today()]).values()
    return found


def _today():
    return datetime.now(ZoneInfo("Africa/Nairobi")).date()


def test_one_sms_after_a_drop_when_she_said_yes_to_sms(client, sms_app, at, db):
    caller, reply = _start(client, "+254712000990", *TO_SMS_QUESTION, "1")
    assert "SMS about HIV" in reply
    _ends(client, caller)
    _ends(client, caller)  # AT sends the same notification again: still one SMS
    run_worker(sms_app)
    assert at.recipients() == ["+254712000990"]
    message = at.requests[0]["message"]
    assert message == ("Your answers to join Mama na Mtoto are kept. Dial *384*123# again within a "
                       "day to carry on where you stopped.")
    assert not PRIVATE_WORDS.search(message) and not PROGRAMME_WORDS.search(message)
    assert _counts(db) == {"dropped": 1, "sms": 1, "recovered": 0}


def test_no_sms_before_she_agreed_to_sms_or_when_she_said_no(client, sms_app, at, db):
    early, _ = _start(client, "+254712000991", "1", "1", "98")  # the data consent only
    _ends(client, early)
    said_no, _ = _start(client, "+254712000992", *TO_SMS_QUESTION, "2")
    _ends(client, said_no, status="Failed")
    run_worker(sms_app)
    assert at.requests == []
    assert _counts(db) == {"dropped": 2, "sms": 0, "recovered": 0}


def test_nothing_for_a_finished_session_or_one_outside_the_enrolment(client, sms_app, at, db):
    done, _ = _start(client, "+254712000993", *TO_SMS_QUESTION, "1")
    _ends(client, done, status="Success")
    reading, _ = _start(client, "+254712000994", "1", "2", "2")  # no to joining: reading topics
    _ends(client, reading)
    other, _ = _start(client, "+254712000995", *TO_SMS_QUESTION, "1")
    _ends(client, other, sessionId="ATUid_another_session")  # not the session she is in
    run_worker(sms_app)
    assert at.requests == [] and _counts(db)["dropped"] == 0


def test_a_kiswahili_sms_and_the_code_only_when_it_is_a_ussd_code(client, sms_app, at, db):
    caller, _ = _start(client, "+254712000996", "2", "1", "98", "98", "1", "1")
    _ends(client, caller, serviceCode="<b>call 0700</b>")
    run_worker(sms_app)
    assert at.requests[0]["message"] == ("Majibu yako ya kujiunga na Mama na Mtoto yamehifadhiwa. "
                                         "Piga nambari yetu ya USSD tena ndani ya siku moja uendelee "
                                         "ulipoishia.")


def test_finishing_after_a_drop_counts_as_recovered(client, sms_app, at, db, runner):
    caller, _ = _start(client, "+254712000997", *TO_SMS_QUESTION, "1", "2")
    _ends(client, caller)
    caller.dial()
    assert "Are you pregnant, or is your baby born?" in caller.send("1")  # continue
    caller.send("2")  # the baby is born
    caller.send((_today() - timedelta(days=10)).strftime("%d-%m-%Y"))
    assert "Is this right?" in caller.send("Mathare North")  # her details read back
    caller.send("1")  # correct
    assert "Welcome to Mama Mentor!" in caller.send("2")
    assert _counts(db) == {"dropped": 1, "sms": 1, "recovered": 1}
    _start(client, "+254712000998", *TO_SMS_QUESTION, "1", "2", "2",
           (_today() - timedelta(days=10)).strftime("%d-%m-%Y"), "Mathare", "1", "2")
    assert db.hget(contacts.key("+254712000998"), "enrolled") == "yes"
    assert _counts(db)["recovered"] == 1  # an enrolment never cut off is not counted
    result = runner.invoke(args=["contacts", "enrolments", "--days", "2"])
    assert result.exit_code == 0, result.output
    assert f"{_today().isoformat()}        1         1          1" in result.output
    assert "In all: 1 cut off, 1 told by SMS, 1 recovered." in result.output


def test_forget_me_removes_the_mark_of_a_dropped_enrolment(client, sms_app, db):
    caller, _ = _start(client, "+254712000999", *TO_SMS_QUESTION, "1")
    _ends(client, caller)
    assert db.exists(recovery.mark_key(caller.phone))
    forget.forget(db, caller.phone)
    assert not db.exists(recovery.mark_key(caller.phone))
