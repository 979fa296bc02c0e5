"""`flask --app wsgi triage measure|try`: how well danger signs are found in free text."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..content.loader import read_content
from ..triage import detect, find_hits, reply_text
from ..triage.measure import measure, read_messages

group = AppGroup("triage", help="Try and measure how danger signs are found in mothers' messages.")
DEFAULT_SET = Path("tests") / "triage" / "messages.yaml"


def _content():
    config = current_app.config
    content, problems = read_content(config["FLOWS_DIR"], config["LOCALES_DIR"],
                                     default_language=config["DEFAULT_LANGUAGE"])
    if any(not p.warning for p in problems) or content.danger_signs is None:
        raise click.ClickException("The content has problems; run: flask --app wsgi flows check")
    return content


@group.command("measure")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None,
              help=f"Labelled messages (default {DEFAULT_SET}).")
def measure_command(path):
    """Print recall, false alarms and every miss on a labelled set of messages."""
    path = path or DEFAULT_SET
    if not Path(path).is_file():
        raise click.ClickException(f"No file {path}; give one with --file.")
    report = measure(_content().danger_signs, read_messages(path))
    for line, text, expected, finding in report.misses:
        found = f"found {finding.sign} ({finding.action})" if finding else "found nothing"
        click.echo(f"MISSED      {path}, line {line}: {text!r}: expected {expected}, {found}")
    for line, text, finding in report.false_alarms:
        click.echo(f"FALSE ALARM {path}, line {line}: {text!r}: found {', '.join(finding.signs)}")
    click.echo(f"{path}: {report.urgent} urgent, {report.calm} not urgent.")
    click.echo(f"Recall: {report.caught}/{report.urgent} = {report.recall:.1%} of urgent messages "
               f"caught with the right reply ({report.same_category} with the same category).")
    click.echo(f"False alarms: {len(report.false_alarms)}/{report.calm} = "
               f"{report.false_alarm_rate:.1%} of messages that are not urgent.")
    if report.misses or report.false_alarms:
        click.echo("To fix a miss, add the words mothers use to the sign's terms in "
                   "flows/danger_sign_words.yaml; to fix a false alarm, make a term longer or add an "
                   "'except' phrase. Then run this again.")


@group.command("try")
@click.argument("text")
def try_command(text):
    """Show what the bot finds in one message, and the SMS it would send."""
    content = _content()
    finding = detect(content.danger_signs, text)
    if finding is None:
        click.echo("No danger sign found: the message goes to the Mentor Mothers' usual list.")
        return
    click.echo(f"Danger sign: {finding.sign} (category {finding.category}, action {finding.action}, "
               f"language {finding.language}); all found: {', '.join(finding.signs)}")
    for hit in find_hits(content.danger_signs, text):
        click.echo(f"  term {hit.term.text!r} ({hit.term.language}), "
                   f"flows/danger_sign_words.yaml line {hit.term.line}")
    click.echo(f"Reply ({finding.language}): {reply_text(content, finding, finding.language)}")
