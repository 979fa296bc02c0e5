"""Who is asking: the logged-in account, its role, and the form token that proves a page sent a POST.

Every POST to the console must carry the session's token, in a form field
(`csrf_token`) or, for the page's own scripts, the X-CSRF-Token header; a
page on another site cannot read it, so it cannot make a logged-in browser
close a follow-up or change a text.
"""

import hmac
import secrets
import time
from functools import wraps

from flask import abort, current_app, g, request, session
from werkzeug.exceptions import BadRequest

from .. import store
from . import accounts


class FormExpired(BadRequest):
    """A POST without the session's token (an old page, or another site)."""

    description = ("This form had expired or did not come from the console. Go back, reload the "
                   "page and try again.")


def csrf_token():
    """Return the session's form token, making one the first time."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf():
    """Refuse the request unless it carries the session's token (compared in constant time)."""
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise FormExpired()


def load_user():
    """Put the logged-in account in g.user (None when nobody is, or the login is over)."""
    g.user = None
    name = session.get("user")
    if not name:
        return
    hours = current_app.config["CONSOLE_SESSION_HOURS"]
    if time.time() - session.get("since", 0) > hours * 3600:
        session.clear()
        return
    account = accounts.get(store.redis(), name)
    if account is None or account.get("stamp") != session.get("stamp"):
        session.clear()  # removed, or made again since this login
        return
    g.user = account


def start_session(account):
    """Log this account in: a fresh session, so nothing from before the login carries over."""
    session.clear()
    session.update(user=account["name"], stamp=account["stamp"], since=int(time.time()),
                   csrf=secrets.token_urlsafe(32))


def is_editor():
    return bool(g.get("user")) and g.user.get("role") == "editor"


def editors_only(view):
    """Answer 403 unless the account is an editor."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not is_editor():
            abort(403)
        return view(*args, **kwargs)

    return checked
