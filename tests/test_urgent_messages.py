"""A mother who writes of a danger sign, by SMS or on USSD, is answered at once and reaches a person.

Through the real webhooks, Redis, RQ worker and the fake Africa's Talking server.
"""

import dataclasses
import logging
from datetime import date, timedelta

import pytest

from bot import content_service, triage, urgent
from bot.api import tokens
from bot.store import contacts, followups

from .sms_helpers import run_worker, text
from .test_console_auth import sign_in
from .ussd_caller import Caller

MOTHER = "+254712000601"
EXAMPLE = "My baby has a fever since yesterday and is not breastfeeding, what should I do?"
SWAHILI = "Mtoto wangu ana homa tangu jana na hataki kunyonya, nifanye nini?"
ON_DUTY = ("+254722000901", "+254733000902")
DUE = (date.today() + timedelta(days=150)).strftime("%d-%m-%Y")


def sent_to(at, phone):
    return [r["message"] for r in at.requests if phone in r["to"].split(",")]


def expected(app, words, language, answer=triage.reply_text):
    """What the bot should answer to `words` in `language`: the danger sign it names, hospital now."""
    content = content_service.current(app)
    finding = triage.detect(content.danger_signs, words)
    assert finding is not None, f"no danger sign found in {words!r}"
    return answer(content, finding, language)


def urgent_followups(db):
    return [r for r in followups.open_list(db, 100) if followups.priority(r) == "urgent"]


def test_the_example_is_answered_at_once_and_listed_first_everywhere(client, sms_app, at, db,
                                                                      caplog):
    caplog.set_level(logging.DEBUG)
    text(client, "+254712000602", "When is my next visit?")  # an older, normal question
    text(client, MOTHER, EXAMPLE)
    run_worker(sms_app)
    (reply,) = sent_to(at, MOTHER)
    assert reply == expected(sms_app, EXAMPLE, "en")
    assert "nearest hospital" in reply and "not feeding" in reply and len(reply) <= 306
    (record,) = urgent_followups(db)
    assert record["phone"] == MOTHER and record["channel"] == "sms"
    assert record["reason"] == "danger_sign" and record["message"] == EXAMPLE
    assert record["topic"] in ("newborn", "child", "any")
    # Listed first: console, command line, API.
    sign_in(client, db, "staff")
    page = client.get("/console/followups").get_data(as_text=True)
    listed = page[page.index('<section class="section'):]  # after the filters, which name reasons too
    assert listed.index(f'id="f-{record["id"]}"') < listed.index("Sent a question")
    listed = sms_app.test_cli_runner().invoke(args=["followups", "list"]).output.splitlines()
    assert listed[0].startswith(f"{record['id']}  URGENT") and "normal" in listed[1]
    sign = record["sign"].replace("_", " ")
    assert f"wrote of a danger sign (sms) {record['topic']} {sign} \"My baby" in listed[0]
    token = tokens.create(db, "emr-test")
    body = client.get("/api/followups", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert [f["priority"] for f in body["followups"]] == ["urgent", "normal"]
    assert body["followups"][0]["id"] == record["id"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "fever" not in logged and "breastfeeding" not in logged and "712000601" not in logged


def test_a_kiswahili_message_from_an_unknown_number_is_answered_in_kiswahili(client, sms_app, at,
                                                                              db):
    assert not db.exists(contacts.key(MOTHER))
    text(client, MOTHER, SWAHILI)
    run_worker(sms_app)
    assert sent_to(at, MOTHER) == [expected(sms_app, SWAHILI, "sw")]
    assert expected(sms_app, SWAHILI, "sw") != expected(sms_app, SWAHILI, "en")


def test_her_own_language_comes_before_the_language_she_wrote_in(client, sms_app, at, db):
    db.hset(contacts.key(MOTHER), "language", "en")
    text(client, MOTHER, SWAHILI)
    run_worker(sms_app)
    assert sent_to(at, MOTHER) == [expected(sms_app, SWAHILI, "en")]


def test_the_hourly_cap_never_holds_back_an_urgent_answer(client, sms_app, at):
    for _ in range(sms_app.config["SMS_REPLIES_PER_HOUR"]):
        text(client, MOTHER, "help")
    text(client, MOTHER, EXAMPLE)
    text(client, MOTHER, "help")  # past the cap: dropped
    run_worker(sms_app)
    replies = sent_to(at, MOTHER)
    assert len(replies) == sms_app.config["SMS_REPLIES_PER_HOUR"] + 1
    assert expected(sms_app, EXAMPLE, "en") in replies


def test_an_urgent_answer_goes_at_any_hour(client, sms_app, at):
    sms_app.config.update(SEND_FROM="00:00", SEND_UNTIL="00:01")  # the bulk window is closed
    text(client, MOTHER, EXAMPLE)
    run_worker(sms_app)
    assert sent_to(at, MOTHER) == [expected(sms_app, EXAMPLE, "en")]


def test_after_stop_she_gets_no_sms_but_a_mentor_mother_is_told(client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = ON_DUTY
    text(client, MOTHER, "STOP")
    run_worker(sms_app)
    text(client, MOTHER, EXAMPLE)
    run_worker(sms_app)
    assert len(sent_to(at, MOTHER)) == 1  # only the one confirmation of STOP
    (record,) = urgent_followups(db)
    assert record["phone"] == MOTHER
    assert all(len(sent_to(at, number)) == 1 for number in ON_DUTY)


def test_on_duty_mentor_mothers_get_her_masked_number_and_never_her_words(client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = ON_DUTY
    text(client, MOTHER, EXAMPLE)
    run_worker(sms_app)
    (record,) = urgent_followups(db)
    alerts = [sent_to(at, number) for number in ON_DUTY]
    assert alerts[0] == alerts[1] and len(alerts[0]) == 1
    (alert,) = alerts[0]
    assert alert.startswith("Mama na Mtoto URGENT: a mother (*********601) wrote of a ")
    assert record["id"] in alert and len(alert) <= 160
    assert "712000601" not in alert and "fever" not in alert and "breastfeeding" not in alert


@pytest.mark.parametrize("category", ["pregnancy", "after_birth", "newborn", "child", "any",
                                      "self_harm", "violence", "unknown"])
@pytest.mark.parametrize("language", ["en", "sw"])
def test_every_alert_is_one_sms_in_both_languages(app, category, language):
    from bot.content import gsm
    from bot.urgent import alerts_for

    content = dataclasses.replace(content_service.current(app), default_language=language)
    (alert,) = alerts_for(content, {"URGENT_ALERT_PHONES": ON_DUTY[:1]}, MOTHER, "5f2c9a1b7e3d",
                          category)
    assert alert.phone == ON_DUTY[0] and alert.kind == "alert"
    assert gsm.encoding(alert.text) == "GSM-7" and gsm.length(alert.text) <= 160, alert.text
    assert "*********601" in alert.text and "5f2c9a1b7e3d" in alert.text


def test_a_mentor_mother_who_writes_of_a_danger_sign_is_not_alerted_about_herself(app):
    from bot.urgent import alerts_for

    alerts = alerts_for(content_service.current(app), {"URGENT_ALERT_PHONES": ON_DUTY},
                        ON_DUTY[0], "5f2c9a1b7e3d", "any")
    assert [alert.phone for alert in alerts] == [ON_DUTY[1]]


def test_a_normal_question_stays_normal(client, sms_app, at, db):
    text(client, MOTHER, "When is my next clinic visit?")
    run_worker(sms_app)
    assert sent_to(at, MOTHER) == ["Thank you for your message. A health worker from Mama na "
                                   "Mtoto will read it and reply soon. If you or your baby are very "
                                   "sick, go to the nearest hospital now."]
    (record,) = followups.open_list(db, 10)
    assert record["reason"] == "sms_question" and followups.priority(record) == "normal"


def test_a_caller_typing_a_danger_sign_on_ussd_gets_the_hospital_screen(client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = ON_DUTY[:1]
    db.hset(contacts.key(MOTHER), mapping={"language": "sw", "enrol_offered": "yes"})
    caller = Caller(client, MOTHER)
    assert "Chagua mada" in caller.dial()
    screen = caller.send(SWAHILI)
    assert screen == "END " + expected(sms_app, SWAHILI, "sw", urgent.screen_text)
    assert "hospitali iliyo karibu sasa hivi" in screen
    assert len(screen) - 4 <= 182
    (record,) = urgent_followups(db)
    assert record["channel"] == "ussd" and record["message"] == SWAHILI
    run_worker(sms_app)
    (alert,) = sent_to(at, ON_DUTY[0])
    assert record["id"] in alert and sent_to(at, MOTHER) == []
    assert "Chagua mada" in caller.dial()  # the next dial starts afresh


def at_the_clinic_question(client, phone):
    """A new caller joining on USSD, up to the one question answered in her own words."""
    caller = Caller(client, phone)
    caller.dial()
    for answer in ("1", "1", "98", "1", "1", "1", "1", "1"):
        caller.send(answer)
    assert "Type your clinic's code (on your clinic card) or its name" in caller.send(DUE)
    return caller


def test_words_typed_as_a_free_text_answer_are_read_too(client, db):
    caller = at_the_clinic_question(client, MOTHER)
    screen = caller.send("my baby is having fits")
    assert screen.startswith("END Danger sign: fits (convulsions). Go to the nearest hospital now")
    assert db.hget(contacts.key(MOTHER), "clinic") is None  # not taken as her clinic
    (record,) = urgent_followups(db)
    assert record["channel"] == "ussd" and record["message"] == "my baby is having fits"


def test_a_valid_answer_is_never_diverted(client, db):
    caller = at_the_clinic_question(client, MOTHER)
    assert "Clinic: Mathare North. Is this right?" in caller.send("Mathare North")
    assert "Would you like a 4-digit PIN?" in caller.send("1")
    assert "Welcome to Mama Mentor!" in caller.send("2")
    assert db.hget(contacts.key(MOTHER), "clinic") == "Mathare North"
    assert "Choose a topic" in caller.send("1")
    assert "Reply with a number" in caller.send("hello")  # words, no danger sign: the hint
    assert caller.send("1").startswith("CON Protect baby from HIV")  # a number is an answer
    assert urgent_followups(db) == []


@pytest.mark.parametrize("language", ["en", "sw"])
def test_the_ussd_screen_for_every_sign_fits_one_screen_in_plain_characters(app, language):
    from bot.content import gsm

    content = content_service.current(app)
    for sign in content.danger_signs.signs.values():
        finding = triage.Finding(sign.id, sign.category, sign.action, language, (sign.id,))
        screen = urgent.screen_text(content, finding, language)
        assert len(screen) <= 182 and gsm.encoding(screen) == "GSM-7", screen
        assert content.texts.get(sign.name, language) in screen
        assert ("hospital" in screen) if language == "en" else ("hospitali" in screen)
