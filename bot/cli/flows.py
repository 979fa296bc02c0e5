"""`flask --app wsgi flows check`: find every problem in flows/ and locales/."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from ..content import compare
from ..content.loader import read_content
from ..content.texts import Texts
from ..review import report, trail
from ..review.state import review_states

group = AppGroup("flows", help="Check the flow scripts and texts.")


@group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON for tools.")
@click.option("--review", is_flag=True,
              help="Instead, list per locale file the texts not yet reviewed, or changed since.")
@click.option("--compare", "compare_languages", is_flag=True,
              help="Instead, list texts whose English and Kiswahili differ a lot in length or in "
                   "their numbers, for a reviewer to read.")
def check(as_json, review, compare_languages):
    """List every problem in flows/ and locales/; exit 1 if any must be fixed."""
    config = current_app.config
    if review:
        review_report(config["LOCALES_DIR"], as_json)
    content, problems = read_content(config["FLOWS_DIR"], config["LOCALES_DIR"],
                                     default_language=config["DEFAULT_LANGUAGE"],
                                     programme_name=config["PROGRAMME_NAME_IN_SMS"],
                                     ussd_code=config["USSD_CODE"])
    if compare_languages:
        _show_differences(content, as_json)
        return
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning] + _review_file_problems(config["LOCALES_DIR"])
    if as_json:
        click.echo(json.dumps({"ok": not errors, "flows": sorted(content.flows),
                               "message_sets": sorted(content.message_sets),
                               "errors": len(errors), "warnings": len(warnings),
                               "problems": [p.as_dict() for p in errors + warnings]}, indent=2))
        raise SystemExit(1 if errors else 0)
    for title, found in (("must be fixed", errors), ("worth a look", warnings)):
        if found:
            click.echo(f"{len(found)} problem(s) {title}:")
            for problem in found:
                click.echo(f"- {problem}")
    texts = len(content.texts.strings.get(content.default_language, {}))
    summary = (f"{len(content.flows)} flows, {len(content.message_sets)} SMS message sets, "
               f"{texts} texts in {', '.join(content.languages)}.")
    click.echo(f"Not ready: fix the problems above. ({summary})" if errors else
               f"All good: {summary}")
    raise SystemExit(1 if errors else 0)


def _review_file_problems(locales_dir):
    """A broken locales/reviews.yaml, as warnings: no mother reads it, but no review counts."""
    problems = trail.load(locales_dir)[1]
    for problem in problems:
        problem.warning = True
    return problems


def review_report(locales_dir, as_json):
    """Print what a clinician, a native speaker or the programme has still to check; exit 1 if
    locales/reviews.yaml cannot be read."""
    texts, _ = Texts.load(locales_dir)
    found, problems = trail.load(locales_dir)
    states = review_states(texts, found)
    if as_json:
        click.echo(json.dumps(report.as_json(states, problems), indent=2, ensure_ascii=False))
        raise SystemExit(1 if problems else 0)
    for line in report.as_lines(states):
        click.echo(line)
    for problem in problems:
        click.echo(f"- {problem}")
    if problems:
        click.echo(f"Not ready: locales/{trail.FILE} has the problems above, so no review counts "
                   "until they are fixed.")
    raise SystemExit(1 if problems else 0)


def _show_differences(content, as_json):
    """Print the texts whose two languages differ, with both versions; never an error."""
    first, second = content.languages[:2]
    found = compare.compare_languages(content.texts, first, second)
    if as_json:
        click.echo(json.dumps([{"file": d.file, "line": d.line, "key": d.key, "reason": d.reason,
                                first: d.first, second: d.second} for d in found], indent=2))
        return
    for difference in found:
        where = f"{difference.file}, line {difference.line}" if difference.line else difference.file
        click.echo(f"- {where}, key '{difference.key}': {difference.reason}.\n"
                   f"    {first}: {difference.first}\n    {second}: {difference.second}")
    click.echo(f"{len(found)} text(s) to read in both languages: one is more than "
               f"{compare.LENGTH_RATIO} times as long as the other, or their numbers differ. "
               "If both say the same, leave them; otherwise correct the translation.")
