"""Changing a mother's details and clinic visits from the console, with the API's own checks.

Each change goes through the same functions as /api/contacts (bot/api), so a
date or a stage the API would refuse is refused here too, in the same words
with the console's names for the fields, and her reminders are filed again the
same way. Whoever made the change, and when, goes in her history
(bot/console/her_history.py). A refused change changes nothing.
"""

import re

from ..api import appointments, fields
from ..api import contacts as api_contacts
from ..api.errors import ApiError
from ..store import contacts, visits
from ..store import staff_changes as her_history

DETAILS = ("language", "stage", "due_date", "birth_date", "clinic")
VISIT_FIELDS = ("date", "kind", "time", "clinic")
# The API's field names in the words on the console's forms.
NAMES = {"due_date": "Due date", "birth_date": "Baby's birth date", "stage": "Stage",
         "language": "Language", "clinic": "Clinic", "date": "Date", "time": "Time",
         "kind": "Kind of visit", "status": "Status"}
KIND_WORDS = {"anc": "antenatal (anc)", "pnc": "her postnatal check (pnc)",
              "pnc_baby": "baby's postnatal check", "eid": "baby's HIV test (eid)",
              "immunisation": "immunisation", "art": "her ART visit", "growth": "growth check",
              "other": "other"}


class Refused(Exception):
    """A change the checks refused; the message says why in the console's words."""


def change_details(db, phone, form, by):
    """Store the details changed on the form; return the names changed ([] when none)."""
    known = db.hgetall(contacts.key(phone))
    if known.get("enrolled") != "yes":
        raise Refused("She has not enrolled; her details are changed once she has joined.")
    sent = {name: form.get(name, "").strip() for name in DETAILS}
    sent = {name: value for name, value in sent.items()
            if value and value != (known.get(name) or "")}
    if not sent:
        return []
    checked = _checked(api_contacts.CHECKS, sent)
    try:
        changes, _ = api_contacts.update_contact(db, phone, known, checked, "console")
    except ApiError as err:
        raise Refused(_words(err)) from None
    what = ", ".join(f"{NAMES[name].lower()} {_shown(known.get(name))} -> {changes.get(name, sent[name])}"
                     for name in DETAILS if name in sent)
    _note(db, phone, by, f"Changed her details: {what}")
    return sorted(sent)


def book_visit(db, phone, form, by):
    contact = db.hgetall(contacts.key(phone))
    if not contact:
        raise Refused("There is no contact with this number.")
    sent = {name: form.get(name, "").strip() for name in VISIT_FIELDS}
    for name in ("date", "kind"):
        if not sent[name]:
            raise Refused(f"{NAMES[name]} is needed to book a visit.")
    checked = _checked(appointments.BOOK, {k: v for k, v in sent.items() if v})
    try:
        visit, created = appointments.book_visit(db, phone, contact, checked, source="staff")
    except ApiError as err:
        raise Refused(_words(err)) from None
    _note(db, phone, by, f"{'Booked' if created else 'Booked again'} a visit: {_visit_words(visit)}")
    return visit


def move_visit(db, phone, visit_id, form, by):
    old = _visit(db, phone, visit_id)
    sent = {name: form.get(name, "").strip() for name in ("date", "time", "clinic")}
    sent = {name: value for name, value in sent.items() if value and value != (old.get(name) or "")}
    if not sent:
        raise Refused("Nothing was changed: write a new date, time or clinic for the visit.")
    return _change(db, phone, old, _checked(appointments.CHANGE, sent), by, "Moved a visit")


def mark_attended(db, phone, visit_id, by):
    old = _visit(db, phone, visit_id)
    return _change(db, phone, old, {"status": "attended"}, by, "Marked a visit attended")


def cancel_visit(db, phone, visit_id, by):
    old = _visit(db, phone, visit_id)
    try:
        visit = appointments.cancel_visit(db, phone, old, reason="staff")
    except ApiError as err:
        raise Refused(_words(err)) from None
    _note(db, phone, by, f"Cancelled a visit: {_visit_words(old)}")
    return visit


def _change(db, phone, old, checked, by, words):
    try:
        visit, _ = appointments.change_visit(db, phone, old, checked, source="staff")
    except ApiError as err:
        raise Refused(_words(err)) from None
    moved = f" -> {_visit_words(visit)}" if visit["id"] != old["id"] or "status" not in checked else ""
    _note(db, phone, by, f"{words}: {_visit_words(old)}{moved}")
    return visit


def _visit(db, phone, visit_id):
    try:
        return appointments.stored_visit(db, phone, visit_id)
    except ApiError:
        raise Refused("She has no such visit: it may have been changed meanwhile. Look at her "
                      "visits again.") from None


def _checked(checks, sent):
    """The form's values read by the API's own checks (dates and times are text on both)."""
    today = fields.now().date()
    try:
        return {name: checks[name](name, value, today) for name, value in sent.items()}
    except ApiError as err:
        raise Refused(_words(err)) from None


def _words(err):
    """The API's message with the console's name for the field at fault, starting with a capital."""
    names = re.compile(r"\b(" + "|".join(NAMES) + r")\b")
    message = names.sub(lambda found: NAMES[found.group(1)], err.message)
    message = message.replace("(PUT /api/contacts/{phone})", "(her details above)")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _note(db, phone, by, what):
    pipe = db.pipeline(transaction=False)
    her_history.record(pipe, phone, by, what)
    pipe.execute()


def _shown(value):
    return value or "(none)"


def _visit_words(visit):
    words = f"{visit.get('date')} {KIND_WORDS.get(visit.get('kind'), visit.get('kind'))}"
    if visit.get("time"):
        words += f" at {visit['time']}"
    if visit.get("clinic"):
        words += f", {visit['clinic']}"
    return words


def kinds():
    return [(kind, KIND_WORDS.get(kind, kind)) for kind in visits.KINDS]
