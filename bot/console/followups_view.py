"""GET /console/followups, POST .../<id>/number, .../<id>/close, .../<id>/resume-sms and
.../<id>/reply: the Mentor Mothers' call-back list, one card per mother, and an SMS to her."""

import logging
import time

from flask import current_app, flash, g, redirect, render_template, request, url_for

from .. import content_service, mentors, phones, store
from ..optout import undeliverable
from ..privacy import mask_phone
from ..store import contacts
from ..store import followups as followup_store
from . import auth, followup_filters, reply_sms
from .web import blueprint

log = logging.getLogger(__name__)
NOT_OPEN = "That follow-up is no longer open: someone may have closed it already."
SHOWN = 300  # the urgent, then the oldest open ones; a long list is worked from the top
FILTERED_FROM = 3000  # open follow-ups a filter looks through (a few milliseconds of Redis)
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
    ("danger_sign", "Wrote of a danger sign", URGENT[1]),
)
TITLES = {reason: (title, about) for reason, title, about in GROUPS}
LANGUAGES = {"en": "English", "sw": "Kiswahili"}


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


def _page(numbers, status=200, reply=None):
    """The list; `numbers` maps the follow-ups whose full number this page gives to that number.

    Her open follow-ups are one card per mother (a mother who wrote twice and missed a visit
    is one call, not three); mothers with an urgent one come first. `reply` is a refused SMS
    to show again with why: (follow-up id, Checked or None, problem words)."""
    db = store.redis()
    total = db.zcard(followup_store.OPEN)
    team = mentors.everyone(db)
    filters = followup_filters.for_team(db, team)
    chosen = followup_filters.chosen(request.args, filters)
    # A filter looks further down the list, so that what it finds is not only among the first.
    records = followup_store.open_list(db, FILTERED_FROM if chosen else SHOWN)
    now = time.time()
    listed = followup_filters.apply(db, records, chosen, now, filters)[:SHOWN]
    mothers = followup_filters.by_mother(listed)
    pipe = db.pipeline(transaction=False)
    for phone, _ in mothers:
        pipe.hmget(contacts.key(phone), "clinic", "language", "opted_out", "sms_paused")
    cards = []
    for (phone, hers), (clinic, language, opted_out, paused) in zip(mothers, pipe.execute(),
                                                                      strict=True):
        cards.append({"phone": phone, "followups": hers, "lead": hers[0]["id"],
                      "urgent": any(followup_store.priority(r) == "urgent" for r in hers),
                      "clinic": clinic, "language": LANGUAGES.get(language, language),
                      "no_sms": reply_sms.refused_for({"opted_out": opted_out, "sms_paused": paused})})
    sections = [(*URGENT, [c for c in cards if c["urgent"]], True),
                ("Waiting for a call", "Mothers waiting for a Mentor Mother, the oldest first.",
                 [c for c in cards if not c["urgent"]], False)]
    return render_template("console/followups.html", sections=sections, total=total,
                           shown=min(len(records), SHOWN), looked=len(records), listed=len(listed),
                           mothers=len(cards),
                           numbers=numbers, shown_to=followup_store.shown_to, waited=waited,
                           messages=followup_store.messages, text_count=followup_store.text_count,
                           titles=TITLES, filters=filters, chosen=chosen,
                           overdue=lambda r: followup_store.overdue(r, now), reply=reply,
                           max_parts=reply_sms.MAX_PARTS, team=team,
                           names={m["phone"]: m["name"] for m in team},
                           due_at=followup_store.due_at,
                           unassigned=sum(not r.get("assigned_to") for r in listed),
                           late=sum(followup_store.overdue(r, now) for r in listed)), status


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


@blueprint.post("/followups/<followup_id>/assign")
@auth.supervisors_only
def assign_followup(followup_id):
    """A supervisor gives a follow-up, and the mother with it, to another Mentor Mother."""
    phone = phones.normalise(request.form.get("mentor", ""), current_app.config["PHONE_REGION"])
    done = followup_store.reassign(store.redis(), followup_id, phone) if phone else "no_mentor"
    if done == "ok":
        log.info("Console: %s assigned follow-up %s to %s", g.user["name"], followup_id,
                 mask_phone(phone))
        flash("Assigned. Her later follow-ups go to the same Mentor Mother.")
    elif done == "no_mentor":
        flash("Choose a Mentor Mother from the list; that one is no longer listed.", "problem")
    else:
        flash(NOT_OPEN, "problem")
    return redirect(url_for("console.followups") + f"#f-{followup_id[:40]}")


@blueprint.post("/followups/<followup_id>/reply")
def reply_by_sms(followup_id):
    """Send her an SMS written here: checked first; a refused one is shown again with why."""
    db = store.redis()
    record = db.hgetall(followup_store.key(followup_id[:40]))
    if not record.get("phone"):
        flash(NOT_OPEN, "problem")
        return redirect(url_for("console.followups"))
    checked = reply_sms.check(request.form.get("text", ""))
    problems = list(checked.problems)
    stopped = reply_sms.refused_for(reply_sms.her_contact(db, record["phone"]))
    if stopped:
        problems.insert(0, stopped)
    if problems:
        return _page({}, 422, reply=(followup_id, checked, problems))
    reply_sms.send(db, current_app.config, record["phone"], checked, g.user["name"])
    log.info("Console: %s sent an SMS to %s (follow-up %s)", g.user["name"],
             mask_phone(record["phone"]), followup_id)
    flash(f"Your SMS to {mask_phone(record['phone'])} is on its way ({checked.parts} part"
          f"{'s' if checked.parts > 1 else ''}). It is in her SMS log with your name.")
    return redirect(url_for("console.followups") + f"#m-{followup_id}")
