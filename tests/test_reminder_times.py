"""Visit reminders say the time the register gave, as she would say it, in both languages."""

from datetime import date, time

import pytest

from bot.content.sms_rules import PRIVATE_WORDS
from bot.reminders import clock, dispatch
from bot.store import contacts, visits

from .test_reminder_plan import CONTENT, RULES, at, plan, visit
from .test_reminders_dispatch import gateway, moment, run  # noqa: F401 (the gateway fixture)


@pytest.mark.parametrize("when, english, swahili", [
    (time(9, 30), "9:30 am", "saa 3:30 asubuhi"),
    (time(7, 0), "7:00 am", "saa 1:00 asubuhi"),
    (time(12, 0), "12:00 pm", "saa 6:00 mchana"),
    (time(14, 15), "2:15 pm", "saa 8:15 mchana"),
    (time(17, 0), "5:00 pm", "saa 11:00 jioni"),
    (time(20, 0), "8:00 at night", "saa 2:00 usiku"),
])
def test_the_time_is_said_as_she_would_say_it(when, english, swahili):
    assert clock.spoken(CONTENT.texts, "en", when) == english
    assert clock.spoken(CONTENT.texts, "sw", when) == swahili


@pytest.mark.parametrize("language, now, expected", [
    ("en", "2026-11-25T10:00", "Reminder: your pregnancy check at Mathare is tomorrow, 26-11-2026, "
                               "at 9:30 am. Please bring your clinic book."),
    ("en", "2026-11-26T08:00", "Your pregnancy check at Mathare is today at 9:30 am."),
    ("sw", "2026-11-25T10:00", "Kikumbusho: kesho, 26-11-2026, saa 3:30 asubuhi, ni siku ya ukaguzi "
                               "wa ujauzito. Nenda Mathare na kitabu"),
    ("sw", "2026-11-26T08:00", "Leo ni siku ya ukaguzi wa ujauzito. Nenda Mathare saa 3:30 asubuhi "
                               "na ubebe kitabu chako cha kliniki."),
])
def test_a_reminder_says_the_time_when_the_register_gave_one(language, now, expected):
    contact = {"language": language}
    reminder = _first(contact, visit("2026-11-26", time="09:30"), now)
    assert dispatch.render(CONTENT, contact, reminder).startswith(expected)


def _first(contact, booked, now):
    """The reminder that falls due at `now` (on the day, the morning one)."""
    return [r for r in plan(contact, booked, now).due if r.at == at(now)][0]


def test_without_a_time_the_reminder_says_none():
    contact = {"language": "sw"}
    (reminder,) = plan(contact, visit("2026-11-26"), "2026-11-25T10:00").due
    text = dispatch.render(CONTENT, contact, reminder)
    assert text.startswith("Kikumbusho: kesho, 26-11-2026, ni siku ya ukaguzi wa ujauzito.")
    assert "saa" not in text


def test_every_timed_reminder_fits_one_sms_and_names_no_hiv_care():
    for language in ("en", "sw"):
        for kind in visits.KINDS:
            contact = {"language": language}
            for now in ("2026-11-25T10:00", "2026-11-26T08:00"):
                reminder = _first(contact, visit("2026-11-26", kind, time="16:45",
                                                 clinic="Kariobangi North Health Ctr"), now)
                text = dispatch.render(CONTENT, contact, reminder)
                assert len(text) <= 160 and not PRIVATE_WORDS.search(text), text


def test_the_time_reaches_her_phone_through_the_sdk(db, gateway, at):  # noqa: F811
    phone = "+254712000960"
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "consent_sms": "yes",
                                          "enrolled_on": "2026-11-01", "language": "sw"})
    pipe = db.pipeline()
    visits.add(pipe, phone, date(2026, 11, 26), "immunisation", "09:30", "Mathare North",
               source="import")
    pipe.execute()
    dispatch.reschedule(db, CONTENT, phone, moment("2026-11-20T09:00"), RULES)
    assert run(db, gateway, "2026-11-25T10:00").sent == 1
    assert "kesho, 26-11-2026, saa 3:30 asubuhi, ni siku ya chanjo ya mtoto" in (
        at.requests[0]["message"])
