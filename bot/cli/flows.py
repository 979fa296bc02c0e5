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
    """List every problem in flows/ and locales/; exit 1 if there is any."""
    flows_dir, locales_dir = current_app.config["FLOWS_DIR"], current_app.config["LOCALES_DIR"]
    content, problems = read_content(flows_dir, locales_dir,
                                     default_language=current_app.config["DEFAULT_LANGUAGE"])
    if as_json:
        click.echo(json.dumps({"ok": not problems, "flows": sorted(content.flows),
                               "problems": [p.as_dict() for p in problems]}, indent=2))
    elif problems:
        click.echo(f"{len(problems)} problem(s) found:")
        for problem in problems:
            click.echo(f"- {problem}")
    else:
        click.echo(f"All good: {len(content.flows)} flows, "
                   f"{len(content.texts.strings.get('en', {}))} texts in "
                   f"{', '.join(content.languages)}.")
    raise SystemExit(1 if problems else 0)
