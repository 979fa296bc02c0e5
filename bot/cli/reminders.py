"""`flask --app wsgi reminders preview|run`: what the worker sends, for staff checks."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from .. import content_service, store
from ..privacy import mask_phone
from ..reminders import dispatch, due_list
from ..reminders.timing import Rules
from ..sms.gateway import GatewayError, gateway_for
from .shown import shown

group = AppGroup("reminders", help="Reminder SMS: preview a day, or run one dispatch.")


def _zone():
    return ZoneInfo(current_app.config["BOT_TIMEZONE"])


@group.command("preview")
@click.option("--date", "day", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The day to preview, YYYY-MM-DD.")
def preview(day):
    """List what would be sent on a day: counts by kind and language, then each SMS."""
    content = content_service.current()
    planned, _ = dispatch.due_on(store.redis(), content, Rules.from_config(current_app.config),
                                 day.date(), _zone(), 10_000_000)
    counts = Counter((r.kind, c.get("language") or content.default_language)
                     for _, c, r in planned)
    click.echo(f"{len(planned)} SMS would be sent on {day.date().isoformat()}.")
    for (kind, language), count in sorted(counts.items()):
        click.echo(f"  {kind:<18} {language}  {count}")
    for phone, contact, reminder in planned:
        click.echo(f"{mask_phone(phone)}  {reminder.kind:<18} "
                   f"{shown(dispatch.render(content, contact, reminder))}")


@group.command("run")
@click.option("--at", "moment", required=True,
              help="ISO date and time, e.g. 2027-03-14T10:00 (programme time), or with an offset "
                   "(2027-03-14T07:00+00:00), which is turned into programme time.")
def run(moment):
    """Run one dispatch as if it were that time (for staff checks and tests)."""
    try:
        when = datetime.fromisoformat(moment)
    except ValueError:
        raise click.BadParameter(f"{moment!r} is not an ISO date and time, e.g. "
                                 "2027-03-14T10:00.") from None
    # A time written with another offset is the same moment in programme time: the sending
    # hours and the reminders' days are the programme's.
    when = when.astimezone(_zone()) if when.tzinfo else when.replace(tzinfo=_zone())
    click.echo(f"Dispatch as of {when.strftime('%Y-%m-%d %H:%M %Z')} (programme time).")
    db = store.redis()
    try:
        report = dispatch.dispatch(db, content_service.current(), gateway_for(current_app.config, db),
                                   when, Rules.from_config(current_app.config),
                                   current_app.config["SMS_BATCH_SIZE"])
    except GatewayError as err:
        raise click.ClickException(f"{err} Nothing is lost: the next dispatch sends them.") \
            from None
    if not Rules.from_config(current_app.config).is_allowed(when):
        click.echo("Outside the sending hours: nothing sent; due reminders wait.")
    click.echo(f"Contacts due: {report.contacts}. Sent: {report.sent}. Too late to send "
               f"(recorded): {report.late}. To retry: {report.retry}. Not sent: "
               f"{dict(report.not_sent) or 0}.")
    if report.busy_parts:
        click.echo(f"{report.busy_parts} of the due list's {due_list.PARTS} parts were being sent "
                   "by another dispatch (the worker's) and were left to it.")
