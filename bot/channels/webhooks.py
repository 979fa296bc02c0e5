"""What every Africa's Talking callback shares: the token, plain answers, clean fields."""

import hmac
import io
import ipaddress
import re
from functools import wraps
from urllib.parse import unquote_plus

from flask import Response, current_app, request

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URLENCODED = ("", "application/x-www-form-urlencoded")  # what AT posts (or no type at all)


def plain(text, status=200):
    return Response(text, status=status, mimetype="text/plain")


def token_required(view):
    """Refuse the call unless it carries ?token=WEBHOOK_TOKEN (when one is set) and comes
    from a network in WEBHOOK_ALLOW (when any is listed).

    AT signs nothing, so a secret in the callback URL is the protection; it is
    compared in constant time so it cannot be guessed byte by byte.
    """

    @wraps(view)
    def checked(*args, **kwargs):
        if not _address_allowed(current_app.config.get("WEBHOOK_ALLOW")):
            return plain("Forbidden: this address may not call the webhooks.", 403)
        expected = current_app.config.get("WEBHOOK_TOKEN") or ""
        if expected:
            given = request.args.get("token", "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return plain("Forbidden: missing or wrong token.", 403)
        return view(*args, **kwargs)

    return checked


def _address_allowed(networks):
    """True when WEBHOOK_ALLOW is empty or holds the caller's address (the direct peer's)."""
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in networks)


def field(name, limit=None):
    """Return a form field as clean text: no control characters, trimmed."""
    return clean(fields().get(name, ""), limit)


def clean(value, limit=None):
    """Text as a webhook field is read: no control characters, at most `limit` characters."""
    value = _CONTROL.sub("", str(value))
    return value[:limit] if limit else value


def fields():
    """The callback's form fields (the first value of each), read once per request.

    AT posts a small urlencoded form with its length. Read straight from the
    WSGI input and split here, it costs a fifth of going through werkzeug's
    request body and form machinery (built for uploads and streams), which was
    a sixth of a USSD step's time. Anything else (another type, no
    length, a body over MAX_CONTENT_LENGTH) still goes through werkzeug, which
    also gives the 413.
    """
    environ = request.environ
    found = environ.get("bot.fields")
    if found is None:
        body = _small_urlencoded_body(environ)
        if body is not None:
            found = _form(body)
        elif request.mimetype in _URLENCODED:
            found = _form(request.get_data(cache=True))
        else:
            found = request.form.to_dict()
        environ["bot.fields"] = found
    return found


def _form(body):
    """Read an urlencoded body as parse_qsl does (keeping blanks, the first value of each),
    unquoting only the parts that need it: AT's fields mostly do not."""
    found = {}
    for pair in body.decode("utf-8", "replace").split("&"):
        if not pair:
            continue
        name, _, value = pair.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        found.setdefault(name, value)
    return found


def _small_urlencoded_body(environ):
    """The raw body when it is urlencoded with a length within the limit; else None."""
    kind = environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower()
    length = environ.get("CONTENT_LENGTH", "")
    if kind not in _URLENCODED or not length.isdigit():
        return None
    size = int(length)
    if size > (current_app.config.get("MAX_CONTENT_LENGTH") or 0):
        return None
    body = environ["wsgi.input"].read(size)
    environ["wsgi.input"] = io.BytesIO(body)  # anything reading the body later still finds it
    return body
