"""A blank SMS asks nothing; an SMS that tells her to dial the menu gives the code (USSD_CODE)."""

import pytest

from bot import config, content_service, create_app
from bot.errors import InvalidSetting
from bot.store import contacts, followups

from .sms_helpers import run_worker, text

PHONE = "+254712000331"


def sent_to(at):
    return [r["message"] for r in at.requests if PHONE in r["to"].split(",")]


@pytest.mark.parametrize("blank", ["", " ", "\n", " \t\r\n "])
def test_a_blank_sms_files_nothing_and_gets_no_answer(client, sms_app, at, db, blank):
    assert text(client, PHONE, blank).get_data(as_text=True) == "OK"
    run_worker(sms_app)
    assert db.zcard(followups.OPEN) == 0 and sent_to(at) == []
    assert db.hget("sms:inbound", "blank") == "1"


def _ask_for_next_visit(client, sms_app):
    text(client, PHONE, "MENU")
    text(client, PHONE, "1")  # My next clinic visit: none saved
    run_worker(sms_app)


@pytest.mark.parametrize("language, words", [
    ("en", "No visit date is saved. Dial *384*4321# and choose Clinic visits to add it."),
    ("sw", "Hakuna tarehe iliyohifadhiwa. Piga *384*4321# na uchague Kliniki."),
])
def test_the_reply_that_says_dial_gives_the_code(client, sms_app, at, db, language, words):
    sms_app.config["USSD_CODE"] = "*384*4321#"
    assert content_service.reload(sms_app) == []
    db.hset(contacts.key(PHONE), "language", language)
    _ask_for_next_visit(client, sms_app)
    assert sent_to(at)[-1].startswith(words)


def test_without_a_code_the_reply_says_our_ussd_code_in_her_language(client, sms_app, at):
    _ask_for_next_visit(client, sms_app)
    assert sent_to(at)[-1].startswith("No visit date is saved. Dial our USSD code and choose "
                                      "Clinic visits to add it.")


@pytest.mark.parametrize("written, kept", [("*384*123#", "*384*123#"), (" *384*123# ", "*384*123#"),
                                          ("", "")])
def test_a_ussd_code_is_read_as_dialled(written, kept):
    assert config.ussd_code(written) == kept


@pytest.mark.parametrize("written", ["384123", "*384*123", "0712345678", "*384*123#; rm", "*" * 30])
def test_a_mistyped_ussd_code_stops_the_bot_naming_the_setting(redis_url, written):
    with pytest.raises(InvalidSetting, match="USSD_CODE"):
        create_app({"TESTING": True, "REDIS_URL": redis_url, "USSD_CODE": written})
