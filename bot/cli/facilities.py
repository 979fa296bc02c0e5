"""`flask --app wsgi facilities ...`: the clinics mothers choose from (KMHFL)."""

import click
from flask.cli import AppGroup

from .. import facilities, store
from ..facilities import stored
from ..facilities.importer import import_file
from .shown import shown

group = AppGroup("facilities", help="The clinics mothers choose from: import the national list, "
                                    "list, show.")
MOST_PROBLEMS = 50  # a whole file of bad rows is not printed: the first ones show what is wrong


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_(path):
    """Import the national facility list from a KMHFL export (CSV).

    Its Code, Officialname (or Name), County and Sub county columns are read; an SMS name
    is made from each name (none for a name that speaks of HIV care: her SMS then say "your
    clinic"). A file with any error changes nothing."""
    try:
        result = import_file(store.redis(), path)
    except (OSError, UnicodeDecodeError) as err:
        raise click.ClickException(str(err)) from None
    errors, warnings = result.errors, [p for p in result.problems if p.warning]
    for problem in (errors + warnings)[:MOST_PROBLEMS]:
        click.echo(f"- {shown(str(problem))}")
    if len(errors + warnings) > MOST_PROBLEMS:
        click.echo(f"... and {len(errors + warnings) - MOST_PROBLEMS} more.")
    if result.version is None:
        click.echo(f"Nothing was imported: {len(errors)} problem(s) must be fixed first "
                   f"({len(result.facilities)} row(s) were readable). The list in use is unchanged.")
        raise SystemExit(1)
    click.echo(f"Imported {len(result.facilities)} facilities in {result.counties} counties "
               f"(version {result.version}); {len(warnings)} warning(s). Every node uses it now.")


@group.command("list")
@click.option("--county", help="Only this county's facilities.")
def list_(county):
    """List the facilities in use: code, name, county, sub-county and SMS name."""
    directory = facilities.directory(store.redis())
    found = directory.all()
    if county:
        wanted = county.strip().lower()
        found = [f for f in found if f.county.lower() == wanted]
        if not found:
            raise click.ClickException(f"No facility in the county {county!r}. Counties: "
                                       f"{', '.join(directory.counties())}.")
    for facility in found:
        click.echo(shown(f"{facility.code}  {facility.name} | {facility.county} / "
                         f"{facility.sub_county or '-'} | SMS: {facility.sms_name or '(your clinic)'}"))
    click.echo(f"{len(found)} facilities; {_source(directory)}")


@group.command("show")
@click.argument("code")
def show(code):
    """Show one facility by its MFL code."""
    directory = facilities.directory(store.redis())
    found = directory.get(code)
    if found is None:
        raise click.ClickException(f"No facility has the code {code!r} ({_source(directory)}).")
    for label, value in (("MFL code", found.code), ("Name", found.name), ("County", found.county),
                         ("Sub-county", found.sub_county or "-"),
                         ("SMS name", found.sms_name or "(none: her SMS say 'your clinic')"),
                         ("DHIS2 org unit", found.dhis2_org_unit or "-")):
        click.echo(shown(f"{label}: {value}"))
    click.echo(_source(directory))


def _source(directory):
    if directory.source != "imported":
        return "the sample in flows/facilities.csv (no national list imported)."
    meta = stored.meta(store.redis())
    return f"the list imported from {meta.get('file')} (version {meta.get('version')})."
