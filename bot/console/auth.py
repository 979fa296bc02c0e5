"""Who is asking: the logged-in account, its role, and the form token that proves a page sent a POST.

Every POST to the console must carry the login's form token, in a form field
(`csrf_token`) or, for the page's own scripts, the X-CSRF-Token header; a
page on another site cannot read it, so it cannot make a logged-in browser
close a follow-up or change a text. The token is kept with the login in Redis
(bot/console/logins.py); before login, the login form's token is in the cookie.
"""

import hmac
import secrets
from functools import wraps

from flask import abort, current_app, g, request, session
from werkzeug.exceptions import BadRequest

from .. import store
from . import accounts, logins


class FormExpired(BadRequest):
    """A POST without the session's token (an old page, or another site)."""

    description = ("This form had expired or did not come from the console. Go back, reload the "
                   "page and try again.")


def csrf_token():
    """Return the form token: the login's own, or before login the cookie's (made the first time)."""
    if g.get("login"):
        return g.login["csrf"]
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf():
    """Refuse the request unless it carries the form token (compared in constant time)."""
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token") or ""
    expected = g.login["csrf"] if g.get("login") else session.get("csrf") or ""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise FormExpired()


def load_user():
    """Put the logged-in account in g.user and its login in g.login (None when nobody is)."""
    g.user = g.login = None
    login_id = session.get("login")
    if not login_id:
        return
    db = store.redis()
    login = logins.get(db, login_id, current_app.config["CONSOLE_SESSION_HOURS"])
    account = accounts.get(db, login["user"]) if login else None
    if account is None or account.get("stamp") != login.get("stamp"):
        session.clear()  # logged out, expired, removed, or made again since this login
        return
    g.user, g.login = account, login


def start_session(account):
    """Log this account in: a new login record, and a fresh cookie holding only its id."""
    session.clear()
    session["login"] = logins.start(store.redis(), account,
                                    current_app.config["CONSOLE_SESSION_HOURS"])


def end_session():
    """Log out: the login record goes, so a copy of the cookie no longer works either."""
    login_id = session.get("login")
    if login_id:
        logins.end(store.redis(), login_id)
    session.clear()


def is_editor():
    return bool(g.get("user")) and g.user.get("role") == "editor"


def can_supervise():
    """Supervisors and editors manage Mentor Mothers and assign follow-ups; staff only look."""
    return bool(g.get("user")) and g.user.get("role") in ("supervisor", "editor")


def supervisors_only(view):
    """Answer 403 unless the account is a supervisor or an editor."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not can_supervise():
            abort(403)
        return view(*args, **kwargs)

    return checked


def editors_only(view):
    """Answer 403 unless the account is an editor."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not is_editor():
            abort(403)
        return view(*args, **kwargs)

    return checked
