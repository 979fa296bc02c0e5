"""The glossary itself (locales/glossary.yml) holds together with the texts it guards.

The checker's rules are tested from fixtures in tests/checker_cases/glossary_*.yaml;
these tests catch a glossary edit that would make them say nothing or the wrong thing.
"""

import fnmatch
import json
from pathlib import Path

import jsonschema
import pytest

from bot.content import glossary, yamlfile
from bot.content.texts import Texts

LOCALES = Path(__file__).parent.parent / "locales"


@pytest.fixture(scope="module")
def data():
    found, _, duplicates = yamlfile.load((LOCALES / glossary.FILE).read_text(encoding="utf-8"))
    assert duplicates == []
    schema = json.loads((LOCALES / glossary.SCHEMA).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(found)
    return found


@pytest.fixture(scope="module")
def terms(data):
    found, lines, _ = yamlfile.load((LOCALES / glossary.FILE).read_text(encoding="utf-8"))
    return glossary.build_glossary(found, lines)


def test_every_exception_names_a_text_that_exists(data):
    texts, _ = Texts.load(LOCALES)
    keys = set(texts.strings["sw"])
    for term in data["terms"]:
        for pattern in term.get("except", []):
            assert fnmatch.filter(keys, pattern), f"{term['en']}: no text matches {pattern!r}"


def test_no_preferred_word_is_itself_a_word_to_avoid(terms):
    for term in terms.terms:
        for other in terms.terms:
            assert other.found_in("glossary.preferred", term.sw) is None, (term.sw, other.en)
        assert terms.english_in(term.sw.replace("(viral load)", "")) == [], term.sw


def test_the_programme_terms_are_there(terms):
    preferred = {term.en: term.sw for term in terms.terms}
    assert preferred["reminder"].startswith("kikumbusho")
    assert preferred["clinic visit"].startswith("siku ya kliniki")
    assert preferred["iron and folate tablets"] == "vidonge vya kuongeza damu"
    assert preferred["baby under one year"] == "mtoto chini ya mwaka mmoja"
    assert preferred["child development (milestones)"] == "hatua za makuzi ya mtoto"
    assert "VVU (HIV)" in preferred["HIV"]


@pytest.mark.parametrize("text, words", [
    ("Meza vidonge vya folate kila siku", ["folate"]),
    ("Kipimo cha wingi wa virusi (viral load)", []),
    ("Kipimo cha viral load", ["viral load"]),
    ("VVU (HIV) na dawa", []),
    ("Dawa za HIV", ["HIV"]),
    ("Jibu STOP, ANZA au MENYU. Mama Mentor", []),
    ("Beba kitabu cha kliniki", []),  # kliniki is Kiswahili; only 'clinic' is English
    ("Go to the clinic", ["the", "clinic", "to"]),
])
def test_english_words_are_found_whole_and_allowed_phrases_are_not(terms, text, words):
    assert sorted(terms.english_in(text)) == sorted(words)
