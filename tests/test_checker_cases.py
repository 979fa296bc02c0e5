"""The flow checker, rule by rule, from data.

tests/checker_base/ holds the smallest valid content. Each file in
tests/checker_cases/ breaks it in one way (`files` to write or delete with
null, `append`, `replace: {file: [old, new]}`) and lists the words the
checker must report (`expect`) and must not (`absent`); `level: warning`
marks a rule that warns without stopping the bot. `{long}` in a file is
replaced by `long_text` characters of words.
"""

import shutil
from pathlib import Path

import pytest

from bot.content import yamlfile
from bot.content.loader import read_content

HERE = Path(__file__).parent
ROOT = HERE.parent
CASES = sorted((HERE / "checker_cases").glob("*.yaml"))


def build(tmp_path, case=None):
    """Copy the base content to tmp_path, apply the case, return (flows, locales)."""
    shutil.copytree(HERE / "checker_base", tmp_path, dirs_exist_ok=True)
    for schema in ("flow.schema.json", "message_set.schema.json", "danger_sign_words.schema.json",
                   "schedule.schema.json", "referral_services.schema.json"):
        shutil.copy(ROOT / "flows" / schema, tmp_path / "flows")
    for name in ("common.en.yml", "common.sw.yml", "sms_replies.en.yml", "sms_replies.sw.yml",
                 "sms_reminders.en.yml", "sms_reminders.sw.yml", "sms_enrol.en.yml",
                 "sms_enrol.sw.yml", "sms_confirm.en.yml", "sms_confirm.sw.yml", "glossary.yml",
                 "glossary.schema.json"):
        shutil.copy(ROOT / "locales" / name, tmp_path / "locales")
    case = case or {}
    long = ("word " * 400)[: case.get("long_text", 0)].strip().ljust(case.get("long_text", 0), "x")
    for name, text in (case.get("files") or {}).items():
        path = tmp_path / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{long}", long), encoding="utf-8")
    for name, text in (case.get("append") or {}).items():
        path = tmp_path / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    for name, (old, new) in (case.get("replace") or {}).items():
        path = tmp_path / name
        before = path.read_text(encoding="utf-8")
        assert old in before, f"{name} has no {old!r} to replace"
        path.write_text(before.replace(old, new), encoding="utf-8")
    return tmp_path / "flows", tmp_path / "locales"


def test_the_base_content_has_no_problems(tmp_path):
    assert [str(p) for p in read_content(*build(tmp_path))[1]] == []


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_checker_case(path, tmp_path):
    case, _, _ = yamlfile.load(path.read_text(encoding="utf-8"))
    _, problems = read_content(*build(tmp_path, case))
    warning = case.get("level") == "warning"
    shown = [str(p) for p in problems]
    for words in case["expect"]:
        matching = [p for p in problems if words in str(p)]
        assert matching, f"{path.name}: no problem says {words!r}; got:\n" + "\n".join(shown)
        assert all(p.warning == warning for p in matching), f"{path.name}: wrong level for {words!r}"
    for words in case.get("absent", []):
        assert not any(words in s for s in shown), f"{path.name}: {words!r} should not be reported"
    if not warning:
        assert any(not p.warning for p in problems)
    assert all(p.fix for p in problems), "every problem says what to do"


def test_there_is_a_case_for_every_rule():
    assert len(CASES) >= 25
