"""`flask --app wsgi flows check`: find every problem in flows/ and locales/."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from ..content.loader import read_content

group = AppGroup("flows", help="Check the flow scripts and texts.")


@group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON for tools.")
def check(as_json):
    """List every problem in flows/ and locales/; exit 1 if any must be fixed."""
    config = current_app.config
    content, problems = read_content(config["FLOWS_DIR"], config["LOCALES_DIR"],
                                     default_language=config["DEFAULT_LANGUAGE"],
                                     programme_name=config["PROGRAMME_NAME_IN_SMS"])
    errors = [p for p in problems if not p.warning]
    warnings = [p for p in problems if p.warning]
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
