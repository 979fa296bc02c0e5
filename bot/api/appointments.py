"""/api/contacts/{phone}/appointments: book, read, move, mark attended or cancel a clinic visit.

An appointment's id is its date and kind (as for imported registers), so
booking the same visit twice changes nothing; a date she saved herself for that
day becomes this visit (bot/store/visits.py). Moving it to another day cancels
the old one and books the new one, so the old day's reminders stop at once.
"""

import logging
import re

from flask import Blueprint, g, jsonify

from .. import store
from ..privacy import mask_phone
from ..store import visits
from . import fields
from .contacts import appointment_view, refile_reminders, require_contact
from .errors import ApiError

log = logging.getLogger(__name__)
blueprint = Blueprint("appointments", __name__)
VISIT_ID = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}-({'|'.join(visits.KINDS)})")
# As on USSD: a visit is booked for today or later, at most a year ahead.
DATE = fields.day_within(0, 366, "today or later and at most 366 days ahead")
BOOK = {"date": DATE, "kind": fields.one_of(*visits.KINDS), "time": fields.clock,
        "clinic": fields.text_up_to(30)}
CHANGE = {"date": DATE, "time": fields.clock, "clinic": fields.text_up_to(30),
          "status": fields.one_of("attended")}


@blueprint.post("/contacts/<phone>/appointments")
def book(phone):
    number = fields.phone(phone)
    db = store.redis()
    contact = require_contact(db, number)
    sent = fields.body(BOOK, required=("date", "kind"))
    visit, created = book_visit(db, number, contact, sent)
    _logged(visit, "booked" if created else "booked again", number)
    return jsonify(appointment_view(visit)), 201 if created else 200


def book_visit(db, number, contact, sent, source="api"):
    """Book the visit `sent` (checked by BOOK) for her; return (visit, True when it is new).

    The console books through here too, so a visit is refused for the same reasons
    whoever enters it."""
    if contact.get("stage") == "loss" and sent["kind"] in visits.FOR_PREGNANCY_OR_BABY:
        raise ApiError(409, f"she reported a loss on {contact.get('loss_date')}: no {sent['kind']} "
                            "visit is booked or reminded while her stage is loss; for a new pregnancy "
                            "send her stage and due date first (PUT /api/contacts/{phone})", "kind")
    vid = visits.visit_id(sent["date"], sent["kind"])
    old = _stored(db, number, vid)
    given = {name: sent[name] for name in ("time", "clinic") if name in sent}
    if old and old.get("status") != "cancelled":
        visit, created = {**old, **given}, False
        if visits.sources_of(old) == {"mother"}:
            visit["source"] = source  # the clinic's booking of the day she saved
    else:
        visit = {"id": vid, "date": sent["date"].isoformat(), "kind": sent["kind"], "time": "",
                 "clinic": "", "source": source, **(old or {}), **given, "status": "booked"}
        visit.pop("cancel_reason", None)
        created = True
    visit, hers = visits.from_clinic(visits.parse(db.hgetall(visits.key(number))), visit)
    store_visits(db, number, [visit], old, drop=hers)
    return visit, created


@blueprint.get("/contacts/<phone>/appointments/<appointment_id>")
def read(phone, appointment_id):
    number = _contact(phone)
    return jsonify(appointment_view(_visit(store.redis(), number, appointment_id)))


@blueprint.patch("/contacts/<phone>/appointments/<appointment_id>")
def change(phone, appointment_id):
    number = _contact(phone)
    db = store.redis()
    old = _visit(db, number, appointment_id)
    sent = fields.body(CHANGE)
    visit, what = change_visit(db, number, old, sent)
    _logged(visit, what, number)
    return jsonify(appointment_view(visit))


def change_visit(db, number, old, sent, source="api"):
    """Move a booked visit (date, time, clinic) or mark it attended; return (visit, what was done)."""
    if not sent:
        raise ApiError(422, "send at least one of date, time, clinic (to move it) or status (attended)")
    if "status" in sent:
        return _attended(db, number, old, sent), "marked attended"
    if old.get("status") != "booked":
        raise ApiError(409, f"this appointment is {old.get('status')}; only a booked one can be moved")
    day = sent.get("date") or fields.iso_date(old["date"])
    moved = {**old, **{k: sent[k] for k in ("time", "clinic") if k in sent},
             "id": visits.visit_id(day, old.get("kind", "other")), "date": day.isoformat()}
    if moved["id"] == old["id"]:
        return store_visits(db, number, [moved], old), "changed"
    if (_stored(db, number, moved["id"]) or {}).get("status") == "attended":
        raise ApiError(409, "she already attended a visit of this kind on that date", "date")
    return store_visits(db, number, [{**old, "status": "cancelled", "cancel_reason": "moved"},
                                     {**moved, "source": source}], old), "moved"


@blueprint.delete("/contacts/<phone>/appointments/<appointment_id>")
def cancel(phone, appointment_id):
    number = _contact(phone)
    db = store.redis()
    visit = cancel_visit(db, number, _visit(db, number, appointment_id))
    _logged(visit, "cancelled", number)
    return jsonify(appointment_view(visit))


def cancel_visit(db, number, old, reason="clinic"):
    """Cancel a visit that was not attended; return it (one cancelled before keeps its reason)."""
    if old.get("status") == "attended":
        raise ApiError(409, "she attended this appointment; it cannot be cancelled")
    if old.get("status") == "cancelled":
        return store_visits(db, number, [old], old)
    return store_visits(db, number, [{**old, "status": "cancelled", "cancel_reason": reason}], old)


def _attended(db, number, old, sent):
    if len(sent) > 1:
        raise ApiError(422, "mark an appointment attended on its own, not together with a move",
                       "status")
    if old.get("status") == "cancelled":
        raise ApiError(409, "this appointment was cancelled; it cannot be marked attended", "status")
    return store_visits(db, number, [{**old, "status": "attended"}], old)


def _contact(phone):
    """Her phone number as E.164; 404 when the bot does not know her."""
    number = fields.phone(phone)
    require_contact(store.redis(), number)
    return number


def _stored(db, number, vid):
    """The stored visit with this id, or None."""
    found = visits.stored(db, number, vid)
    return found if isinstance(found, dict) and fields.iso_date(found.get("date")) else None


def _visit(db, number, appointment_id):
    found = _stored(db, number, appointment_id) if VISIT_ID.fullmatch(appointment_id) else None
    if found is None:
        raise ApiError(404, "this contact has no appointment with this id; the ids are listed by "
                            "GET /api/contacts/{phone}", "appointment_id")
    return found


def stored_visit(db, number, vid):
    """Her visit with this id, or refuse it with 404 (the console's and the API's way in)."""
    return _visit(db, number, vid)


def store_visits(db, number, changed, old, drop=()):
    """Store the changed visits (the last is the one shown), drop the entries of hers they
    took in, file her reminders again; return the last."""
    if changed[-1] != old or len(changed) > 1 or drop:
        pipe = db.pipeline(transaction=True)
        visits.put(pipe, number, {v["id"]: v for v in changed})
        visits.drop(pipe, number, drop)
        visits.count_changes(pipe, number, {old["id"]: old} if old else {},
                             {v["id"]: v for v in changed}, replacing=bool(drop))
        pipe.execute()
        refile_reminders(db, number)
    return changed[-1]


def _logged(visit, what, number):
    log.info("API %s: appointment %s %s for %s", g.api_client, visit["id"], what,
             mask_phone(number))
