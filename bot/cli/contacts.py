"""`flask --app wsgi contacts show|loss|reset-pin|enrolments|resume-sms`: one mother's record, a
loss reported to staff, a PIN she forgot, enrolments recovered after a dropped session, and SMS
paused after failed deliveries."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from .. import content_service, optout, pin, store
from ..care import loss
from ..enrolment import recovery
from ..optout import undeliverable
from ..privacy import mask_phone
from ..reminders.timing import Rules
from ..store import contacts, followups, visits
from ..test_numbers import is_test
from .shown import shown
from .sms import phone_number

group = AppGroup("contacts", help="One mother's record; record a loss she told staff about; "
                                     "remove a PIN she forgot; enrolments recovered; send SMS "
                                     "again after failed deliveries.")
SHOWN_FIELDS = ("language", "stage", "due_date", "birth_date", "loss_date", "clinic", "facility",
                "county", "enrolled_on", "enrolled_by", "consent_sms", "hiv_messages", "opted_out")


def _known(db, phone):
    contact = db.hgetall(contacts.key(phone))
    if not contact:
        raise click.ClickException(f"No contact has the number {mask_phone(phone)}.")
    return contact


@group.command("show")
@click.argument("phone")
def show(phone):
    """Her details, her visits (a cancelled one with why) and her open follow-ups."""
    db, number = store.redis(), phone_number(phone)
    contact = _known(db, number)
    test = " (a test number: not in the follow-up list, in no figure)" if is_test(number) else ""
    click.echo(f"Contact {mask_phone(number)}{test}")
    for name in SHOWN_FIELDS:
        if contact.get(name):
            click.echo(f"  {name}: {shown(contact[name])}")
    _show_sms_state(contact)
    if contact.get("pin_hash"):  # never the hash itself
        click.echo("  pin: set (remove it with: contacts reset-pin)")
    found = sorted(visits.parse(db.hgetall(visits.key(number))).values(), key=lambda v: v["date"])
    click.echo(f"Visits ({len(found)}):" if found else "Visits: none")
    for visit in found:
        why = f" ({visit['cancel_reason']})" if visit.get("cancel_reason") else ""
        click.echo(shown(f"  {visit['date']}  {visit.get('kind', 'other'):<12} "
                         f"{visit.get('status')}{why}"))
    records = [db.hgetall(followups.key(f)) for f in sorted(db.smembers(followups.by_phone_key(number)))]
    opened = [r for r in records if r.get("status") == "open"]
    click.echo(f"Open follow-ups ({len(opened)}):" if opened else "Open follow-ups: none")
    for record in opened:
        click.echo(shown(f"  {record['id']}  {followups.REASONS.get(record['reason'], record['reason'])}"))


def _show_sms_state(contact):
    """Why no SMS go to her: her stop and where it came from, or a pause after failed deliveries."""
    stopped = optout.source_words(contact)
    if stopped:
        click.echo(shown(f"  stopped by: {stopped}"))
    if undeliverable.is_paused(contact):
        click.echo("  sms paused: her last SMS were not delivered (a Mentor Mother should check her "
                   "number; then: contacts resume-sms PHONE)")


@group.command("loss")
@click.argument("phone")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day of the loss (YYYY-MM-DD); today when left out.")
def report_loss(phone, day):
    """Record that she lost her pregnancy or her baby, as she would in USSD Settings.

    Her pregnancy and baby visits are cancelled (reason loss) and get no more reminders; her own
    visits keep theirs; a Mentor Mother follow-up (reason loss) is made once.
    """
    db, number = store.redis(), phone_number(phone)
    _known(db, number)
    config = current_app.config
    now = datetime.now(ZoneInfo(config["BOT_TIMEZONE"]))
    if day is not None and not now.date() - timedelta(days=365) <= day.date() <= now.date():
        raise click.BadParameter("the day of the loss must be today or within the last year.",
                                 param_hint="--date")
    followup_id = loss.report(db, content_service.current(), number, now, Rules.from_config(config),
                              "staff", day=day.date() if day else None)
    cancelled = [v for v in visits.parse(db.hgetall(visits.key(number))).values()
                 if v.get("cancel_reason") == "loss"]
    if followup_id is None:
        click.echo("Her loss was already recorded; nothing was made twice.")
    else:
        click.echo(f"Loss recorded. Follow-up {followup_id} asks a Mentor Mother to call her.")
    click.echo(f"{len(cancelled)} pregnancy or baby visit(s) stand cancelled for the loss, with no "
               "reminders. Her own visits keep theirs.")


@group.command("reset-pin")
@click.argument("phone")
def reset_pin(phone):
    """Remove the PIN of a mother who forgot it (after checking on a call that it is her).

    Her details then open without a PIN until she sets a new one in Settings; the removal is
    logged with her number masked.
    """
    db, number = store.redis(), phone_number(phone)
    _known(db, number)
    if pin.reset(db, number, by="staff command"):
        click.echo(f"PIN removed for {mask_phone(number)}. She can set a new one in Settings.")
    else:
        click.echo(f"{mask_phone(number)} has no PIN; nothing was changed.")


@group.command("enrolments")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 400),
              help="How many days back, today included.")
def enrolments(days):
    """Enrolments cut off midway on USSD, the SMS sent about them, and those finished later."""
    today = datetime.now(ZoneInfo(current_app.config["BOT_TIMEZONE"])).date()
    found = recovery.counts(store.redis(), [today - timedelta(days=n) for n in range(days)])
    click.echo("Day         Cut off  SMS sent  Recovered")
    for day, count in found.items():
        click.echo(f"{day.isoformat()}  {count['dropped']:>7}  {count['sms']:>8}  "
                   f"{count['recovered']:>9}")
    total = {name: sum(c[name] for c in found.values()) for name in recovery.COUNTS}
    click.echo(f"In all: {total['dropped']} cut off, {total['sms']} told by SMS, "
               f"{total['recovered']} recovered.")


@group.command("resume-sms")
@click.argument("phone")
def resume_sms(phone):
    """Send SMS to her again after they paused for failed deliveries (once her number is checked).

    Only the pause is lifted: a stop she asked for (STOP, or with her network) stays until she
    sends START herself.
    """
    db, number = store.redis(), phone_number(phone)
    contact = _known(db, number)
    if not undeliverable.resume(db, content_service.current(), current_app.config, number):
        click.echo(f"SMS to {mask_phone(number)} were not paused; nothing was changed.")
        return
    click.echo(f"SMS to {mask_phone(number)} will go again; her count of failed deliveries "
               "starts afresh.")
    if contact.get("opted_out") == "yes":
        click.echo("She also stopped SMS herself; none go until she sends START.")
