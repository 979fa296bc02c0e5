"""`flows check --compare`: texts whose English and Kiswahili differ in length or numbers.

The fixture, tests/language_compare/, says beside each key whether it must be
listed; the real content is compared too, and its list is read by a reviewer.
"""

import json
from pathlib import Path

import pytest

from bot.content.compare import LENGTH_RATIO, compare_languages, numbers_in
from bot.content.texts import Texts

FIXTURE = Path(__file__).parent / "language_compare"


def expected(word):
    """The keys whose comment in the English fixture starts with `word` (listed or quiet)."""
    lines = (FIXTURE / "visits.en.yml").read_text(encoding="utf-8").splitlines()
    return {f"visits.{line.split(':')[0]}" for before, line in zip(lines, lines[1:], strict=False)
            if before.startswith(f"# {word}:")}


@pytest.fixture(scope="module")
def differences():
    texts, problems = Texts.load(FIXTURE)
    assert problems == []
    return {d.key: d for d in compare_languages(texts)}


def test_the_fixture_lists_exactly_the_keys_marked_listed(differences):
    assert expected("listed") and expected("quiet")
    assert set(differences) == expected("listed")


def test_each_difference_says_why_and_where(differences):
    assert differences["visits.week_differs"].reason == "the numbers differ (en: 26; sw: 28)"
    assert differences["visits.number_left_out"].reason == "the numbers differ (en: 36; sw: none)"
    assert differences["visits.phone"].reason.startswith("the numbers differ (en: 1195; sw: 1159)")
    long = differences["visits.too_long"]
    assert long.reason.startswith("the sw text is 2.5 times as long (en 28, sw 71 characters)")
    assert (long.file, long.line) == ("locales/visits.sw.yml", 4)
    assert long.first.startswith("Give") and long.second.startswith("Mpe")


@pytest.mark.parametrize("text, numbers", [
    ("Chanjo ya wiki 6, 10 na 14.", ("6", "10", "14")),
    ("Tarehe 05-03-2027, saa 09:30", ("3", "5", "9", "30", "2027")),
    ("Nusu kikombe cha 250 ml, mara 2.5", ("2.5", "250")),
    ("Siku ya %{visit2} ni %{date}", ()),
])
def test_numbers_are_read_in_digits_only(text, numbers):
    assert numbers_in(text) == numbers


def test_the_command_lists_them_for_a_reviewer(runner, app):
    app.config.update(LOCALES_DIR=str(FIXTURE))
    result = runner.invoke(args=["flows", "check", "--compare"])
    assert result.exit_code == 0, result.output
    assert ("- locales/visits.sw.yml, line 2, key 'visits.week_differs': the numbers differ "
            "(en: 26; sw: 28).\n    en: Your next check is at 26 weeks.") in result.output
    assert f"4 text(s) to read in both languages: one is more than {LENGTH_RATIO} times" \
        in result.output
    found = json.loads(runner.invoke(args=["flows", "check", "--compare", "--json"]).output)
    assert {d["key"] for d in found} == expected("listed")
    assert found[0]["sw"] and found[0]["en"] and found[0]["line"]
