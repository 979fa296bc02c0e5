"""GET /console/content: the published versions of flows and texts; compare two, publish an old one
again (editors only). The same as `flask --app wsgi content history|diff|rollback`."""

import logging

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from redis.exceptions import LockError

from .. import content_service, store
from ..content_versions import changes, versions
from . import auth, locale_edit
from .web import blueprint

log = logging.getLogger(__name__)
LISTED = 50  # versions on the page


@blueprint.get("/content")
@auth.editors_only
def content_versions():
    db = store.redis()
    content_service.current()  # the first look at Redis publishes version 1 when there is none
    current, _ = versions.current(db)
    return render_template("console/content.html", versions=versions.history(db, LISTED),
                           current=current)


@blueprint.get("/content/<int:number>")
@auth.editors_only
def content_version(number):
    db = store.redis()
    info = versions.info(db, number)
    if info is None:
        abort(404)
    against = request.args.get("against", type=int) or number - 1
    new, old = versions.files(db, number), versions.files(db, against) if against > 0 else None
    summary = changes.summarise(old, new) if new is not None and old is not None else None
    others = changes.lines_changed(*(
        {p: b for p, b in found.items() if not p.endswith(".yml")} for found in (old, new)
    )) if summary else []
    return render_template("console/content_version.html", info=info, against=against,
                           summary=summary, lines=others, current=versions.current(db)[0],
                           stored=new is not None)


@blueprint.post("/content/<int:number>/rollback")
@auth.editors_only
def rollback(number):
    app = current_app._get_current_object()
    found = versions.files(store.redis(), number)
    if found is None:
        abort(404)
    try:
        info = content_service.publish_files(app, found, g.user["name"], f"Back to version {number}")
    except versions.Refused as err:
        problems = locale_edit.for_editor(err.problems, "")
        flash(f"Not published: the check found {len(problems)} problem(s) in version {number}: "
              + " ".join(p["message"] for p in problems[:3]), "problem")
        return redirect(url_for("console.content_version", number=number))
    except LockError:
        flash("Someone else is publishing. Try again in a moment.", "problem")
        return redirect(url_for("console.content_version", number=number))
    if info["unchanged"]:
        flash(f"Nothing to publish: version {number} holds the flows and texts served now.")
    else:
        log.info("Console: %s published version %s again as %s", g.user["name"], number,
                 info["number"])
        flash(f"Published version {number} again as version {info['number']}. Every node serves "
              "it within a few seconds.")
    return redirect(url_for("console.content_versions"))
