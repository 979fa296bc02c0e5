"""GET /console/simulator: a phone in the page, talking to the real /ussd and /sms/incoming.

The page plays Africa's Talking's part (static/simulator.js). Replies by SMS
are sent by the worker; with the console gateway (no AT account set) they
land in the Redis outbox, which the page reads back here for its number.
"""

import json

from flask import current_app, jsonify, render_template, request, url_for

from .. import phones, store
from ..sms.gateway import OUTBOX
from .web import blueprint

SERVICE_CODE = "*384*123#"  # shown as dialled while USSD_CODE is unset; the bot does not depend on it
SHORTCODE = "22384"
OUTBOX_READ = 300  # newest outbox entries looked through


@blueprint.get("/simulator")
def simulator():
    urls = {"ussd": url_for("ussd.ussd"), "sms": url_for("sms.sms_incoming"),
            "token": url_for("console.simulator_token"), "outbox": url_for("console.outbox")}
    return render_template("console/simulator.html", urls=urls,
                           service_code=current_app.config["USSD_CODE"] or SERVICE_CODE,
                           shortcode=SHORTCODE, gateway=_gateway_name())


@blueprint.get("/simulator/token")
def simulator_token():
    """The webhook token, for the page's own calls; only ever given to a logged-in user."""
    return jsonify(token=current_app.config.get("WEBHOOK_TOKEN") or "")


@blueprint.post("/simulator/outbox")
def outbox():
    """SMS the console gateway kept for one number, oldest first."""
    given = request.get_json(silent=True) or {}
    phone = phones.normalise(str(given.get("phone", "")), current_app.config["PHONE_REGION"])
    if phone is None:
        return jsonify(error="That is not a phone number. Write it as +254712345678."), 400
    found = []
    for raw in store.redis().lrange(OUTBOX, 0, OUTBOX_READ - 1):
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("to") == phone:
            found.append({"id": str(message.get("id", "")), "text": str(message.get("text", ""))})
    return jsonify(gateway=_gateway_name(), messages=found[::-1])


def _gateway_name():
    """Which gateway the worker sends with (the same test as sms.gateway.gateway_for)."""
    config = current_app.config
    return "africastalking" if config.get("AT_USERNAME") and config.get("AT_API_KEY") else "console"
