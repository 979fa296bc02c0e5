"""How well danger signs are found, on labelled messages; the staff commands that show it.

tests/triage/messages.yaml is the measured set; the held-out sets were written
before the detector was tuned on them (see tests/triage/README.md), so their
looser bar shows how the detector does on messages it was not shaped by.
"""

from pathlib import Path

import pytest

from bot.content.loader import read_content
from bot.triage.measure import measure, read_messages

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "tests" / "triage"


@pytest.fixture(scope="module")
def lexicon():
    return read_content(ROOT / "flows", ROOT / "locales")[0].danger_signs


def test_the_measured_set_is_large_and_about_half_urgent():
    messages = read_messages(SETS / "messages.yaml")
    urgent = sum(expected != "none" for _, _, expected in messages)
    assert len(messages) >= 300 and 0.4 <= urgent / len(messages) <= 0.6


def test_recall_and_false_alarms_on_the_measured_set(lexicon):
    report = measure(lexicon, read_messages(SETS / "messages.yaml"))
    assert report.recall >= 0.95, report.misses
    assert report.false_alarm_rate <= 0.05, report.false_alarms


def test_recall_and_false_alarms_on_the_held_out_sets(lexicon):
    messages = read_messages(SETS / "held_out.yaml") + read_messages(SETS / "held_out_2.yaml")
    report = measure(lexicon, messages)
    assert len(messages) >= 60
    assert report.recall >= 0.90, report.misses
    assert report.false_alarm_rate <= 0.10, report.false_alarms


def test_a_caught_message_needs_the_right_kind_of_reply(lexicon):
    report = measure(lexicon, [(1, "my husband beats me", "self_harm"),
                               (2, "my husband beats me", "violence"), (3, "kifafa", "none")])
    assert (report.urgent, report.caught, report.calm) == (2, 1, 1)
    assert [line for line, *_ in report.misses] == [1]
    assert [line for line, *_ in report.false_alarms] == [3]


def test_measure_prints_figures_misses_and_false_alarms(runner, tmp_path):
    labelled = tmp_path / "few.yaml"
    labelled.write_text('messages:\n  - {text: "kifafa", expect: any}\n'
                        '  - {text: "hello there", expect: child}\n'
                        '  - {text: "mtoto ana homa", expect: none}\n', encoding="utf-8")
    result = runner.invoke(args=["triage", "measure", "--file", str(labelled)])
    assert result.exit_code == 0, result.output
    assert f"MISSED      {labelled}, line 3: 'hello there': expected child, found nothing" \
        in result.output
    assert f"FALSE ALARM {labelled}, line 4: 'mtoto ana homa': found fever" in result.output
    assert "Recall: 1/2 = 50.0%" in result.output
    assert "False alarms: 1/1 = 100.0%" in result.output
    assert "flows/danger_sign_words.yaml" in result.output  # says where to fix


def test_measure_reads_the_project_set_by_default(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = runner.invoke(args=["triage", "measure"])
    assert result.exit_code == 0 and "tests/triage/messages.yaml: " in result.output


def test_try_shows_the_sign_the_term_and_the_reply(runner):
    result = runner.invoke(args=["triage", "try", "Mtoto hataki kunyonya"])
    assert result.exit_code == 0
    assert "Danger sign: newborn_not_feeding (category newborn, action hospital, language sw)" \
        in result.output
    assert "term 'kukataa kunyonya' (sw), flows/danger_sign_words.yaml line " in result.output
    assert "Nenda hospitali" in result.output
    result = runner.invoke(args=["triage", "try", "asante sana"])
    assert "No danger sign found" in result.output
