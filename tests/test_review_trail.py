"""The review trail: `flows check --review`, `texts reviewed` and locales/reviews.yaml's schema."""

import json
import shutil
from pathlib import Path

import pytest

from bot.content.texts import Texts
from bot.review import trail
from bot.review.state import review_states

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "review_cases"

EN = """\
# Food. Sources above each health fact.
title: "Food"
# Source: WHO/UNICEF Global strategy for infant and young child feeding (2003).
six_months_text: "Only breast milk for 6 months."
# Source: none (a menu word).
back: "Back"
# Source: WHO ANC 2016.
# verify: the dose against the current Kenya guideline
iron_text: "Take iron every day."
"""
SW = """\
title: "Chakula"
six_months_text: "Maziwa ya mama pekee miezi 6."
back: "Rudi"
iron_text: "Meza kidonge cha madini ya chuma kila siku."
"""
HELLO_EN = 'hello: "Welcome"\n'
HELLO_SW = 'hello: "Karibu"\n'


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


@pytest.fixture
def locales(app, tmp_path):
    """A small locales folder: a health topic with sources, and a topic that is not health."""
    folder = tmp_path / "locales"
    folder.mkdir()
    for name, text in (("food.en.yml", EN), ("food.sw.yml", SW), ("main.en.yml", HELLO_EN),
                       ("main.sw.yml", HELLO_SW)):
        (folder / name).write_text(text, encoding="utf-8")
    shutil.copy(ROOT / "locales" / trail.SCHEMA, folder)
    trail.save(folder, trail.Trail({"food"}, {}))
    app.config.update(LOCALES_DIR=str(folder))
    return folder


def run(runner, *args):
    return runner.invoke(args=list(args))


def test_everything_starts_unreviewed_with_the_role_each_text_needs(runner, locales):
    result = run(runner, "flows", "check", "--review")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert ("locales/food.en.yml: 4 texts, 0 reviewed, 4 unreviewed, 0 changed since review "
            "(3 need a clinician, 1 needs the programme); 1 health texts have no '# Source:' "
            "comment.") in lines
    assert ("locales/food.sw.yml: 4 texts, 0 reviewed, 4 unreviewed, 0 changed since review "
            "(3 need a clinician, 4 need a native Kiswahili speaker); 1 health texts have no "
            "'# Source:' comment.") in lines
    assert "  line 2, food.title: verify: needs a clinician (health text without a source)" in lines
    assert "  line 6, food.back: verify: needs the programme" in lines
    assert "  line 9, food.iron_text: verify: needs a clinician (marked verify in the file)" in lines
    assert "  line 1, main.hello: verify: needs a native Kiswahili speaker" in lines
    assert lines[-1].startswith("In all: 10 texts, 0 reviewed, 10 unreviewed")


def test_a_recorded_review_counts_until_the_text_changes(runner, locales):
    result = run(runner, "texts", "reviewed", "food.six_months_text", "--role", "clinician",
                 "--by", "Dr Achieng", "--on", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert "Recorded: food.six_months_text reviewed by clinician on 2026-11-30 (en, sw)." in result.output
    result = run(runner, "texts", "reviewed", "--file", "locales/food.sw.yml", "--role", "language")
    assert "Recorded: 4 texts reviewed by language" in result.output
    report = json.loads(run(runner, "flows", "check", "--review", "--json").output)
    files = {f["file"]: f for f in report["files"]}
    # six_months_text (clinician and language) and back (no health fact: language only)
    assert files["locales/food.sw.yml"]["reviewed"] == 2
    assert files["locales/food.en.yml"]["reviewed"] == 1

    path = locales / "food.en.yml"
    path.write_text(path.read_text().replace("Only breast milk", "Only mother's milk"))
    report = json.loads(run(runner, "flows", "check", "--review", "--json").output)
    files = {f["file"]: f for f in report["files"]}
    assert files["locales/food.en.yml"]["changed"] == 1
    opened = next(t for t in files["locales/food.en.yml"]["open"] if t["key"] == "food.six_months_text")
    assert opened["state"] == "changed" and opened["needs"] == ["clinician"]
    assert opened["changed"]["clinician"]["by"] == "Dr Achieng"
    text = run(runner, "flows", "check", "--review").output
    assert ("  line 4, food.six_months_text: changed since the clinician review of 2026-11-30"
            in text)


def test_the_side_file_is_written_one_review_a_line_and_reads_back(locales):
    found = trail.load(locales)[0]
    found.record("food.title", "sw", "language", "Chakula", by='Bi "Amina"')
    trail.save(locales, found)
    written = (locales / trail.FILE).read_text()
    assert '      language: {date: "' in written and 'by: "Bi \\"Amina\\""' in written
    again, problems = trail.load(locales)
    assert problems == [] and again.entries("food.title", "sw")["language"]["by"] == 'Bi "Amina"'


@pytest.mark.parametrize("case, said", [
    ("broken_role.yaml", "'doctor' is not one of ['clinician', 'language', 'programme']"),
    ("broken_role.yaml", "'30/11/2026' does not match"),
    ("broken_role.yaml", "'not-a-hash' does not match"),
    ("not_yaml.yaml", "This file is not valid YAML"),
])
def test_a_broken_side_file_is_named_with_its_line_and_counts_no_review(runner, locales, case, said):
    shutil.copy(CASES / case, locales / trail.FILE)
    result = run(runner, "flows", "check", "--review")
    assert result.exit_code == 1
    assert said in result.output and "locales/reviews.yaml, line " in result.output
    assert "Not ready: locales/reviews.yaml has the problems above" in result.output
    report = json.loads(run(runner, "flows", "check", "--review", "--json").output)
    assert report["ok"] is False and report["totals"]["reviewed"] == 0


def test_recording_a_review_is_refused_in_plain_words(runner, locales):
    assert "There is no text 'food.nothing'" in run(
        runner, "texts", "reviewed", "food.nothing", "--role", "clinician").output
    assert "Give one text KEY" in run(runner, "texts", "reviewed", "--role", "clinician").output
    assert "There are no texts in locales/soup.en.yml" in run(
        runner, "texts", "reviewed", "--file", "soup.en.yml", "--role", "clinician").output


def test_the_real_side_file_is_valid_and_every_real_text_has_a_state():
    found, problems = trail.load(ROOT / "locales")
    assert problems == []
    texts, _ = Texts.load(ROOT / "locales")
    states = review_states(texts, found)
    assert len(states) == sum(len(t) for t in texts.strings.values())
    assert all(s.needs for s in states)


def test_plain_flows_check_warns_of_a_broken_side_file(runner, app, locales):
    app.config.update(LOCALES_DIR=str(ROOT / "locales"))  # the real texts, which the flows need
    result = run(runner, "flows", "check", "--json")
    assert result.exit_code == 0 and not [
        p for p in json.loads(result.output)["problems"] if p["file"] == f"locales/{trail.FILE}"]
    shutil.copytree(ROOT / "locales", locales, dirs_exist_ok=True)
    shutil.copy(CASES / "broken_role.yaml", locales / trail.FILE)
    app.config.update(LOCALES_DIR=str(locales))
    report = json.loads(run(runner, "flows", "check", "--json").output)
    found = [p for p in report["problems"] if p["file"] == f"locales/{trail.FILE}"]
    assert found and all(p["level"] == "warning" for p in found)
