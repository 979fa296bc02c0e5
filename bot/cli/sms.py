"""`flask --app wsgi sms ...`: what was sent, what arrived, what it cost."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import phones, store
from ..privacy import mask_phone
from ..sms import log, outbound
from ..sms.gateway import GatewayError, gateway_for
from .shown import shown

group = AppGroup("sms", help="SMS: message log, daily totals, a test message.")


def phone_number(raw):
    """The number staff typed, as E.164; a plain error naming the format otherwise."""
    phone = phones.normalise(raw, current_app.config["PHONE_REGION"])
    if phone is None:
        raise click.BadParameter(f"{raw!r} is not a phone number; write it as 0712345678 or "
                                 "+254712345678.")
    return phone


@group.command("log")
@click.argument("phone")
@click.option("--limit", default=20, show_default=True)
def show_log(phone, limit):
    """Show the latest SMS sent to PHONE and what became of them."""
    found = log.messages(store.redis(), phone_number(phone), limit)
    if not found:
        click.echo("No SMS sent to this number.")
    for message in found:
        click.echo(shown(f"{message.get('id')}  {message.get('kind'):<12} {message.get('status'):<10} "
                         f"{message.get('cost') or '-':<12} "
                         f"{message.get('text', message.get('ref', ''))[:60]}"))


@group.command("totals")
@click.option("--days", default=7, show_default=True)
def show_totals(days):
    """Sent, delivered and failed (by reason) per day, and the cost."""
    click.echo(f"{'day':<11} {'sent':>6} {'delivered':>9} {'failed':>6} {'cost KES':>9}  reasons")
    for day, counts in log.totals(store.redis(), days):
        failed = {k.split(":", 1)[1]: int(v) for k, v in counts.items()
                  if k.startswith(("failed:", "undelivered:"))}
        reasons = shown(", ".join(f"{k} {v}" for k, v in sorted(failed.items())) or "-")
        click.echo(f"{day.isoformat():<11} {counts.get('sent', '0'):>6} "
                   f"{counts.get('delivered', '0'):>9} {sum(failed.values()):>6} "
                   f"{int(counts.get('cost_milli', 0)) / 1000:>9.2f}  {reasons}")


@group.command("send")
@click.argument("phone")
@click.argument("text")
def send(phone, text):
    """Send one SMS now (to try the gateway); opt-outs are respected."""
    db = store.redis()
    gateway = gateway_for(current_app.config, db)
    try:
        (outcome,) = outbound.send(db, gateway, [outbound.Outgoing(phone_number(phone), text, "staff")])
    except GatewayError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"{mask_phone(outcome.item.phone)}: {outcome.status} via {gateway.name}"
               + (f" (message {outcome.message_id})" if outcome.message_id else ""))


