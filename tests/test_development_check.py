"""The development check can never reassure a mother whose child should be seen.

Every age from 0 to 60 months, in both languages, is walked through the real
flows/development.yaml with every combination of answers: a path with any
"no" to a skill or a "yes" to a lost skill must end at "see a health worker
soon", never at praise; a path of all good answers must end at praise for the
checkpoint of that age (the latest CDC age at or below hers).
"""

import itertools
from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import load_content
from bot.engine import start, step

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINTS = (2, 4, 6, 9, 12, 15, 18, 24, 30, 36, 48, 60)  # CDC "Learn the Signs. Act Early."
DOMAINS = ("hearing", "vision", "motor", "social")  # what each checkpoint must ask about
LOST = "lost_skill"  # the one question where "yes" is the worrying answer
CONCERN = "see_health_worker"
LANGUAGES = ("en", "sw")
PRAISE = {"en": "Well done", "sw": "Hongera"}
SEE_SOON = {"en": "health worker soon", "sw": "mhudumu wa afya hivi karibuni"}
NEVER_SAID = ("delay", "disabled", "disability", "autism", "autistic", "wait and see",
              "next clinic visit", "next visit", "ulemavu", "kuchelewa", "ziara ijayo",
              "siku ijayo ya kliniki")
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def content():
    return load_content(ROOT / "flows", ROOT / "locales")


def latest_checkpoint(months):
    return max(c for c in CHECKPOINTS if c <= months)


def _question(content, session):
    """The yes/no question the session stands on, or None."""
    state = content.state(session.flow, session.state)
    if state is not None and state.kind == "input" and state.data["validate"]["type"] == "yes_no":
        return state
    return None


def all_paths(content, language, age):
    """Yield (answers given, saved names asked, final Step) for every way through the check."""
    contact = {"language": language}
    first = start(content, contact, entry="development", today=TODAY)
    after_age = step(content, first.session, contact, str(age), today=TODAY)

    def walk(result, answers, asked):
        question = _question(content, result.session)
        if question is None:
            yield answers, asked, result
            return
        for answer in ("yes", "no"):
            following = step(content, result.session, contact, answer, today=TODAY)
            assert following.session.state != question.name, f"{question.name} refused {answer}"
            yield from walk(following, answers + (answer,), asked + (question.data["save_as"],))

    yield from walk(after_age, (), ())


def worrying(answers, asked):
    """True when any answer is one a health worker should hear about."""
    return any((name == LOST) == (answer == "yes") for answer, name in zip(answers, asked, strict=True))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("age", range(2, 61))
def test_every_answer_at_every_age_leads_where_it_must(content, language, age):
    checkpoint = latest_checkpoint(age)
    paths = list(all_paths(content, language, age))
    assert len(paths) == 2 ** 5, f"{age} months: expected 4 skill questions and a lost skill one"
    for answers, asked, result in paths:
        where = f"{age} months, {language}, answers {answers}"
        assert sorted(asked) == sorted((*DOMAINS, LOST)), f"{where}: asked about {asked}"
        screen = result.screen.text
        if worrying(answers, asked):
            assert result.session.state == CONCERN, f"{where}: ended at {result.session.state}"
            assert SEE_SOON[language] in screen, f"{where}: got\n{screen}"
            assert PRAISE[language] not in screen, f"{where}: praised\n{screen}"
        else:
            assert result.session.state == f"m{checkpoint}_well", f"{where}: {result.session}"
            assert screen.startswith(PRAISE[language]), f"{where}: got\n{screen}"
            assert f" {age} " in screen, f"{where}: the praise should name her child's age"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("age", range(2, 61))
def test_each_age_is_asked_its_own_checkpoint_questions(content, language, age):
    contact = {"language": language}
    result = start(content, contact, entry="development", today=TODAY)
    result = step(content, result.session, contact, str(age), today=TODAY)
    seen = []
    while _question(content, result.session) is not None:
        seen.append(result.session.state)
        result = step(content, result.session, contact, "yes", today=TODAY)
    checkpoint = latest_checkpoint(age)
    assert seen == [f"m{checkpoint}_{domain}" for domain in DOMAINS] + [LOST]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("age", ["1", "0.5", "1.5", "1.99"])
def test_a_baby_under_2_months_gets_newborn_care_and_no_praise(content, language, age):
    (answers, _, result), = all_paths(content, language, age)
    assert answers == () and result.session.state == "newborn"
    assert PRAISE[language] not in result.screen.text


def test_zero_goes_back_as_on_every_screen_so_a_newborn_is_one_month(content):
    contact = {"language": "en"}
    first = start(content, contact, entry="development", today=TODAY)
    assert "under 1 month = 1" in first.screen.text
    assert step(content, first.session, contact, "0", today=TODAY).session.state == "age"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("age", ["61", "60.5", "72", "120"])
def test_an_older_child_is_sent_to_a_health_worker_if_she_is_worried(content, language, age):
    (answers, _, result), = all_paths(content, language, age)
    assert answers == () and result.session.state == "over_five"
    assert PRAISE[language] not in result.screen.text


@pytest.mark.parametrize("answer", ["abc", "-3", "", "two", "12 months"])
def test_an_age_that_is_not_a_number_is_asked_again(content, answer):
    contact = {"language": "en"}
    first = start(content, contact, entry="development", today=TODAY)
    again = step(content, first.session, contact, answer, today=TODAY)
    assert again.session.state == "age" and not again.screen.ends
    assert again.session.notice == "development.hint_age"


def test_a_fractional_age_uses_the_checkpoint_below_it(content):
    ends = {result.session.state for answers, asked, result in all_paths(content, "en", "17.9")
            if not worrying(answers, asked)}
    assert ends == {"m15_well"}


def test_asking_for_a_call_files_a_development_follow_up(content):
    contact = {"language": "en"}
    result = start(content, contact, entry="development", today=TODAY)
    for answer in ("22", "yes", "yes", "no", "yes", "no", "1"):
        result = step(content, result.session, contact, answer, today=TODAY)
    assert result.session.state == "help"
    result = step(content, result.session, contact, "1", today=TODAY)
    callbacks = [e for e in result.effects if e.kind == "request_callback"]
    assert [(e.name, e.value) for e in callbacks] == [("development", "child of 22 months")]
    assert result.screen.ends and "nearest hospital" in result.screen.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_development_text_labels_the_child_or_says_wait(content, language):
    keys = [k for k in content.texts.strings[language] if k.startswith("development.")]
    assert len(keys) > 50
    for key, word in itertools.product(keys, NEVER_SAID):
        text = content.texts.get(key, language).lower()
        if word in text:
            pytest.fail(f"{key} ({language}) says {word!r}: {text}")
