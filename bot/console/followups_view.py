"""GET /console/followups, POST .../<id>/number, .../<id>/close and .../<id>/resume-sms: the Mentor
Mothers' call-back list."""

import logging
import time

from flask import current_app, flash, g, redirect, render_template, request, url_for

from .. import content_service, store
from ..optout import undeliverable
from ..privacy import mask_phone
from ..store import followups as followup_store
from .web import blueprint

log = logging.getLogger(__name__)
NOT_OPEN = "That follow-up is no longer open: someone may have closed it already."
SHOWN = 300  # the urgent, then the oldest open ones; a long list is worked from the top
URGENT = ("Urgent: call her now", "She wrote of a danger sign. The bot told her to go to the nearest "
          "hospital now; call her to check that she went and is safe.")
GROUPS = (
    ("loss", "Reported a loss", "She lost her pregnancy or her baby. Call her with care; her pregnancy "
     "and baby visits were cancelled."),
    ("callback", "Asked for a call", "She asked on USSD for a Mentor Mother to call her back."),
    ("missed_visit", "Missed a visit", "A clinic visit was not marked attended two days later."),
    ("sms_question", "Sent a question", "She texted something the bot could not answer."),
    ("development", "Development check", "Her answers on the development check mean her child "
     "should see a health worker soon; she asked for a call."),
    ("undeliverable", "SMS not delivered", "Her last SMS were not delivered, so SMS to her are paused. "
     "Call her to check her number (a new SIM, a phone that is off or full). If it works, send SMS "
     "again; if she has a new number, mark done with a note."),
)


@blueprint.get("/followups")
def followups():
    return _page({})


@blueprint.post("/followups/<followup_id>/number")
def number_to_call(followup_id):
    """Show one mother's full number to the staff member about to call her, and note who asked."""
    db = store.redis()
    phone = followup_store.number_to_call(db, followup_id, g.user["name"])
    if phone is None:
        flash(NOT_OPEN, "problem")
        return redirect(url_for("console.followups"))
    log.info("Console: %s was shown the number %s for follow-up %s", g.user["name"],
             mask_phone(phone), followup_id)
    return _page({followup_id: phone})


def _page(numbers):
    """The list; `numbers` maps the follow-ups whose full number this page gives to that number."""
    db = store.redis()
    total = db.zcard(followup_store.OPEN)
    records = followup_store.open_list(db, SHOWN)
    urgent = [r for r in records if followup_store.priority(r) == "urgent"]
    normal = [r for r in records if followup_store.priority(r) != "urgent"]
    known = {reason for reason, _, _ in GROUPS}
    groups = [(*URGENT, urgent, True)]
    groups += [(title, about, [r for r in normal if r.get("reason") == reason], False)
               for reason, title, about in GROUPS]
    others = [r for r in normal if r.get("reason") not in known]
    if others:
        groups.append(("Other", "Follow-ups of another kind.", others, False))
    return render_template("console/followups.html", groups=groups, total=total,
                           shown=len(records), numbers=numbers, shown_to=followup_store.shown_to,
                           waited=waited, messages=followup_store.messages,
                           text_count=followup_store.text_count)


def waited(created_at, now=None):
    """How long she has waited, in the unit a Mentor Mother would say: 12 min, 3 h, 2 days."""
    seconds = max((now or time.time()) - int(created_at or 0), 0)
    if seconds < 3600:
        return f"waited {int(seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"waited {int(seconds // 3600)} h"
    return f"waited {int(seconds // 86400)} days"


@blueprint.post("/followups/<followup_id>/close")
def close_followup(followup_id):
    note = request.form.get("note", "").strip()
    if followup_store.close(store.redis(), followup_id, note, by=g.user["name"],
                            keep_days=current_app.config["FOLLOWUP_KEEP_DAYS"]):
        log.info("Console: follow-up %s closed by %s", followup_id, g.user["name"])
        flash("Marked done. Thank you.")
    else:
        flash(NOT_OPEN, "problem")
    return redirect(url_for("console.followups"))


@blueprint.post("/followups/<followup_id>/resume-sms")
def resume_sms(followup_id):
    """Her number was checked: lift the pause of her SMS and mark the follow-up done."""
    db = store.redis()
    record = db.hgetall(followup_store.key(followup_id[:40]))
    if record.get("reason") != undeliverable.REASON or not followup_store.close(
            db, followup_id, "Number checked; SMS sent again", by=g.user["name"]):
        flash(NOT_OPEN, "problem")
        return redirect(url_for("console.followups"))
    undeliverable.resume(db, content_service.current(), current_app.config, record["phone"])
    log.info("Console: %s sent SMS again to %s (follow-up %s)", g.user["name"],
             mask_phone(record["phone"]), followup_id)
    flash("SMS to her will go again. Thank you.")
    return redirect(url_for("console.followups"))
