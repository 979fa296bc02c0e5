"""Reading what a clinic system sent: the JSON body, the phone in the path, field checks.

Each check takes (field name, value, today) and returns the value to keep, or
raises a 422 naming the field. The rules match what a mother may type on USSD
(a due date at most 42 weeks ahead, a birth date at most two years back), so
the API cannot store what the menus would refuse.
"""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, request
from werkzeug.exceptions import BadRequest

from .. import phones
from .errors import ApiError

# [0-9], not \d: Python's \d also takes other scripts' digits, which the OpenAPI patterns refuse.
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
PHONE = re.compile(r"\+?[0-9]{9,15}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def now():
    """The time where the programme is."""
    return datetime.now(ZoneInfo(current_app.config["BOT_TIMEZONE"]))


def phone(raw):
    """Return the phone number in the path as E.164 (+2547...), or refuse it naming `phone`."""
    number = phones.normalise(raw, current_app.config["PHONE_REGION"]) if PHONE.fullmatch(raw) else None
    if number is None:
        raise ApiError(422, "phone is not a valid phone number; write it as 0712345678, "
                            "254712345678 or +254712345678", "phone")
    return number


def body(checks, required=()):
    """Return the JSON object sent, each field checked by `checks[name]`."""
    if not request.is_json:
        raise ApiError(415, "send the body as JSON with Content-Type: application/json")
    try:
        sent = request.get_json()
    except BadRequest:
        raise ApiError(400, "the body is not valid JSON") from None
    if not isinstance(sent, dict):
        raise ApiError(400, "the body must be a JSON object, such as {\"language\": \"sw\"}")
    for name in sent:
        if name not in checks:
            raise ApiError(422, f"{name} is not a field here; the fields are {', '.join(checks)}", name)
    for name in required:
        if name not in sent:
            raise ApiError(422, f"{name} is required", name)
    today = now().date()
    return {name: checks[name](name, sent[name], today) for name in checks if name in sent}


def one_of(*choices):
    def check(name, value, today):
        if value not in choices:
            raise ApiError(422, f"{name} must be one of: {', '.join(choices)}", name)
        return value
    return check


def boolean(name, value, today):
    if not isinstance(value, bool):
        raise ApiError(422, f"{name} must be true or false", name)
    return value


def clock(name, value, today):
    if not isinstance(value, str) or not CLOCK.fullmatch(value):
        raise ApiError(422, f"{name} must be a time written HH:MM, such as 09:30", name)
    return value


def text_up_to(limit, why=" (it must fit in an SMS)"):
    def check(name, value, today):
        if not isinstance(value, str) or CONTROL.search(value):
            raise ApiError(422, f"{name} must be text on one line", name)
        cleaned = " ".join(value.split())
        if not cleaned or len(value) > limit:
            raise ApiError(422, f"{name} must be 1 to {limit} characters{why}", name)
        return cleaned
    return check


def day_within(first, last, rule):
    """A date from `first` to `last` days after today (negative: before); `rule` says it in words."""
    def check(name, value, today):
        found = iso_date(value)
        if found is None:
            raise ApiError(422, f"{name} must be a date written YYYY-MM-DD", name)
        if not today + timedelta(days=first) <= found <= today + timedelta(days=last):
            raise ApiError(422, f"{name} must be {rule}", name)
        return found
    return check


def iso_date(value):
    """Return a YYYY-MM-DD string as a date, or None."""
    if not isinstance(value, str) or not DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def mfl_code(name, value, today):
    """An MFL code as digits ("13704"); a JSON number is taken too. Whether a facility has it
    is checked against the facility list by the caller."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not re.fullmatch(r"\d{4,6}", text.strip()):
        raise ApiError(422, f"{name} must be an MFL code: the facility's number in the Kenya Master "
                            "Health Facility List, such as \"13704\"", name)
    return text.strip()
