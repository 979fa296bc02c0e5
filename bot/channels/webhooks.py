"""What every Africa's Talking callback shares: the token, plain answers, clean fields."""

import hmac
import re
from functools import wraps

from flask import Response, current_app, request

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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
    value = _CONTROL.sub("", request.form.get(name, "") or "")
    return value[:limit] if limit else value
