"""The console's blueprint: login guard, security headers, and error pages in plain words."""

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from .. import programme_time, store
from ..errors import InvalidContent
from ..privacy import mask_phone
from . import auth, settings

log = logging.getLogger(__name__)
blueprint = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                      static_folder="static")
PUBLIC = {"console.login", "console.static"}
# Everything the page uses comes from this server: no other site can add a script or style.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
MESSAGES = {
    400: "The request could not be read. Go back and try again.",
    403: "Your account cannot open this. Flows and texts are changed by editors only, Mentor "
         "Mothers and who calls whom by supervisors and editors; ask the person who runs the "
         "console if you need it.",
    404: "There is no such page in the console.",
    405: "This page cannot be used that way. Go back and use the buttons on the page.",
    413: "What you sent is too large. Send less at a time.",
}


@blueprint.before_request
def guard():
    """Anonymous visitors go to the login page; every POST must carry the form token."""
    if request.endpoint == "console.static":
        return None
    settings.warn_once(current_app)
    auth.load_user()
    if request.method == "POST":
        auth.check_csrf()
    if g.user is None and request.endpoint not in PUBLIC:
        if wants_json():
            return jsonify(error="Your login has ended. Reload the page and log in again."), 401
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    return None


@blueprint.after_request
def headers(response):
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "console.static":
        response.headers["Cache-Control"] = "no-store"  # pages hold personal data
    return response


@blueprint.context_processor
def helpers():
    return {"csrf_token": auth.csrf_token, "is_editor": auth.is_editor(), "user": g.get("user"),
            "can_supervise": auth.can_supervise(),
            "show_phone": show_phone, "local_time": local_time,
            "zone_name": programme_time.name()}


def show_phone(phone):
    """The full number for editors; the last three digits for everyone else."""
    return phone if auth.is_editor() else mask_phone(phone)


def local_time(epoch, fmt="%Y-%m-%d %H:%M"):
    """A Unix time as the programme's local time, or '-' when unreadable."""
    return programme_time.shown(epoch, fmt=fmt)


def wants_json():
    return request.is_json or request.accept_mimetypes.best == "application/json"


def safe_next(target):
    """Only a path inside the console: never send someone on to another site after login."""
    target = target or ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/console/") or "\\" in target:
        return url_for("console.index")
    return target


def expired_hint():
    """Why a form may keep expiring, when the cause is on the server."""
    if current_app.extensions.get(settings.GENERATED):
        return ("If this keeps happening: this server has no SECRET_KEY set, so a login is only "
                "known to the web process that made it. Ask the person who runs it to set one.")
    if current_app.config.get("SESSION_COOKIE_SECURE") and not request.is_secure \
            and request.host.split(":")[0] not in ("127.0.0.1", "localhost"):
        return ("If this keeps happening: the console is reached over plain http but its cookie "
                "needs https. Ask the person who runs it to serve it over https.")
    return ""


def error_page(status, message):
    if wants_json():
        return jsonify(error=message), status
    return render_template("console/error.html", status=status, message=message), status


@blueprint.errorhandler(HTTPException)
def http_error(err):
    if isinstance(err, auth.FormExpired):
        return error_page(400, f"{err.description} {expired_hint()}".strip())
    return error_page(err.code or 500, MESSAGES.get(err.code, err.description))


@blueprint.errorhandler(InvalidContent)
def broken_content(err):
    return error_page(503, "The flows have problems, so this cannot be shown. See them on the "
                           "Flows page.")


@blueprint.errorhandler(Exception)
def unexpected(err):
    if isinstance(err, store.Errors):
        log.warning("Console: Redis unavailable (%s)", type(err).__name__)
        return error_page(503, "The database is not answering. Wait a minute and try again.")
    log.exception("Console: unexpected error")
    return error_page(500, "Something went wrong on our side; it was logged. Try again, and tell "
                           "the person who runs the console if it keeps happening.")


@blueprint.get("/")
def index():
    return redirect(url_for("console.followups"))


@blueprint.route("/<path:rest>", methods=["GET", "POST"])
def not_found(rest):
    """Unknown console addresses get the console's own page, not the webhooks' plain text."""
    return error_page(404, MESSAGES[404])
