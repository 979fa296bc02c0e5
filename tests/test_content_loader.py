"""Loading the real content, YAML surprises, and how the app and CLI react to problems.

Each checker rule has its own broken fixture in tests/checker_cases/.
"""

import json
from pathlib import Path

import pytest

from bot import create_app
from bot.content.loader import read_content
from bot.errors import InvalidContent

from .test_checker_cases import build

ROOT = Path(__file__).resolve().parent.parent


def test_the_real_content_has_no_problems_at_all():
    content, problems = read_content(ROOT / "flows", ROOT / "locales")
    assert [str(p) for p in problems] == []
    assert {"start", "main", "pmtct", "nutrition", "play", "appointments", "mentor",
            "settings"} <= set(content.flows)


def test_relative_folders_work_too(monkeypatch):
    monkeypatch.chdir(ROOT)
    content, problems = read_content("flows", "locales")
    assert problems == [] and content.message_sets


def test_yes_and_no_stay_words_not_booleans(tmp_path):
    flows, locales = build(tmp_path)
    (locales / "main.en.yml").write_text('title: Yes\ninfo: no\ninfo_text: on\n')
    content, problems = read_content(flows, locales)
    assert [content.texts.strings["en"][f"main.{k}"] for k in ("title", "info", "info_text")] == [
        "Yes", "no", "on"]
    assert problems == []


def test_a_problem_names_file_state_line_and_fix(tmp_path):
    flows, locales = build(tmp_path)
    main = flows / "main.yaml"
    main.write_text(main.read_text().replace("next: info}", "next: nowhere}"))
    problems = [p for p in read_content(flows, locales)[1] if not p.warning]
    assert [(p.file, p.state, p.line) for p in problems] == [
        ("main.yaml", "menu", 5),  # leads nowhere ...
        ("main.yaml", "info", 10),  # ... so nothing leads here any more
    ]
    assert problems[0].fix


def test_the_app_refuses_to_start_on_a_broken_flow(tmp_path, redis_url):
    flows, locales = build(tmp_path)
    main = flows / "main.yaml"
    main.write_text(main.read_text().replace("next: info}", "next: nowhere}"))
    with pytest.raises(InvalidContent, match="main.yaml, line 5, state 'menu'"):
        create_app({"FLOWS_DIR": str(flows), "LOCALES_DIR": str(locales), "REDIS_URL": redis_url})


def test_flows_check_command(runner, app, tmp_path):
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("All good: ") and "SMS message sets" in result.output
    flows, locales = build(tmp_path)
    app.config.update(FLOWS_DIR=str(flows), LOCALES_DIR=str(locales))
    main = flows / "main.yaml"
    main.write_text(main.read_text().replace("kind: message", "kind: poem"))
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 1
    assert "1 problem(s) must be fixed:\n- main.yaml, line 11, state 'info'" in result.output
    assert "Not ready: fix the problems above." in result.output
    report = json.loads(runner.invoke(args=["flows", "check", "--json"]).output)
    assert report["ok"] is False and report["problems"][0]["state"] == "info"


def test_warnings_alone_do_not_fail_the_check(runner, app, tmp_path):
    flows, locales = build(tmp_path)
    app.config.update(FLOWS_DIR=str(flows), LOCALES_DIR=str(locales))
    with open(locales / "main.en.yml", "a") as extra:
        extra.write('spare: "Spare"\n')
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 0
    assert "1 problem(s) worth a look:" in result.output and "All good" in result.output
