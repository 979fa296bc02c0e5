"""The referral services for children with a disability: the list, the county lookup, the screens.

The shipped flows/referral_services.yaml holds only samples, so the screens are
tried with a list built here; checker cases with broken lists are in
tests/checker_cases/referral_services_*.yaml.
"""

import dataclasses
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from bot.content.loader import load_content, read_content
from bot.content.screen_rules import MAX_PAGES
from bot.engine import start, step
from bot.referrals.counties import COUNTIES, county_named
from bot.referrals.services import ReferralList, Service

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 1)
OFFERS = {"en": "Physiotherapy for children", "sw": "Tiba ya viungo kwa watoto"}


def service(name, county, phone="0712345678", sample=False):
    return Service(name, county, OFFERS, phone, sample, None)


LISTED = ReferralList((service("Homa Bay therapy unit", "Homa Bay"),
                       service("Parents group", "Homa Bay", phone="1195"),
                       service("Made-up unit", "Kisumu", sample=True)))


@pytest.fixture(scope="module")
def content():
    return dataclasses.replace(load_content(ROOT / "flows", ROOT / "locales"), referrals=LISTED)


def test_kenya_has_47_counties_each_found_by_its_own_name():
    assert len(set(COUNTIES)) == 47
    assert all(county_named(name) == name for name in COUNTIES)


@pytest.mark.parametrize("typed, county", [
    ("homa bay county", "Homa Bay"), ("HOMABAY", "Homa Bay"), ("  Kisumu ", "Kisumu"),
    ("kaunti ya Murang'a", "Murang'a"), ("muranga", "Murang'a"), ("Nairobi City", "Nairobi"),
    ("Taita Taveta", "Taita-Taveta"), ("Mathare", None), ("Kisumo", None), ("", None), (None, None),
])
def test_a_county_is_found_however_she_types_it(typed, county):
    assert county_named(typed) == county


def test_samples_are_never_offered_to_a_mother():
    assert LISTED.in_county("kisumu") == ("Kisumu", [])
    county, found = LISTED.in_county("Homa Bay")
    assert county == "Homa Bay" and [s.name for s in found] == ["Homa Bay therapy unit",
                                                               "Parents group"]


def test_the_shipped_list_keeps_to_its_schema_and_the_checks():
    schema = json.loads((ROOT / "flows" / "referral_services.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    _, problems = read_content(ROOT / "flows", ROOT / "locales")
    assert [str(p) for p in problems if "referral" in str(p.file)] == []


def run(content, language, *answers):
    """Answer the disability flow from its menu; return the last result."""
    result = start(content, {"language": language}, entry="disability", today=TODAY)
    for answer in answers:
        result = step(content, result.session, {"language": language}, answer, today=TODAY)
    return result


@pytest.mark.parametrize("language, offers", [("en", OFFERS["en"]), ("sw", OFFERS["sw"])])
def test_her_county_shows_its_services_in_her_language(content, language, offers):
    screen = run(content, language, "6", "homa bay county").screen.text
    assert "Homa Bay therapy unit, 0712345678: " + offers in screen
    assert "Homa Bay:" in screen and "%{" not in screen


@pytest.mark.parametrize("typed, shown", [("Kisumu", "for Kisumu yet"), ("Mathare", "for Mathare yet")])
def test_with_nothing_listed_she_reads_where_to_ask(content, typed, shown):
    screen = run(content, "en", "6", typed).screen.text
    assert shown in screen and "Made-up" not in screen and "sub-county" in screen


def test_where_to_get_help_after_the_check_asks_her_county(content):
    result = start(content, {"language": "en"}, entry="development", today=TODAY)
    for answer in ("10", "2", "1", "1", "1", "2", "1", "2"):  # no to hearing: see a health worker
        result = step(content, result.session, {"language": "en"}, answer, today=TODAY)
    assert "Which county do you live in?" in result.screen.text
    result = step(content, result.session, {"language": "en"}, "Homa Bay", today=TODAY)
    assert "Parents group, 1195" in result.screen.text




def test_four_services_at_their_longest_fit_the_screens_a_session_allows(content):
    longest = tuple(Service(f"{n} " + "x" * 38, "Kisumu", {"en": "y" * 70, "sw": "z" * 70},
                            "+254712345678", False, None) for n in range(1, 5))
    full = dataclasses.replace(content, referrals=ReferralList(longest))
    for language in ("en", "sw"):
        result = run(full, language, "6", "Kisumu")
        pages = [result.screen.text]
        while "\n98. " in pages[-1] and len(pages) <= MAX_PAGES:
            result = step(full, result.session, {"language": language}, "98", today=TODAY)
            pages.append(result.screen.text)
        assert all(len(page) <= 182 for page in pages)
        assert len(pages) <= MAX_PAGES and "4 " + "x" * 38 in "".join(pages)
