"""What mothers, AT or a file wrote can never forge a line or move the cursor on a staff terminal."""

import pytest

from bot.cli.shown import shown
from bot.store import contacts

from .sms_helpers import text

FORGED = "Is it safe?\n99  URGENT  2026-01-01 00:00  +254799999999  Asked for a call (sms)"


def test_a_newline_in_an_sms_cannot_forge_a_line_in_followups_list(client, runner):
    text(client, "+254712000001", FORGED)
    listed = runner.invoke(args=["followups", "list"]).output
    assert len(listed.splitlines()) == 1
    assert "Is it safe?\\n99  URGENT" in listed


def test_contacts_show_escapes_what_a_caller_or_a_file_wrote(client, runner, db):
    text(client, "+254712000001", "help")
    db.hset(contacts.key("+254712000001"), "clinic", "Mathare\x1b[2J\r\u202eclinic")
    shown_contact = runner.invoke(args=["contacts", "show", "0712000001"]).output
    assert "clinic: Mathare\\x1b[2J\\r\\u202eclinic" in shown_contact
    assert not any(char in shown_contact for char in "\x1b\r\u202e")


@pytest.mark.parametrize("raw, printed", [
    ("plain words, Kiswahili: habari", "plain words, Kiswahili: habari"),
    ("a\nb\r\tc", "a\\nb\\r\\tc"),
    ("\x00\x7f\x9b\x85", "\\x00\\x7f\\x9b\\x85"),
    ("\u2028\u2029\u202e\u2066", "\\u2028\\u2029\\u202e\\u2066"),
])
def test_every_control_character_is_printed_as_its_escape(raw, printed):
    assert shown(raw) == printed
