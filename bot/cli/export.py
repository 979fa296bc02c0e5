"""`flask --app wsgi export`: records as CSV on standard output, a line at a time."""

import click
from flask.cli import with_appcontext

from .. import store
from ..reports import exports
from ..reports.counters import programme_day


@click.command("export")
@with_appcontext
@click.argument("kind", type=click.Choice(exports.KINDS))
@click.option("--from", "start", help="First day (2026-12-01); default: the 1st of this month.")
@click.option("--to", "end", help="Last day, included; default: today.")
@click.option("--facility", help="Only mothers of this facility (its MFL code).")
@click.option("--whole-numbers", is_flag=True, help="Phone numbers in full (default: the last "
              "three digits); for a file that stays with the programme's data manager.")
@click.option("--hiv", is_flag=True, help="Contacts: add her choices about SMS that name HIV.")
def export(kind, start, end, facility, whole_numbers, hiv):
    """Write contacts, visits, follow-ups or the message log of a date range as CSV.

    Her own words (texts, notes) are never written; test numbers are left out. Redirect it to
    a file: flask --app wsgi export visits --from 2026-11-01 --to 2026-11-30 > visits.csv"""
    try:
        end = exports.parse_day(end, "--to") if end else programme_day()
        start = exports.parse_day(start, "--from") if start else end.replace(day=1)
        for line in exports.lines(store.redis(), kind, start, end, facility, whole_numbers, hiv):
            click.echo(line, nl=False)
    except exports.ExportError as err:
        raise click.ClickException(str(err)) from None
