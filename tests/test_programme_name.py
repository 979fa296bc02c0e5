"""PROGRAMME_NAME_IN_SMS: the one name SMS give the programme, neutral by default."""

from datetime import date, datetime

import pytest

from bot import content_service, create_app
from bot.errors import InvalidSetting
from bot.reminders.dispatch import render
from bot.reminders.plan import Reminder
from bot.triage import Finding, reply_text

from .sms_helpers import run_worker, text

PHONE = "+254712000181"
NAME = "Afya Njema"


@pytest.fixture
def named_app(sms_app):
    """The app sending SMS, with the programme's own name for them."""
    sms_app.config["PROGRAMME_NAME_IN_SMS"] = NAME
    assert content_service.reload(sms_app) == []
    return sms_app


def sent_to(at):
    """The texts AT was asked to send to her, in order."""
    return [r["message"] for r in at.requests if PHONE in r["to"].split(",")]


def _reminder(key, **params):
    return Reminder("r1", datetime(2027, 3, 16, 10, 0), "visit_missed", key, params)


@pytest.mark.parametrize("language", ["en", "sw"])
def test_reminders_and_stage_messages_carry_the_name_she_may_be_seen_reading(named_app, language):
    content = content_service.current(named_app)
    contact = {"language": language}
    missed = render(content, contact, _reminder("sms_reminders.missed", date=date(2027, 3, 14),
                                                kind="anc", clinic="Mathare"))
    assert {"en": f"someone from {NAME} will call you",
            "sw": f"mhudumu wa {NAME} atakupigia"}[language] in missed
    week = render(content, contact, _reminder("sms_baby.w09"))
    assert NAME in week
    for sent in (missed, week):
        assert "Mentor" not in sent and "Mshauri" not in sent and "%{" not in sent


def test_automatic_replies_name_the_programme_through_the_setting(named_app, client, at):
    for words in ("HELP", "STOP", "START", "MENU"):
        text(client, PHONE, words)
        run_worker(named_app)
    help_reply, stopped, started, menu = sent_to(at)
    assert help_reply.startswith(f"{NAME}: reply MENU for the menu")
    assert stopped == f"You will get no more SMS from {NAME}. Reply START at any time to get them again."
    assert started.startswith(f"Your SMS are on again, but you have not joined {NAME} yet.")
    assert menu.startswith(f"{NAME}. Reply with a number:")
    assert not [sent for sent in sent_to(at) if "Mentor" in sent]


def test_a_danger_sign_reply_names_the_programme_and_a_health_worker(named_app):
    content = content_service.current(named_app)
    sign = next(s for s in content.danger_signs.signs.values() if s.action == "hospital")
    reply = reply_text(content, Finding(sign.id, sign.category, sign.action, "en", (sign.id,)), "en")
    assert reply.startswith(f"{NAME}: this is a danger sign")
    assert reply.endswith("A health worker will also call you.")


def test_the_default_name_says_nothing_of_hiv_or_peer_workers(app):
    assert app.config["PROGRAMME_NAME_IN_SMS"] == "Mama na Mtoto"
    assert content_service.current(app).texts.get("sms_replies.help", "sw").startswith(
        "Mama na Mtoto: jibu MENYU")


def test_her_own_ussd_screens_still_name_the_mentor_mothers(named_app):
    content = content_service.current(named_app)
    assert "A Mentor Mother will call you" in content.texts.get("mentor.done", "en")


@pytest.mark.parametrize(("name", "said"), [
    ("Mentor Mothers Kenya", "'Mentor Mothers' in the name"),
    ("Mama Mentor", "'Mama Mentor' in the name"),
    ("HIV-free babies", "'HIV' in the name"),
    ("Mama na Mtoto wa Kaunti ya Nairobi Mjini", "1 to 30 plain letters"),
    ("Mamá", "1 to 30 plain letters"),
    ("  ", "1 to 30 plain letters"),
])
def test_a_name_that_could_reveal_hiv_care_stops_the_bot_from_starting(redis_url, name, said):
    with pytest.raises(InvalidSetting) as refused:
        create_app({"TESTING": True, "REDIS_URL": redis_url, "PROGRAMME_NAME_IN_SMS": name})
    assert "PROGRAMME_NAME_IN_SMS" in str(refused.value) and said in str(refused.value)
