"""GET/POST /console/login and POST /console/logout."""

import logging

from flask import flash, g, redirect, render_template, request, url_for

from .. import store
from . import accounts, auth
from .web import blueprint, safe_next

log = logging.getLogger(__name__)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.values.get("next"))
    if g.user is not None:
        return redirect(target)
    if request.method == "GET":
        return render_template("console/login.html", next=target, name="", error=None)
    name = request.form.get("name", "")
    account, why = accounts.log_in(store.redis(), name, request.form.get("password", ""))
    if account is None:
        known = accounts.get(store.redis(), name) is not None
        log.info("Console: failed login (%s) for %s", why,
                 f"account {accounts.clean_name(name)}" if known else "a name with no account")
        error = ("Too many wrong tries for this name. Wait 15 minutes and try again."
                 if why == "locked" else "That name and password do not match an account.")
        return render_template("console/login.html", next=target, name=name[:40], error=error), 401
    auth.start_session(account)
    log.info("Console: %s logged in", account["name"])
    return redirect(target)


@blueprint.post("/logout")
def logout():
    log.info("Console: %s logged out", g.user["name"])
    auth.end_session()
    flash("You are logged out.")
    return redirect(url_for("console.login"))

