"""`flask --app wsgi appointments ...`: visits from clinic registers, attended or cancelled."""

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from .. import content_service, phones, store
from ..appointments_import import import_file
from ..reminders.dispatch import reschedule
from ..reminders.timing import Rules
from ..store import visits
from .shown import shown

group = AppGroup("appointments", help="Clinic visits: import a register, mark attended or cancelled.")


def _now():
    return datetime.now(ZoneInfo(current_app.config["BOT_TIMEZONE"]))


def _reschedule(phone_numbers):
    db, content = store.redis(), content_service.current()
    rules, now = Rules.from_config(current_app.config), _now()
    for phone in phone_numbers:
        reschedule(db, content, phone, now, rules)


KIND_WORDS = {  # what each kind in a register means, for --help
    "anc": "antenatal visit",
    "pnc": "her own postnatal check",
    "pnc_baby": "the baby's postnatal check",
    "eid": "the baby's HIV test",
    "immunisation": "the baby's vaccines",
    "art": "her own ART visit",
    "growth": "the baby's growth check",
    "other": "anything else",
}
IMPORT_HELP = ("Import visits from a CSV file: phone,date,kind[,time,clinic,facility,language] "
               "(facility: the clinic's MFL code).\n\n"
               "Columns may be separated by ',' or ';'; the file may be UTF-8 (with or without "
               "a BOM) or Windows-1252, as Excel saves it.\n\nKIND is one of: "
               + "; ".join(f"{kind} ({KIND_WORDS.get(kind, kind)})" for kind in visits.KINDS) + ".")


@group.command("import", help=IMPORT_HELP)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_(path):
    config = current_app.config
    try:
        result = import_file(store.redis(), path, config["PHONE_REGION"],
                             config["DEFAULT_LANGUAGE"], _now().date())
    except (ValueError, UnicodeDecodeError) as err:
        raise click.ClickException(str(err)) from None
    _reschedule(result.phones)
    click.echo(f"Imported {result.visits} new visit(s) for {len(result.phones)} contact(s); "
               f"{result.new_contacts} new contact(s) enrolled by staff.")
    for line, warning in result.warnings:
        click.echo(f"Note: {path}, line {line}: {warning}.")
    if result.skipped:
        click.echo(f"Skipped {len(result.skipped)} row(s); fix them and import the file again "
                   "(rows already imported will not be doubled):")
        for line, reason in result.skipped:
            click.echo(f"- {path}, line {line}: {shown(reason)}")
    if result.skipped and not result.phones:
        raise SystemExit(1)


def _mark(phone, day, status):
    number = phones.normalise(phone, current_app.config["PHONE_REGION"])
    if number is None:
        raise click.BadParameter(f"{phone!r} is not a phone number.")
    changed = visits.set_status(store.redis(), number, day, status)
    if not changed:
        raise click.ClickException(f"No visit on {day.isoformat()} for this number.")
    _reschedule([number])
    click.echo(f"{changed} visit(s) marked {status}.")


@group.command("attended")
@click.argument("phone")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
def attended(phone, day):
    """Mark her visit on DAY (YYYY-MM-DD) attended: no missed-visit follow-up."""
    _mark(phone, day.date(), "attended")


@group.command("cancel")
@click.argument("phone")
@click.argument("day", type=click.DateTime(["%Y-%m-%d"]))
def cancel(phone, day):
    """Cancel her visit on DAY (YYYY-MM-DD): its reminders stop."""
    _mark(phone, day.date(), "cancelled")


