"""`flask --app wsgi followups list|close`: the Mentor Mothers' call-back list."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import mentors, programme_time, store
from ..mentors.commands import mentor_phone
from ..privacy import mask_phone
from ..store import followups
from .shown import shown

group = AppGroup("followups", help="Mothers who asked for a call, missed a visit or sent a question.")


@group.command("list")
def list_open():
    """List open follow-ups, urgent first, then oldest first: when asked, when due (OVERDUE once
    past), the Mentor Mother it is assigned to ("unassigned": see `followups assign`), and the
    number to call.

    Times are programme time (BOT_TIMEZONE), each written with its zone.
    """
    db = store.redis()
    records = followups.open_list(db, 100_000)
    if not records:
        click.echo("No open follow-ups.")
    names = {m["phone"]: m["name"] for m in mentors.everyone(db)}
    for record in records:
        when = programme_time.shown(record["created_at"], fmt=programme_time.WITH_ZONE)
        what = followups.REASONS.get(record["reason"], record["reason"])
        detail = " ".join(filter(None, [record.get("topic"), record.get("sign", "").replace("_", " ")]))
        if record.get("message"):
            detail = f"{detail} \"{record['message'][:80]}\"".strip()
        count = followups.text_count(record)
        if count > 1:
            detail = f"{detail} [{count} texts]"
        priority = "URGENT" if followups.priority(record) == "urgent" else "normal"
        click.echo(shown(f"{record['id']}  {priority}  {when}  {_due(record)}  "
                         f"{_assigned(record, names)}  {record['phone']}  {what} "
                         f"({record['channel']}) {detail}".rstrip()))
        if count > 1:
            _her_texts(record)


def _due(record):
    due = programme_time.shown(followups.due_at(record), fmt="%Y-%m-%d %H:%M")
    return f"OVERDUE since {due}" if followups.overdue(record) else f"due by {due}"


def _assigned(record, names):
    mentor = record.get("assigned_to")
    if not mentor:
        return "unassigned"
    return f"to {names.get(mentor, 'a Mentor Mother no longer listed')} ({mask_phone(mentor)})"


def _her_texts(record):
    """Her texts kept on a follow-up, newest first, one a line under it."""
    for said in reversed(followups.messages(record)):
        when = programme_time.shown(said["at"], fmt=programme_time.WITH_ZONE)
        sign = "  danger sign" if said.get("sign") else ""
        click.echo(shown(f"    {when}{sign}  \"{said['text'][:80]}\""))


@group.command("close")
@click.argument("followup_id")
@click.option("--note", default="", help="What was done, for the record.")
def close(followup_id, note):
    """Mark a follow-up done, with a note."""
    if not followups.close(store.redis(), followup_id, note, by="command line",
                           keep_days=current_app.config["FOLLOWUP_KEEP_DAYS"]):
        raise click.ClickException(f"There is no open follow-up {followup_id}; see `followups list`.")
    click.echo(f"Follow-up {followup_id} closed.")


@group.command("assign")
@click.argument("followup_id")
@click.argument("phone")
def assign(followup_id, phone):
    """Give an open follow-up, and the mother with it, to the Mentor Mother with number PHONE."""
    number = mentor_phone(phone)
    done = followups.reassign(store.redis(), followup_id, number)
    if done == "no_mentor":
        raise click.ClickException(f"{mask_phone(number)} is not a Mentor Mother; see "
                                   "`mentors list`.")
    if done != "ok":
        raise click.ClickException(f"There is no open follow-up {followup_id}; see `followups list`.")
    click.echo(f"Follow-up {followup_id} assigned to {mask_phone(number)}; her later follow-ups "
               "go to the same Mentor Mother.")
