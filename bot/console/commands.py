"""`flask --app wsgi users create|list|remove`: who may log in to the web console."""

import click
from flask.cli import AppGroup

from .. import programme_time, store
from ..cli.shown import shown
from . import accounts

group = AppGroup("users", help="Accounts for the staff web console (/console).")


@group.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), default="staff", show_default=True,
              help="staff: follow-ups, contacts, messages; supervisor: also Mentor Mothers and "
                   "assigning follow-ups; editor: also flows and texts, full numbers.")
@click.password_option(help="Asked twice when not given (better: let it ask).")
def create(name, role, password):
    """Create a console account NAME; asks for its password twice."""
    try:
        made = accounts.create(store.redis(), name, password, role)
    except accounts.AccountError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Account '{made}' created ({role}). Log in at /console.")


@group.command("list")
def list_accounts():
    """List console accounts with their role."""
    found = accounts.everyone(store.redis())
    if not found:
        click.echo("No accounts yet. Create one: flask --app wsgi users create NAME --role editor")
    for account in found:
        made = programme_time.shown(account.get("created_at") or 0, fmt="%Y-%m-%d")
        click.echo(shown(f"{account['name']:<20} {account.get('role', '?'):<10} created {made}"))


@group.command("remove")
@click.argument("name")
def remove(name):
    """Remove a console account; anyone logged in with it is logged out."""
    if not accounts.remove(store.redis(), name):
        raise click.ClickException(f"There is no account '{accounts.clean_name(name)}'; "
                                   "see `users list`.")
    click.echo(f"Account '{accounts.clean_name(name)}' removed.")
