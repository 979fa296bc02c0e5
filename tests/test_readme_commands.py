"""The README's commands are real: each names a command and options that exist, and the
simulator example shows the same screens however often it is run."""

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
FLASK = "flask --app wsgi "


def readme_commands():
    """Every `flask --app wsgi ...` command in the README's shell blocks, as words."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    found = []
    for line in "\n".join(blocks).replace("\\\n", " ").splitlines():
        if FLASK in line:
            words = shlex.split(line.split(FLASK, 1)[1], comments=True)
            found.append(words)
    return found


@pytest.fixture(scope="module")
def help_runner(module_app):
    """One app for every --help: asking for help touches no data."""
    return module_app.test_cli_runner()


@pytest.mark.parametrize("words", readme_commands(), ids=" ".join)
def test_each_readme_command_and_its_options_exist(help_runner, words):
    helped = help_runner.invoke(args=[*words, "--help"])
    assert helped.exit_code == 0, helped.output
    assert helped.output.startswith("Usage:")
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert option in helped.output, f"{' '.join(words)}: {option} is not an option"


def test_the_readme_shows_serve_on_another_port():
    assert any(words[:1] == ["serve"] and "--port" in words for words in readme_commands())


def test_the_readme_simulator_example_shows_the_same_screens_every_run(runner):
    (example,) = [w for w in readme_commands() if w[:1] == ["ussd"] and w[-1].isdigit()]
    runs = [runner.invoke(args=example) for _ in range(2)]
    assert [run.exit_code for run in runs] == [0, 0], runs[0].output
    first, second = ([line for line in run.output.splitlines() if not line.startswith("Dialling")]
                     for run in runs)
    assert first == second
    assert "Chagua lugha" in first[1] and "Karibu tena" not in runs[1].output
