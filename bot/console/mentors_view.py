"""GET /console/mentors, POST .../add, .../remove and .../number-checked: the Mentor Mothers,
for their supervisors, and the mothers' numbers they found wrong on a call.

Everyone logged in sees the list; supervisors and editors add and remove. A Mentor Mother's
number travels in a POST body, never in the address, so it stays out of access logs.
"""

import logging

from flask import current_app, flash, g, redirect, render_template, request, url_for

from .. import mentors, phones, programme_time, store
from ..mentors import facility_check, outcomes
from ..privacy import mask_phone
from ..store import followups
from ..store import staff_changes as her_history
from . import auth, contact_refs
from .web import blueprint

log = logging.getLogger(__name__)


@blueprint.get("/mentors")
def mentors_page():
    db = store.redis()
    facility = request.args.get("facility", "").strip()[:20]
    problem = facility_check.problem(facility) if facility else ""
    team = mentors.everyone(db, facility_check.clean(facility)) if not problem else []
    return render_template("console/mentors.html", team=[_with_work(db, m) for m in team],
                           facility=facility, problem=problem, show_mentor_phone=show_mentor_phone,
                           form=request.args, wrong=_wrong_numbers(db))


def _wrong_numbers(db):
    """The numbers Mentor Mothers found wrong, each with who found it, when, and a link to the
    mother's page (by a short-lived reference: her number stays out of the address)."""
    shown = []
    for entry in outcomes.wrong_numbers(db):
        found = mentors.get(db, entry["by"]) if entry["by"] else None
        shown.append({"phone": entry["phone"], "masked": mask_phone(entry["phone"]),
                      "by": found["name"] if found else "someone no longer listed",
                      "at": programme_time.shown(entry["at"], fmt="%d %b %Y %H:%M"),
                      "ref": contact_refs.make(db, entry["phone"])})
    return shown


def show_mentor_phone(phone):
    """Her whole number for those who manage Mentor Mothers; the last three digits for staff."""
    return phone if auth.can_supervise() else mask_phone(phone)


def _with_work(db, mentor):
    """Her record with how many open follow-ups she has, and how many of them are overdue."""
    pipe = db.pipeline(transaction=False)
    for followup_id in mentors.open_followups(db, mentor["phone"]):
        pipe.hgetall(followups.key(followup_id))
    work = [r for r in pipe.execute() if r.get("status") == "open"]
    return {**mentor, "open": len(work), "overdue": sum(followups.overdue(r) for r in work)}


@blueprint.post("/mentors/add")
@auth.supervisors_only
def add_mentor():
    form = request.form
    phone = phones.normalise(form.get("phone", ""), current_app.config["PHONE_REGION"])
    if phone is None:
        return _again("That is not a phone number: write it as 0712345678 or +254712345678.")
    if form.get("pin", "") != form.get("pin_again", ""):
        return _again("The two PINs are not the same. Type her PIN twice.")
    try:
        mentors.add(store.redis(), phone, form.get("name", ""), form.get("facility", ""),
                    form.get("pin", ""))
    except mentors.MentorError as err:
        return _again(str(err))
    log.info("Console: %s added Mentor Mother %s", g.user["name"], mask_phone(phone))
    flash(f"{' '.join(form.get('name', '').split())} was added. Give her the PIN in person.")
    return redirect(url_for("console.mentors_page"))


def _again(problem):
    """The page again with the problem and what she typed (never the PIN)."""
    flash(problem, "problem")
    db = store.redis()
    kept = {name: request.form.get(name, "")[:60] for name in ("phone", "name", "facility")}
    return render_template("console/mentors.html", team=[_with_work(db, m) for m in
                                                         mentors.everyone(db)],
                           facility="", problem="", show_mentor_phone=show_mentor_phone,
                           form=kept, wrong=_wrong_numbers(db)), 422


@blueprint.post("/mentors/number-checked")
@auth.supervisors_only
def number_checked():
    """A supervisor checked a number found wrong (corrected on her page, or found right)."""
    phone = phones.normalise(request.form.get("phone", ""), current_app.config["PHONE_REGION"])
    if phone and outcomes.number_checked(store.redis(), phone):
        pipe = store.redis().pipeline(transaction=False)
        her_history.record(pipe, phone, g.user["name"], "checked her number (found wrong on a call)")
        pipe.execute()
        log.info("Console: %s checked the number of %s", g.user["name"], mask_phone(phone))
        flash(f"{mask_phone(phone)} is off the list of numbers found wrong.")
    else:
        flash("That number is no longer on the list: someone may have checked it already.",
              "problem")
    return redirect(url_for("console.mentors_page"))


@blueprint.post("/mentors/remove")
@auth.supervisors_only
def remove_mentor():
    phone = phones.normalise(request.form.get("phone", ""), current_app.config["PHONE_REGION"])
    found, moved = mentors.remove(store.redis(), phone) if phone else (False, 0)
    if not found:
        flash("That Mentor Mother is no longer listed: someone may have removed her already.",
              "problem")
    else:
        log.info("Console: %s removed Mentor Mother %s", g.user["name"], mask_phone(phone))
        flash(f"Removed. {moved} open follow-ups of hers went to another Mentor Mother of her "
              "facility, or to the unassigned ones on the Follow-ups page.")
    return redirect(url_for("console.mentors_page"))
