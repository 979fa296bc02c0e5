"""`flask --app wsgi api-tokens create|list|revoke`: who may use the clinic API."""

import click
from flask.cli import AppGroup

from .. import programme_time, store
from ..api import tokens
from .shown import shown

group = AppGroup("api-tokens", help="Tokens for clinic systems using the JSON API under /api.")


@group.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice([*tokens.SCOPES, "all"]),
              help="What the token may do; give it once for each (e.g. --scope contacts:write "
                   "--scope contacts:read), or --scope all.")
def create(name, scopes):
    """Make a token for the clinic system NAME and print it (only this once)."""
    if "all" in scopes:
        scopes = tuple(tokens.SCOPES)
    try:
        token = tokens.create(store.redis(), name, scopes)
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    # The token alone goes to stdout, so a script can take it: TOKEN=$(flask ... create NAME)
    click.echo(f"Token for {name}, shown only now (the bot keeps only a fingerprint of it). Give it "
               "to the system's administrator, to send as the header 'Authorization: Bearer <token>':",
               err=True)
    click.echo(token)


@group.command("list")
def list_names():
    """List the names of the tokens that work, with the day each was made (programme time)."""
    found = tokens.names(store.redis())
    if not found:
        click.echo("No API tokens; make one with: flask --app wsgi api-tokens create NAME --scope ...")
    for name, created, scopes in found:
        day = programme_time.shown(created, fmt="%Y-%m-%d") if created else "?"
        click.echo(f"{shown(name)}  made {day}  may: {', '.join(scopes)}")


@group.command("revoke")
@click.argument("name")
def revoke(name):
    """Stop the token NAME working, at once."""
    if not tokens.revoke(store.redis(), name):
        raise click.ClickException(f"There is no token named {name}; see: flask --app wsgi api-tokens list")
    click.echo(f"Token {name} revoked; requests with it are now refused.")
