"""GET/POST /console/contacts: find a mother by her number, its last digits or her clinic;
her enrolment, visits, SMS (in the words she received) and what staff changed; and the
forms that change her details and visits (bot/console/contact_edit.py).

The number is sent in a POST body, never in the address, so it stays out of
browser history and server access logs; her page opens by a follow-up's id or by a
short-lived reference (bot/console/contact_refs.py) for the same reason.
"""

import logging

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from .. import content_service, mentors, optout, programme_time, store, test_numbers
from ..optout import undeliverable
from ..pin import PIN_FIELDS
from ..privacy import mask_phone
from ..reminders.dispatch import clinic_kept_out
from ..reminders.timing import Rules
from ..sms import log as sms_log
from ..store import contacts, followups, mentor_actions, visits
from ..store import staff_changes as her_history
from . import auth, contact_edit, contact_refs, contact_search, sent_words
from .web import blueprint

log = logging.getLogger(__name__)
# Her fields in the words staff use; others are shown under their own names.
LABELS = {
    "language": "Language", "enrolled": "Enrolled", "enrolled_on": "Enrolled on",
    "stage": "Stage", "stage_since": "Stage since", "due_date": "Due date",
    "birth_date": "Baby's birth date",
    "loss_date": "Loss reported on", "clinic": "Clinic", "facility": "Facility (MFL code)",
    "consent_data": "Agreed to keep her data",
    "consent_sms": "Agreed to SMS", "hiv_messages": "SMS that name HIV", "hiv_since": "HIV SMS since",
    "opted_out": "Stopped all SMS", "opted_out_at": "Stopped SMS at", "opted_out_source": "Stopped by",
    "sms_paused": "SMS paused", "sms_paused_at": "SMS paused at", "enrol_offered": "Offered to join",
    "updated_at": "Last change", "mentor": "Her Mentor Mother",
    "registered_by": "Registered by", "registered_at": "Registered at",
    "confirmed_by_sms": "Confirmed by SMS on", "number_wrong_by": "Number found wrong by",
    "number_wrong_at": "Number found wrong at",
}
TIMES = {"opted_out_at", "sms_paused_at", "updated_at", "registered_at",
         "number_wrong_at"}  # stored as Unix times
HIDDEN = {"opted_out_sender"}  # shown within "Stopped by"
PAUSED = ("her last SMS were not delivered. A Mentor Mother checks her number, then sends SMS "
          "again from her follow-up (\"SMS not delivered\"); her own text to the bot also lifts it")
LANGUAGES = {"en": "English", "sw": "Kiswahili"}


@blueprint.route("/contacts", methods=["GET", "POST"], endpoint="contacts")
def contacts_page():
    db = store.redis()
    if request.method == "POST":
        return _search(db, request.form.get("phone", ""))
    phone = None
    if request.args.get("followup"):
        phone = (followups.find(db, request.args["followup"][:40]) or {}).get("phone")
    elif request.args.get("ref"):
        phone = contact_refs.phone(db, request.args["ref"])
        if phone is None:
            return _form(error="That page has ended (they last a few hours). Find her again.")
    if not phone:
        return _form()
    return _her_page(db, phone)


def _form(error=None, results=None, how="", complete=True, typed=""):
    return render_template("console/contacts.html", found=None, error=error, results=results,
                           how=how, complete=complete, typed=typed)


def _search(db, typed):
    found = contact_search.search(db, typed, current_app.config["PHONE_REGION"])
    if found.problem or not typed.strip():
        return _form(error=found.problem or None, typed=typed)
    log.info("Console: %s searched contacts by %s", g.user["name"],
             "number" if found.how == "her number" else "last digits or clinic")
    if not found.phones:
        return _form(error="No mother is enrolled or known with this number."
                     if found.how == "her number" else f"No mother found by {found.how}.",
                     typed=typed)
    if len(found.phones) == 1 and found.complete:
        return _her_page(db, found.phones[0])
    pipe = db.pipeline(transaction=False)
    for phone in found.phones:
        pipe.hmget(contacts.key(phone), "clinic", "stage", "language")
    results = [{"ref": contact_refs.make(db, phone), "phone": phone, "clinic": clinic or "-",
                "stage": stage or "-", "language": LANGUAGES.get(language, language or "-")}
               for phone, (clinic, stage, language) in zip(found.phones, pipe.execute(), strict=True)]
    return _form(results=results, how=found.how, complete=found.complete, typed=typed)


def _her_page(db, phone):
    log.info("Console: %s looked up contact %s", g.user["name"], mask_phone(phone))
    found = load(db, phone)
    if found is None:
        return _form(error="No mother is enrolled or known with this number.")
    return render_template("console/contacts.html", found=found, error=None, reasons=followups.REASONS,
                           shown_to=followups.shown_to, ref=contact_refs.make(db, phone),
                           may_edit_details=auth.is_editor(), kinds=contact_edit.kinds(),
                           today=programme_time.now().date().isoformat(), typed="")


def _changed(ref, change):
    """Run one change to her records for the signed-in account; back to her page with the outcome."""
    db = store.redis()
    phone = contact_refs.phone(db, ref)
    if phone is None:
        flash("That page has ended (they last a few hours). Find her again.", "problem")
        return redirect(url_for("console.contacts"))
    try:
        said = change(db, phone, g.user["name"])
    except contact_edit.Refused as refused:
        flash(f"Not saved: {refused}", "problem")
    else:
        log.info("Console: %s changed the records of %s", g.user["name"], mask_phone(phone))
        flash(said)
    return redirect(url_for("console.contacts", ref=ref))


@blueprint.post("/contacts/<ref>/details")
@auth.editors_only
def change_details(ref):
    def change(db, phone, by):
        changed = contact_edit.change_details(db, phone, request.form, by)
        return "Her details are saved; her reminders follow them." if changed else \
            "Nothing was changed."
    return _changed(ref, change)


@blueprint.post("/contacts/<ref>/visits")
def book_visit(ref):
    return _changed(ref, lambda db, phone, by: (
        contact_edit.book_visit(db, phone, request.form, by) and
        "The visit is booked; her reminders follow it."))


@blueprint.post("/contacts/<ref>/visits/<visit_id>/<action>")
def change_visit(ref, visit_id, action):
    actions = {
        "move": lambda db, phone, by: contact_edit.move_visit(db, phone, visit_id, request.form, by)
        and "The visit is changed; her reminders follow it.",
        "attended": lambda db, phone, by: contact_edit.mark_attended(db, phone, visit_id, by)
        and "Marked attended.",
        "cancel": lambda db, phone, by: contact_edit.cancel_visit(db, phone, visit_id, by)
        and "The visit is cancelled; its reminders stop.",
    }
    if action not in actions:
        abort(404)
    return _changed(ref, actions[action])


def load(db, phone):
    """Everything the console shows about one number, or None when nothing is kept."""
    pipe = db.pipeline(transaction=False)
    pipe.hgetall(contacts.key(phone))
    pipe.hgetall(visits.key(phone))
    contact, raw_visits = pipe.execute()
    contact = _mentor_named(db, contact)
    messages = sms_log.messages(db, phone)  # only through this: how messages are kept may change
    work = _mentor_work(db, phone)
    asked = followups.hers(db, phone)
    if not contact and not raw_visits and not messages and not asked and not work:
        return None
    found_visits = visits.parse(raw_visits)
    sent_words.words(messages, content_service.current(), contact, found_visits,
                     Rules.from_config(current_app.config), programme_time.zone())
    return {"phone": phone, "fields": fields(contact), "test": test_numbers.is_test(phone),
            "contact": contact, "enrolled": contact.get("enrolled") == "yes",
            "visits": sorted(found_visits.values(), key=lambda v: (v.get("date", ""), v["id"])),
            "messages": messages, "followups": asked, "history": her_history.entries(db, phone),
            "mentor_work": work}


def _mentor_work(db, phone):
    """What Mentor Mothers recorded for her on their work menu, each named, never by number."""
    names = {}
    found = []
    for entry in mentor_actions.entries(db, phone):
        who = entry.get("mentor", "")
        if who not in names:
            record = mentors.get(db, who)
            names[who] = f"{record['name'] if record else 'no longer listed'} ({mask_phone(who)})"
        found.append({**entry, "by": names[who],
                      "what": mentor_actions.KINDS.get(entry.get("kind"), entry.get("kind"))})
    return found


def _mentor_named(db, contact):
    """Her Mentor Mother, and who registered her or found her number wrong, by name and
    masked number, never the bare number."""
    named = dict(contact)
    for field in ("mentor", "registered_by", "number_wrong_by"):
        if contact.get(field):
            found = mentors.get(db, contact[field])
            name = found["name"] if found else "no longer listed"
            named[field] = f"{name} ({mask_phone(contact[field])})"
    return named


def fields(contact):
    """[(label, value, is_time)] in a fixed order: known fields first."""
    shown = {**contact, "language": LANGUAGES.get(contact.get("language"), contact.get("language")),
             "opted_out_source": optout.source_words(contact),
             "sms_paused": PAUSED if undeliverable.is_paused(contact) else None}
    known = [(LABELS[name], shown[name], name in TIMES) for name in LABELS if shown.get(name)]
    # Her PIN's hash and tries are hers alone: staff see only whether she has one.
    pin = [("PIN", "set (staff can remove it: contacts reset-pin)", False)] if contact.get(
        "pin_hash") else []
    others = [(name, value, False) for name, value in sorted(contact.items())
              if name not in LABELS and name not in PIN_FIELDS and name not in HIDDEN and value]
    # A name she typed on USSD that names HIV care stays out of her SMS: staff see why.
    note = clinic_kept_out(contact.get("clinic"))
    kept_out = [("Clinic in SMS", f"not written: {note}", False)] if note else []
    return known + kept_out + pin + others
