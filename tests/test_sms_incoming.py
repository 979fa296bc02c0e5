"""Clients text the bot: keywords, the SMS menu, questions, and what is never sent."""

import pytest

from bot.sms.keywords import keyword
from bot.store import contacts, followups

from .sms_helpers import run_worker, text

PHONE = "+254712000001"


def sent_to(at_server, phone=PHONE):
    """The texts AT was asked to send to `phone`, in order."""
    return [r["message"] for r in at_server.requests if phone in r["to"].split(",")]


@pytest.mark.parametrize("words, meaning", [
    ("STOP", "stop"), (" stop ", "stop"), ("Stop.", "stop"), ("STP", "stop"), ("sotp", "stop"),
    ("Stop please", "stop"), ("ACHA", "stop"), ("sitaki", "stop"), ("unsubscribe", "stop"),
    ("START", "start"), ("strat", "start"), ("Anza", "start"), ("help", "help"), ("HELP!", "help"),
    ("msaada", "help"), ("menu", "menu"), ("Menyu", "menu"), ("Kiswahili", "kiswahili"),
    ("swahili", "kiswahili"), ("ENGLISH", "english"), ("kiingereza", "english"),
    ("help me please i have pain in my belly", None), ("stopped bleeding yesterday", None),
    ("", None), ("😀", None), ("12", None),
    # Opt-outs in plain words, in both languages
    ("stop sending me these", "stop"), ("Please stop these messages", "stop"),
    ("no more sms please", "stop"), ("I dont want these sms", "stop"), ("Stop texting me", "stop"),
    ("remove me from this list", "stop"), ("sitaki hizi jumbe tena", "stop"),
    ("acha kunitumia jumbe", "stop"), ("usinitumie tena", "stop"), ("Acheni jumbe zenu", "stop"),
    # ...and questions that only look like them: a Mentor Mother reads these
    ("stop the medicine?", None), ("sitaki kunyonyesha", None), ("I want to stop ARVs", None),
    ("how do I stop the bleeding", None), ("My baby stopped breastfeeding, what do I do", None),
    ("help my baby", None), ("end of the pills, where do I get more", None),
])
def test_keywords_in_both_languages_and_common_misspellings(words, meaning):
    assert keyword(words) == meaning


def test_stop_confirms_once_and_then_nothing_is_sent_until_start(client, sms_app, at, db):
    db.hset(contacts.key(PHONE), mapping={"enrolled": "yes", "consent_sms": "yes"})
    assert text(client, PHONE, "STOP").get_data(as_text=True) == "OK"
    text(client, PHONE, "stop")
    text(client, PHONE, "HELP")
    run_worker(sms_app)
    assert sent_to(at) == ["You will get no more SMS from Mama na Mtoto. Reply START at any time "
                           "to get them again."]
    assert db.hget(contacts.key(PHONE), "opted_out") == "yes"
    text(client, PHONE, "Anza")
    run_worker(sms_app)
    assert sent_to(at)[-1].startswith("Welcome back. You will get Mama na Mtoto SMS again.")


def test_a_reply_queued_before_stop_is_never_sent(client, sms_app, at):
    text(client, PHONE, "help")  # the reply waits in the queue ...
    text(client, PHONE, "stop")  # ... when she opts out
    run_worker(sms_app)
    assert sent_to(at) == ["You will get no more SMS from Mama na Mtoto. Reply START at any time "
                           "to get them again."]


def test_the_same_message_delivered_twice_is_handled_once(client, sms_app, at):
    text(client, PHONE, "help", message_id="AT-1")
    text(client, PHONE, "help", message_id="AT-1")
    run_worker(sms_app)
    assert len(sent_to(at)) == 1


@pytest.mark.parametrize("sender", ["22384", "MPESA", "Safaricom", "+25420123456", "0"])
def test_no_automatic_reply_to_shortcodes_sender_names_or_landlines(client, sms_app, at, sender):
    assert text(client, sender, "help").status_code == 200
    run_worker(sms_app)
    assert at.requests == []


def test_automatic_replies_are_capped_per_hour(client, sms_app, at):
    for _ in range(8):
        text(client, PHONE, "help")
    run_worker(sms_app)
    assert len(sent_to(at)) == 5


def test_language_keyword_switches_replies(client, sms_app, at, db):
    text(client, PHONE, "Kiswahili")
    text(client, PHONE, "help")
    run_worker(sms_app)
    assert sent_to(at) == ["Jumbe zako sasa zitakuwa kwa Kiswahili.",
                           "Mama na Mtoto: jibu MENYU kupata menyu, ACHA kusimamisha SMS zote, ANZA "
                           "kuzipata tena, ENGLISH kwa Kiingereza. Kujibu ni bure."]
    assert db.hget(contacts.key(PHONE), "language") == "sw"


def test_the_sms_menu_runs_on_the_same_engine(client, sms_app, at, db):
    text(client, PHONE, "MENU")
    text(client, PHONE, "2")
    run_worker(sms_app)
    menu, done = sent_to(at)
    assert menu.startswith("Mama na Mtoto. Reply with a number:\n1. My next clinic visit")
    assert len(menu) <= 160
    assert done == ("Thank you. A health worker from Mama na Mtoto will call you on this number "
                    "soon. If you or your baby are very sick, go to the nearest hospital now.")
    (followup_id,) = db.zrange(followups.OPEN, 0, -1)
    assert db.hget(followups.key(followup_id), "channel") == "sms"


def test_free_text_is_kept_for_a_mentor_mother(client, sms_app, at, db):
    text(client, PHONE, "My baby is 5 months, can I start giving her porridge?")
    run_worker(sms_app)
    assert sent_to(at) == ["Thank you for your message. A health worker from Mama na Mtoto will "
                           "read it and reply soon. If you or your baby are very sick, go to the "
                           "nearest hospital now."]
    (followup_id,) = db.zrange(followups.OPEN, 0, -1)
    record = db.hgetall(followups.key(followup_id))
    assert record["reason"] == "sms_question" and record["message"].startswith("My baby is 5")
    assert record["priority"] == "normal"  # a danger sign is urgent: see test_urgent_messages


def test_transient_at_failures_are_retried_and_sent_once(client, sms_app, at):
    at.plan += ["500", "429"]
    text(client, PHONE, "help")
    run_worker(sms_app)
    assert len(sent_to(at)) == 1


@pytest.mark.parametrize("form", [{}, {"from": PHONE}, {"id": "x"}])
def test_incoming_without_id_or_sender_is_a_400(client, form):
    answer = client.post("/sms/incoming", data=form)
    assert answer.status_code == 400 and answer.get_data(as_text=True).startswith("Bad request")


def test_webhook_and_worker_logs_hold_no_number_and_no_text(client, sms_app, at, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    text(client, PHONE, "My baby has a fever since yesterday")
    text(client, PHONE, "help")
    at.plan.append("500")
    run_worker(sms_app)
    assert len(sent_to(at)) == 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "712000001" not in logged
    for words in ("fever", "will read it and reply soon", "reply MENU"):
        assert words not in logged
