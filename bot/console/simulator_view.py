"""GET /console/simulator: a phone in the page that talks to the real bot, for test numbers only.

The page (static/simulator.js) posts each USSD screen and each SMS here; the
console hands them to the same code the webhooks run once Africa's Talking's
token is checked, in this process, so the webhook token never reaches a
browser. Only test numbers (TEST_PHONE_PREFIXES) are taken, and each use is
recorded with the staff member's name. Replies by SMS are sent by the worker;
with the console gateway (no AT account set) they land in the Redis outbox,
which the page reads back here.
"""

import json
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers
from flask import current_app, g, jsonify, render_template, request, url_for

from .. import phones, store, test_numbers
from ..channels import sms, ussd
from ..channels.webhooks import clean
from ..sms.gateway import OUTBOX
from . import simulator_audit
from .web import blueprint

SERVICE_CODE = "*384*123#"  # shown as dialled while USSD_CODE is unset; the bot does not depend on it
SHORTCODE = "22384"
NETWORK = "63902"
OUTBOX_READ = 300  # newest outbox entries looked through
SESSION_ID = 40  # characters of the page's USSD session id kept
RECENT = 10  # uses of the simulator listed on its page


@blueprint.get("/simulator")
def simulator():
    urls = {"ussd": url_for("console.simulator_ussd"), "sms": url_for("console.simulator_sms"),
            "outbox": url_for("console.outbox")}
    prefixes = current_app.config["TEST_PHONE_PREFIXES"]
    length = number_length(current_app.config["PHONE_REGION"])
    return render_template("console/simulator.html", urls=urls,
                           service_code=current_app.config["USSD_CODE"] or SERVICE_CODE,
                           shortcode=SHORTCODE, gateway=_gateway_name(), prefixes=prefixes,
                           number_length=length, first_number=_first_number(prefixes, length),
                           recent=simulator_audit.latest(store.redis(), RECENT))


@blueprint.post("/simulator/ussd")
def simulator_ussd():
    """One USSD screen for a test number: {phone, session, text} -> {screen}."""
    given, phone, refused = _test_phone()
    if refused:
        return refused
    session_id = "SIM" + clean(given.get("session", ""), SESSION_ID).strip()
    body, status = ussd.respond(session_id, phone, clean(given.get("text", ""), ussd.MAX_TEXT))
    simulator_audit.record(store.redis(), g.user["name"], "ussd", phone)
    if status != 200:
        return jsonify(error=body), status
    return jsonify(screen=body)


@blueprint.post("/simulator/sms")
def simulator_sms():
    """An SMS from a test number to the bot, as AT would forward it: {phone, text} -> {status}."""
    given, phone, refused = _test_phone()
    if refused:
        return refused
    text = clean(given.get("text", ""), sms.incoming_limit("text")).strip()
    if not text:
        return jsonify(error="Type the SMS first."), 400
    now = datetime.now(ZoneInfo(current_app.config["BOT_TIMEZONE"]))
    form = {"from": phone, "to": SHORTCODE, "text": text, "id": "SIM" + secrets.token_hex(8),
            "date": now.strftime("%Y-%m-%d %H:%M:%S"), "linkId": "", "networkCode": NETWORK}
    body, status = sms.receive(form)
    simulator_audit.record(store.redis(), g.user["name"], "sms", phone)
    if status != 200:
        return jsonify(error=f"The bot could not take the SMS: {body}"), 503
    return jsonify(status="received")


@blueprint.post("/simulator/outbox")
def outbox():
    """SMS the console gateway kept for one test number, oldest first."""
    _, phone, refused = _test_phone()
    if refused:
        return refused
    found = []
    for raw in store.redis().lrange(OUTBOX, 0, OUTBOX_READ - 1):
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("to") == phone:
            found.append({"id": str(message.get("id", "")), "text": str(message.get("text", ""))})
    return jsonify(gateway=_gateway_name(), messages=found[::-1])


def _test_phone():
    """(the JSON sent, its phone as E.164, None) or (.., .., an answer refusing it)."""
    given = request.get_json(silent=True)
    given = given if isinstance(given, dict) else {}
    phone = phones.normalise(str(given.get("phone", ""))[:40], current_app.config["PHONE_REGION"])
    if phone is None:
        return given, None, (jsonify(error="That is not a phone number. Write it as +254700000001."),
                             400)
    if not test_numbers.is_test(phone):
        return given, phone, (jsonify(error=_not_a_test_number()), 403)
    return given, phone, None


def _not_a_test_number():
    prefixes = current_app.config["TEST_PHONE_PREFIXES"]
    if not prefixes:
        return ("No test numbers are set, so the simulator cannot be used. Ask the person who runs "
                "the bot to list the programme's test phones in TEST_PHONE_PREFIXES.")
    return ("That is not a test number. The simulator takes only numbers starting "
            f"{', '.join(prefixes)}, so that it never changes a mother's records.")


def number_length(region):
    """How long a mobile number of the programme's country is in E.164 (13 for Kenya)."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    return len(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164))


def _first_number(prefixes, length):
    """A test number to start with: the first prefix filled up with zeros and a final 1."""
    if not prefixes or len(prefixes[0]) >= length:
        return prefixes[0] if prefixes else ""
    return prefixes[0] + "0" * (length - len(prefixes[0]) - 1) + "1"


def _gateway_name():
    """Which gateway the worker sends with (the same test as sms.gateway.gateway_for)."""
    config = current_app.config
    return "africastalking" if config.get("AT_USERNAME") and config.get("AT_API_KEY") else "console"
