"""`flask --app wsgi followups list|close`: the Mentor Mothers' call-back list."""

import time
from datetime import datetime

import click
from flask.cli import AppGroup

from .. import store
from ..store import followups

group = AppGroup("followups", help="Mothers who asked for a call, missed a visit or sent a question.")
REASONS = {"callback": "asked for a call", "missed_visit": "missed a visit",
           "sms_question": "sent a question"}


@group.command("list")
def list_open():
    """List open follow-ups, oldest first, with the number to call."""
    db = store.redis()
    ids = db.zrange(followups.OPEN, 0, -1)
    pipe = db.pipeline(transaction=False)
    for followup_id in ids:
        pipe.hgetall(followups.key(followup_id))
    records = [r for r in pipe.execute() if r]
    if not records:
        click.echo("No open follow-ups.")
    for record in records:
        when = datetime.fromtimestamp(int(record["created_at"])).strftime("%Y-%m-%d %H:%M")
        what = REASONS.get(record["reason"], record["reason"])
        detail = record.get("topic") or ""
        if record.get("message"):
            detail = f"{detail} \"{record['message'][:80]}\"".strip()
        click.echo(f"{record['id']}  {when}  {record['phone']}  {what} ({record['channel']}) "
                   f"{detail}".rstrip())


@group.command("close")
@click.argument("followup_id")
@click.option("--note", default="", help="What was done, for the record.")
def close(followup_id, note):
    """Mark a follow-up done, with a note."""
    db = store.redis()
    if not db.exists(followups.key(followup_id)):
        raise click.ClickException(f"There is no follow-up {followup_id}; see `followups list`.")
    pipe = db.pipeline(transaction=True)
    pipe.hset(followups.key(followup_id), mapping={"status": "done", "note": note[:500],
                                                   "closed_at": str(int(time.time()))})
    pipe.zrem(followups.OPEN, followup_id)
    pipe.execute()
    click.echo(f"Follow-up {followup_id} closed.")
