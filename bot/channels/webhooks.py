"""What every Africa's Talking callback shares: the token, plain answers, clean fields."""

import hmac
import re
from functools import wraps
from urllib.parse import parse_qsl

from flask import Response, current_app, request

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URLENCODED = ("", "application/x-www-form-urlencoded")  # what AT posts (or no type at all)


def plain(text, status=200):
    return Response(text, status=status, mimetype="text/plain")


def token_required(view):
    """Refuse the call unless it carries ?token=WEBHOOK_TOKEN (when one is set).

    AT signs nothing, so a secret in the callback URL is the protection; it is
    compared in constant time so it cannot be guessed byte by byte.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        expected = current_app.config.get("WEBHOOK_TOKEN") or ""
        if expected:
            given = request.args.get("token", "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return plain("Forbidden: missing or wrong token.", 403)
        return view(*args, **kwargs)

    return checked


def field(name, limit=None):
    """Return a form field as clean text: no control characters, trimmed."""
    value = _CONTROL.sub("", fields().get(name, ""))
    return value[:limit] if limit else value


def fields():
    """The callback's form fields (the first value of each), read once per request.

    AT posts a small urlencoded form. Reading it with parse_qsl costs half of
    werkzeug's general form parser (built for uploads too), which was a tenth
    of a USSD step's time; any other body still goes through werkzeug. The
    body is limited by MAX_CONTENT_LENGTH either way.
    """
    found = request.environ.get("bot.fields")
    if found is None:
        found = {}
        if request.mimetype in _URLENCODED:
            body = request.get_data(cache=True).decode("utf-8", "replace")
            for name, value in parse_qsl(body, keep_blank_values=True):
                found.setdefault(name, value)
        else:
            found = request.form.to_dict()
        request.environ["bot.fields"] = found
    return found
