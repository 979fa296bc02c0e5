"""`flask --app wsgi backup FILE` and `restore FILE`: the whole Redis database to a file and back."""

import click
import redis as redis_lib
from flask import current_app
from flask.cli import with_appcontext

from .. import store
from ..store import backup as copy


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(path):
    """Write every key of the bot's Redis to PATH (gzip; readable by you only)."""
    db = store.queue_connection(current_app)
    try:
        count = copy.write(db, path)
    except store.Errors as err:
        raise click.ClickException(f"Redis did not answer ({type(err).__name__}); nothing "
                                   "complete was written.") from None
    click.echo(f"Wrote {count} keys to {path}. It holds mothers' records: keep it as safe as "
               "the database.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True, help="Restore into a database that holds keys, "
              "overwriting those in the backup.")
@with_appcontext
def restore(path, replace):
    """Put back every key from a backup written by `backup`."""
    db = store.queue_connection(current_app)
    try:
        count = copy.read(db, path, replace=replace)
    except copy.BackupError as err:
        raise click.ClickException(f"Nothing restored: {err}.") from None
    except (OSError, EOFError) as err:
        raise click.ClickException(f"Nothing restored: {path} could not be read ({err}).") from None
    except redis_lib.ResponseError as err:
        raise click.ClickException(f"Redis refused a key ({err}); the restore stopped part-way. "
                                   "A backup from a newer Redis cannot be restored into an older "
                                   "one.") from None
    click.echo(f"Restored {count} keys from {path}.")
