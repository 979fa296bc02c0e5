"""`flask --app wsgi mentors add|list|remove|set-pin`: the Mentor Mothers who call mothers back."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import mentors, phones, programme_time, store
from ..cli.shown import shown
from ..privacy import mask_phone
from ..store import contacts
from . import outcomes

group = AppGroup("mentors", help="Mentor Mothers: who they are, their facility and their PIN.")
PIN_HELP = "4 to 6 digits; asked twice, hidden, when not given (better: let it ask)."


def mentor_phone(raw):
    """The number staff typed, as E.164; a plain error naming the format otherwise."""
    phone = phones.normalise(raw, current_app.config["PHONE_REGION"])
    if phone is None:
        raise click.BadParameter(f"{raw!r} is not a phone number; write it as 0712345678 or "
                                 "+254712345678.")
    return phone


@group.command("add")
@click.argument("phone")
@click.option("--name", required=True, help="Her name, as her supervisor and mothers know her.")
@click.option("--facility", required=True, help="Her facility's MFL code, e.g. 13939.")
@click.option("--language", type=click.Choice(["en", "sw"]), default="en", show_default=True,
              help="The language of her work menu on USSD (she can change it there).")
@click.password_option("--pin", help=PIN_HELP, prompt="Her PIN")
def add(phone, name, facility, language, pin):
    """Add Mentor Mother PHONE at a facility, with the PIN she will use on her phone."""
    number = mentor_phone(phone)
    try:
        mentors.add(store.redis(), number, name, facility, pin, language)
    except mentors.MentorError as err:
        raise click.ClickException(str(err)) from None
    click.echo(shown(f"Mentor Mother {name.strip()} ({mask_phone(number)}) added at facility "
                     f"{facility.strip()}."))


@group.command("list")
@click.option("--facility", default=None, help="Only those of this facility (MFL code).")
@click.option("--full-numbers", is_flag=True, help="Show whole numbers, not the last three digits.")
def list_mentors(facility, full_numbers):
    """List Mentor Mothers with their facility and how many open follow-ups each has."""
    db = store.redis()
    found = mentors.everyone(db, facility.strip() if facility else None)
    if not found:
        click.echo("No Mentor Mothers" + (f" at facility {shown(facility)}." if facility else
                                          ". Add one: flask --app wsgi mentors add PHONE "
                                          "--name NAME --facility CODE"))
    for record in found:
        number = record["phone"] if full_numbers else mask_phone(record["phone"])
        since = programme_time.shown(record["created_at"] or 0, fmt="%Y-%m-%d")
        count = len(mentors.open_followups(db, record["phone"]))
        click.echo(shown(f"{number:<14} {record['facility']:<7} {record['name']:<24} "
                         f"{count} open follow-ups  since {since}"))


@group.command("remove")
@click.argument("phone")
def remove(phone):
    """Remove a Mentor Mother; her open follow-ups go to another of her facility, or to the
    supervisor's unassigned list."""
    number = mentor_phone(phone)
    found, moved = mentors.remove(store.redis(), number)
    if not found:
        raise click.ClickException(f"{mask_phone(number)} is not a Mentor Mother; see "
                                   "`mentors list`.")
    click.echo(f"Mentor Mother {mask_phone(number)} removed; {moved} open follow-ups handed on "
               "(see `followups list`).")


@group.command("set-pin")
@click.argument("phone")
@click.password_option("--pin", help=PIN_HELP, prompt="Her new PIN")
def set_pin(phone, pin):
    """Give a Mentor Mother a new PIN (she forgot hers, or it was locked)."""
    number = mentor_phone(phone)
    try:
        mentors.set_pin(store.redis(), number, pin)
    except mentors.MentorError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"New PIN set for {mask_phone(number)}.")


@group.command("wrong-numbers")
@click.option("--full-numbers", is_flag=True, help="Show whole numbers, not the last three digits.")
def wrong_numbers(full_numbers):
    """List mothers whose number a Mentor Mother found wrong on a call, for a supervisor to check."""
    db = store.redis()
    phones_found = sorted(db.smembers(outcomes.WRONG_NUMBERS))
    if not phones_found:
        click.echo("No number has been reported wrong.")
    for phone in phones_found:
        contact = db.hgetall(contacts.key(phone))
        who = mentors.get(db, contact.get("number_wrong_by", "")) or {"name": "someone no longer listed"}
        when = programme_time.shown(contact.get("number_wrong_at") or 0, fmt="%Y-%m-%d")
        number = phone if full_numbers else mask_phone(phone)
        click.echo(shown(f"{number:<14} reported wrong by {who['name']} on {when}"))
