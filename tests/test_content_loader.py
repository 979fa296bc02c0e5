"""Loading flows/ and locales/: problems name the file, line and state, and say what to do."""

import json
import shutil
from pathlib import Path

import pytest

from bot import create_app
from bot.content.loader import read_content
from bot.errors import InvalidContent

ROOT = Path(__file__).resolve().parent.parent

START = """spec: 1
flow: start
start: go
states:
  go:
    kind: router
    routes: [{when: {field: language, is_set: true}, flow: main}]
    otherwise: {flow: main}
"""
MAIN = """spec: 1
flow: main
start: menu
states:
  menu:
    kind: menu
    text: main.title
    options:
      - {text: main.info, next: info}
  info:
    kind: message
    text: main.info_text
"""


@pytest.fixture
def folders(tmp_path):
    """A minimal valid copy of the content, to break one thing at a time."""
    flows, locales = tmp_path / "flows", tmp_path / "locales"
    flows.mkdir()
    locales.mkdir()
    shutil.copy(ROOT / "flows" / "flow.schema.json", flows)
    for name in ("common.en.yml", "common.sw.yml"):
        shutil.copy(ROOT / "locales" / name, locales)
    (flows / "start.yaml").write_text(START)
    (flows / "main.yaml").write_text(MAIN)
    for lang, words in (("en", "Info"), ("sw", "Habari")):
        (locales / f"main.{lang}.yml").write_text(
            f'title: "{words} menu"\ninfo: "{words}"\ninfo_text: "{words} text"\n')
    return flows, locales


def problems_in(folders):
    return [str(p) for p in read_content(*folders)[1]]


def test_the_real_content_has_no_problems():
    content, problems = read_content(ROOT / "flows", ROOT / "locales")
    assert [str(p) for p in problems] == []
    assert {"start", "main", "pmtct", "nutrition", "play", "appointments", "mentor",
            "settings"} <= set(content.flows)


def test_the_minimal_fixture_is_valid(folders):
    assert problems_in(folders) == []


def test_yes_and_no_stay_words_not_booleans(folders):
    (folders[1] / "main.en.yml").write_text('title: Yes\ninfo: no\ninfo_text: on\n')
    content, problems = read_content(*folders)
    assert content.texts.strings["en"]["main.title"] == "Yes"
    assert content.texts.strings["en"]["main.info"] == "no"
    assert problems == []


def test_a_yaml_mistake_names_the_line(folders):
    (folders[0] / "main.yaml").write_text(MAIN.replace("    text: main.info_text", "   text: [oops"))
    found = problems_in(folders)
    assert any(p.startswith("main.yaml, line ") and "not valid YAML" in p for p in found), found


@pytest.mark.parametrize("change, expected", [
    (("kind: message", "kind: poem"), "'poem' is not allowed here; use one of"),
    (("    text: main.info_text\n", "    next: menu\n"), "Something is missing: 'text' must be given"),
    (("text: main.info_text", "text: Info Text"), "is not a valid name or key"),
    (("next: info}", "next: nowhere}"), "leads to the state 'nowhere' (option 1), which does not exist"),
    (("next: info}", "flow: nowhere}"), "leads to the flow 'nowhere' (option 1), which does not exist"),
    (("spec: 1", "spec: 7"), "This file says spec 7; this version of the bot reads spec 1."),
    (("flow: main", "flow: mian"), "The flow is named 'mian' but the file is 'main.yaml'"),
    (("start: menu", "start: begin"), "The start state 'begin' does not exist"),
    (("  info:\n", "  menu:\n"), "'menu' is written twice here"),
    (("text: main.info_text", "text: main.missing"), "The text 'main.missing' has no en version"),
])
def test_each_broken_flow_is_reported_plainly(folders, change, expected):
    path = folders[0] / "main.yaml"
    path.write_text(MAIN.replace(*change))
    found = problems_in(folders)
    assert any(expected in p and p.startswith("main.yaml") for p in found), found


def test_a_problem_names_state_and_line_and_fix(folders):
    (folders[0] / "main.yaml").write_text(MAIN.replace("next: info}", "next: nowhere}"))
    (problem,) = read_content(*folders)[1]
    assert (problem.file, problem.state, problem.line) == ("main.yaml", "menu", 5)
    assert problem.fix


def test_unknown_actions_and_parameters(folders):
    extra = ("  act:\n    kind: action\n    do: send_money\n    next: menu\n"
             "  act2:\n    kind: action\n    do: set_field\n    with: {value: x, colour: red}\n"
             "    next: menu\n")
    (folders[0] / "main.yaml").write_text(MAIN + extra)
    found = problems_in(folders)
    assert any("There is no action called 'send_money'" in p and "set_field" in p for p in found)
    assert any("The action 'set_field' needs 'field'" in p for p in found)
    assert any("does not take 'colour'" in p for p in found)


def test_a_text_missing_in_one_language_says_where_to_add_it(folders):
    (folders[1] / "main.sw.yml").write_text('title: "Menyu"\ninfo: "Habari"\n')
    found = problems_in(folders)
    assert any("'main.info_text' has no sw version" in p and "locales/main.sw.yml" in p
               for p in found), found


def test_blanks_must_match_across_languages(folders):
    (folders[1] / "main.en.yml").write_text('title: "Hi %{name}"\ninfo: "I"\ninfo_text: "T"\n')
    found = problems_in(folders)
    assert any("uses different %{...} blanks" in p for p in found), found


def test_the_app_refuses_to_start_on_a_broken_flow(folders, redis_url):
    (folders[0] / "main.yaml").write_text(MAIN.replace("next: info}", "next: nowhere}"))
    with pytest.raises(InvalidContent, match="main.yaml, line 5, state 'menu'"):
        create_app({"FLOWS_DIR": str(folders[0]), "LOCALES_DIR": str(folders[1]),
                    "REDIS_URL": redis_url})


def test_flows_check_command(runner, app, folders):
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 0 and result.output.startswith("All good: 8 flows")
    app.config.update(FLOWS_DIR=str(folders[0]), LOCALES_DIR=str(folders[1]))
    (folders[0] / "main.yaml").write_text(MAIN.replace("kind: message", "kind: poem"))
    result = runner.invoke(args=["flows", "check"])
    assert result.exit_code == 1
    assert "1 problem(s) found:\n- main.yaml, line 11, state 'info'" in result.output
    result = runner.invoke(args=["flows", "check", "--json"])
    report = json.loads(result.output)
    assert report["ok"] is False and report["problems"][0]["state"] == "info"
