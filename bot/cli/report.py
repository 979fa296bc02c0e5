"""`flask --app wsgi report`: the programme's indicators for a date range."""

from datetime import date

import click
from flask.cli import with_appcontext

from .. import store
from ..reports import figures, output
from ..reports.counters import programme_day


def _day(value, name):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write it as 2026-12-31.",
                                 param_hint=name) from None


@click.command("report")
@with_appcontext
@click.option("--from", "start", help="First day (2026-12-01); default: the 1st of this month.")
@click.option("--to", "end", help="Last day, included (2026-12-31); default: today.")
@click.option("--by", type=click.Choice(figures.GROUPINGS), help="A column per facility, county "
              "or language (default: one total).")
@click.option("--format", "form", type=click.Choice(tuple(output.FORMATS)), default="table",
              show_default=True)
def report(start, end, by, form):
    """The indicators from --from to --to (programme days), each with its definition.

    Counted as events happen, without phone numbers; test numbers count in nothing."""
    today = programme_day()
    end = _day(end, "--to") if end else today
    start = _day(start, "--from") if start else end.replace(day=1)
    try:
        built = figures.build(store.redis(), start, end, by, today=today)
    except figures.ReportError as err:
        raise click.ClickException(str(err)) from None
    click.echo(output.FORMATS[form](built), nl=False)
