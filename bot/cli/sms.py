"""`flask --app wsgi sms ...`: what was sent, what arrived, what it cost."""

import click
from flask import current_app
from flask.cli import AppGroup

from .. import phones, programme_time, store
from ..privacy import mask_phone
from ..sms import delivery, log, outbound, requests_log
from ..sms.gateway import GatewayError, gateway_for
from .shown import shown

group = AppGroup("sms", help="SMS: message log, daily totals, a test message.")
NOT_SENT = {  # why `sms send` sent nothing, in words staff can act on
    "OptedOut": "she texted STOP, so she gets no SMS until she texts START.",
    "Forgotten": "she asked to be forgotten a moment ago.",
    "": "see the status above (Africa's Talking's word for it) and `sms log` for the number.",
}
UNCONFIRMED = {"reported": "delivered", "sent_again": "sent again", "kept": "kept as sent"}


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
        click.echo(log_line(message))


def log_line(message):
    """One SMS on one line: when, what became of it (with AT's reason) and its first words."""
    status = message.get("status") or "?"
    if message.get("failure_reason"):
        status = f"{status} ({message['failure_reason']})"
    words = message.get("text", message.get("ref", ""))[:60]
    when = programme_time.shown(message.get("sent_at"), fmt=programme_time.WITH_ZONE)
    # shown() writes a line break in the words as \n: one SMS, one line, whatever she wrote.
    return shown(f"{when}  {message.get('id')}  "
                 f"{message.get('kind', '?'):<12} {status:<10} {message.get('cost') or '-':<12} "
                 f"{words}")


@group.command("totals")
@click.option("--days", default=7, show_default=True)
def show_totals(days):
    """Sent, delivered and failed (by reason) per day, and the cost."""
    click.echo(f"{'day':<11} {'sent':>6} {'delivered':>9} {'failed':>6} {'cost KES':>9}  reasons"
               f"  (days in {programme_time.name()})")
    for day, counts in log.totals(store.redis(), days):
        failed = {k.split(":", 1)[1]: int(v) for k, v in counts.items()
                  if k.startswith(("failed:", "undelivered:"))}
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(failed.items()))
        if int(counts.get(delivery.UNKNOWN, 0)):
            reasons += f"{', ' if reasons else ''}unknown status {counts[delivery.UNKNOWN]}"
        unsure = ", ".join(f"{UNCONFIRMED[k.split(':', 1)[1]]} {v}" for k, v in sorted(counts.items())
                           if k.split(":", 1)[-1] in UNCONFIRMED and k.startswith("unconfirmed:"))
        if unsure:  # bulk requests AT did not answer, settled (bot/sms/requests_log.py)
            reasons += f"{', ' if reasons else ''}unanswered by AT: {unsure}"
        reasons = shown(reasons or "-")
        click.echo(f"{day.isoformat():<11} {counts.get('sent', '0'):>6} "
                   f"{counts.get('delivered', '0'):>9} {sum(failed.values()):>6} "
                   f"{int(counts.get('cost_milli', 0)) / 1000:>9.2f}  {reasons}")


@group.command("send")
@click.argument("phone")
@click.argument("text")
def send(phone, text):
    """Send one SMS now (to try the gateway); opt-outs are respected: exits 1 if not sent."""
    db = store.redis()
    gateway = gateway_for(current_app.config, db)
    try:
        (outcome,) = outbound.send(db, gateway, [outbound.Outgoing(phone_number(phone), text, "staff")])
    except GatewayError as err:
        raise click.ClickException(str(err)) from None
    said = (f"{mask_phone(outcome.item.phone)}: {outcome.status} via {gateway.name}"
            + (f" (message {outcome.message_id})" if outcome.message_id else ""))
    if not outcome.sent:  # a script or a person must not take a refusal for a sent SMS
        raise click.ClickException(f"{said}. Not sent: {NOT_SENT.get(outcome.status, NOT_SENT[''])}")
    click.echo(said)




@group.command("unconfirmed")
@click.option("--now", "settle_all", is_flag=True,
              help="Settle every request waiting, without waiting SMS_UNCONFIRMED_MINUTES.")
def unconfirmed(settle_all):
    """Settle bulk requests AT may have taken without answering (the worker does it too)."""
    db = store.redis()
    wait = 0 if settle_all else float(current_app.config["SMS_UNCONFIRMED_MINUTES"]) * 60
    counts = requests_log.reconcile(db, wait, outbound.DONE_DAYS)
    click.echo(f"settled: {counts['reported']} reported delivered, {counts['sent_again']} to send "
               f"again, {counts['kept']} kept as sent (no report); "
               f"{requests_log.waiting(db)} request(s) still waiting")
