"""Where screens break: at sentence or clause ends, never inside a phrase, a question with its
answers (bot/engine/breaks.py and screens.py)."""

import pytest

from bot.content.screen_rules import read_through
from bot.engine import breaks
from bot.engine.screens import Block, Nav, paginate

from .test_settings_numbers import CONTENT

NAV = Nav("More", "Back", "Menu", True, True)


@pytest.mark.parametrize("before, after, kind", [
    ("e.g.", "02-11-2026:", breaks.BAD), ("mfano", "15-03-2027", breaks.BAD),
    ("6", "months", breaks.BAD), ("duka", "la", breaks.BAD), ("the", "clinic", breaks.BAD),
    ("delivery,", "about", breaks.CLAUSE), ("day-month-year,", "e.g.", breaks.CLAUSE),
    ("night.", "If", breaks.SENTENCE), ("it?", "Reply", breaks.SENTENCE),
    ("(HIV).", "Tell", breaks.SENTENCE), ("clinic", "reminders", breaks.WORD),
])
def test_each_place_a_screen_may_end_is_ranked(before, after, kind):
    assert breaks.kind_of_break(before, after) == kind


@pytest.mark.parametrize("text, room, head", [
    # The examples from the first week of use: never "e.g." / "02-11-2026:", "every 6" /
    # "months", "duka" / "la dawa".
    ("Please enter a date that is not in the future, as day-month-year, e.g. 02-11-2026.", 80,
     "Please enter a date that is not in the future, as day-month-year,"),
    ("Test again at delivery, and then every 6 months while you breastfeed.", 45,
     "Test again at delivery, and then every"),
    ("Mpime kwa kifaa kutoka kliniki au duka la dawa na ujue", 42, "Mpime kwa kifaa kutoka"),
    ("Go now. Then rest.", 12, "Go now."),
])
def test_a_text_is_split_at_the_best_place_that_fits(text, room, head):
    found, tail = breaks.split(text, room)
    assert found == head and len(found) <= room
    assert f"{found} {tail}" == text


def test_a_question_moves_with_its_answers_when_they_do_not_fit_after_it():
    text = "Babies learn fast. " * 8 + "Do you want SMS about play?"
    blocks = [Block(text), Block("1. Yes", True), Block("2. No", True)]
    pages = paginate(blocks, NAV)
    assert pages[-1].startswith("Do you want SMS about play?\n1. Yes\n2. No")
    assert all(len(page) <= 182 for page in pages)


def test_a_short_text_and_its_question_stay_on_one_line():
    pages = paginate([Block("Welcome. Do you agree?"), Block("1. Yes", True)], NAV)
    assert pages == ["Welcome. Do you agree?\n1. Yes\n0. Back 00. Menu"]


@pytest.mark.parametrize("language", CONTENT.languages)
def test_the_birth_date_question_with_its_hint_never_splits_the_example(language):
    flow = CONTENT.flows["settings"]
    pages = read_through(CONTENT, flow, "baby_born_date", language, 4,
                         notice="enrol.birth_date_hint")
    for page in pages:
        assert not page.split("\n")[-2].endswith(("e.g.", "mfano")), pages
