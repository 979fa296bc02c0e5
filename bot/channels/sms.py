"""POST /sms/incoming, /sms/delivery and /sms/optout: AT's SMS callbacks.

A callback answered 200 is never lost: when Redis does not answer, it goes to
the local spool and is replayed when Redis is back. Only if even the spool
cannot be written does the webhook answer 503, so that AT sends it again.
"""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app

from .. import content_service, jobs, optout, phones, store
from ..privacy import mask_phone
from ..sms import delivery, incoming, spool
from .webhooks import field, plain, token_required

log = logging.getLogger(__name__)
blueprint = Blueprint("sms", __name__)
INCOMING_FIELDS = ("from", "to", "text", "date", "id", "linkId", "networkCode")
OPTOUT_FIELDS = ("senderId", "phoneNumber")


@blueprint.post("/sms/incoming")
@token_required
def sms_incoming():
    return plain(*receive({name: field(name, incoming_limit(name)) for name in INCOMING_FIELDS}))


def incoming_limit(name):
    """How many characters of an incoming SMS field are kept."""
    return 2000 if name == "text" else 100


def receive(form):
    """Take one incoming SMS as (body, HTTP status): the work of /sms/incoming once its token is
    checked. The console's phone simulator calls it too, in this process, with clean fields."""
    if not form["id"] or not form["from"]:
        return "Bad request: id and from are required.", 400
    return _take("incoming", form)


@blueprint.post("/sms/delivery")
@token_required
def sms_delivery():
    form = {name: field(name, 200) for name in delivery.FIELDS}
    if not form["id"] or not form["status"]:
        return plain("Bad request: id and status are required.", 400)
    return plain(*_take("delivery", form))


@blueprint.post("/sms/optout")
@token_required
def sms_optout():
    """She opted out of the sender ID with her network: no SMS of any kind go to her."""
    form = {name: field(name, 100) for name in OPTOUT_FIELDS}
    phone = phones.normalise(form["phoneNumber"], current_app.config["PHONE_REGION"])
    if phone is None:
        return plain("Bad request: phoneNumber must be a phone number, as +254712345678.", 400)
    return _take("optout", {**form, "phoneNumber": phone})


def handlers(app):
    """The work for each kind of callback, also used to replay the spool."""

    def on_incoming(form):
        db = store.redis(app)
        today = datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"])).date()
        try:  # the mark "seen" and the work succeed together, or the mark is undone
            replies = incoming.handle(db, content_service.current(app), app.config, form, today)
            jobs.queue_sms(replies, store.enqueue_connection(app), app.config["SMS_RETRY_SECONDS"])
        except store.Errors:
            incoming.release(db, form)
            raise
        incoming.finish(db, form)

    def on_delivery(form):
        delivery.record(store.redis(app), form, max(int(app.config["SMS_UNDELIVERABLE_AFTER"]), 1))

    def on_optout(form):
        if optout.stop(store.redis(app), form["phoneNumber"], "at_optout", form["senderId"]):
            log.info("SMS to %s stopped: opted out through AT", mask_phone(form["phoneNumber"]))

    return {"incoming": on_incoming, "delivery": on_delivery, "optout": on_optout}


def _take(kind, form):
    app = current_app._get_current_object()
    work = handlers(app)
    try:
        work[kind](form)
        if spool.pending(app):  # Redis answers again: bring back what waited
            spool.replay(app, work)
    except store.Errors as err:
        log.warning("SMS %s kept in the spool: Redis unavailable (%s)", kind, type(err).__name__)
        try:
            spool.append(app, kind, form)
        except OSError:
            return "Service unavailable: please retry.", 503
    return "OK", 200
