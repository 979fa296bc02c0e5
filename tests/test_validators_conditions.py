"""Answer checks and flow conditions, from tables of (input, expected)."""

from datetime import date

import pytest

from bot.engine import conditions, validators

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("answer, expected", [
    ("15-03-2027", "2027-03-15"), ("15/03/2027", "2027-03-15"), ("15.3.2027", "2027-03-15"),
    ("15*03*2027", "2027-03-15"), ("15 03 27", "2027-03-15"), ("15032027", "2027-03-15"),
    ("31-02-2027", None), ("2027-03-15", None), ("tomorrow", None), ("", None),
    ("20-11-2026", None),  # yesterday: before min_days 0
    ("22-11-2027", None),  # beyond max_days 365
])
def test_dates(answer, expected):
    rules = {"type": "date", "min_days": 0, "max_days": 365}
    assert validators.check(rules, answer, TODAY) == expected


@pytest.mark.parametrize("answer, hint", [
    ("31-02-2027", "common.hint_no_such_date"), ("29/02/2027", "common.hint_no_such_date"),
    ("32032027", "common.hint_no_such_date"), ("15-13-2027", "common.hint_no_such_date"),
    ("22-11-2027", None),  # a real day, only too far ahead: the question's own hint says so
    ("tomorrow", None), ("2027-03-15", None),
])
def test_a_date_that_does_not_exist_is_told_apart_from_one_out_of_range(answer, hint):
    assert validators.refusal({"type": "date", "min_days": 0, "max_days": 365}, answer) == hint


@pytest.mark.parametrize("answer, expected, hint", [
    ("2", None, "common.hint_words"), ("12 3", None, "common.hint_words"),
    ("Kibera", "Kibera", None), ("Mathare 2", "Mathare 2", None), ("  ", None, None),
])
def test_a_name_needs_letters(answer, expected, hint):
    rules = {"type": "text", "max_length": 30, "min_letters": 2}
    assert validators.check(rules, answer, TODAY) == expected
    assert validators.refusal(rules, answer) == (hint if expected is None else None)


@pytest.mark.parametrize("answer, expected", [
    ("1", "yes"), ("Ndiyo", "yes"), (" yes ", "yes"), ("2", "no"), ("hapana", "no"),
    ("NO", "no"), ("3", None), ("maybe", None),
])
def test_yes_no_in_both_languages(answer, expected):
    assert validators.check({"type": "yes_no"}, answer, TODAY) == expected


@pytest.mark.parametrize("answer, expected", [
    ("12", "12"), ("12.5", "12.5"), ("12,5", "12.5"), ("3", None), ("50", None), ("1e3", None),
    ("", None), ("12 weeks", None),
])
def test_numbers_in_a_range(answer, expected):
    assert validators.check({"type": "number", "min": 4, "max": 42}, answer, TODAY) == expected


def test_choices_and_free_text():
    rules = {"type": "choice", "choices": [{"value": "a", "text": "x.a"}, {"value": "b", "text": "x.b"}]}
    assert [validators.check(rules, a, TODAY) for a in ("1", "2", "3", "0", "b")] == [
        "a", "b", None, None, None]
    assert validators.check({"type": "text", "max_length": 20}, "  Mathare   North ", TODAY) == (
        "Mathare North")
    assert validators.check({"type": "text", "max_length": 5}, "Mathare", TODAY) is None


@pytest.mark.parametrize("condition, expected", [
    ({"field": "language", "equals": "sw"}, True),
    ({"field": "language", "equals": "SW "}, True),
    ({"field": "language", "not_equals": "sw"}, False),
    ({"field": "language", "one_of": ["en", "sw"]}, True),
    ({"field": "missing", "is_set": False}, True),
    ({"field": "missing", "equals": "x"}, False),
    ({"field": "missing", "not_equals": "x"}, True),
    ({"result": "weeks", "at_least": 20}, True),
    ({"result": "weeks", "at_most": 20}, False),
    ({"field": "language", "at_least": 3}, False),  # not a number: never true
    ({"all": [{"field": "language", "equals": "sw"}, {"result": "weeks", "equals": 24}]}, True),
    ({"any": [{"field": "language", "equals": "en"}, {"result": "weeks", "at_most": 4}]}, False),
    ({"not": {"field": "language", "equals": "en"}}, True),
    ({"field": "__class__", "is_set": True}, False),  # names are only keys, never attributes
])
def test_conditions(condition, expected):
    assert conditions.holds(condition, {"language": "sw"}, {"weeks": "24"}) is expected
