"""PUT and GET /api/contacts/{phone}: a clinic enrols a mother or updates her details.

A number the bot does not know (or one that never finished joining) becomes a
contact enrolled by the clinic, as an imported register does. A mother who
texted STOP, or said no to SMS or to SMS that name HIV on USSD, keeps her "no" whatever
the clinic sends: only she can change it.
"""

import logging
import time

from flask import Blueprint, current_app, g, jsonify

from .. import content_service, facilities, reports, store
from ..care import loss
from ..privacy import mask_phone
from ..reminders.dispatch import clinic_kept_out, reschedule
from ..reminders.plan import wants_sms
from ..reminders.timing import Rules
from ..store import contacts, visits
from . import fields
from .errors import ApiError

log = logging.getLogger(__name__)
blueprint = Blueprint("contacts", __name__)
CHECKS = {
    "language": fields.one_of("en", "sw"),
    "stage": fields.one_of("pregnancy", "baby", "loss"),
    # A pregnancy lasts about 40 weeks: a due date in the past or more than 42 weeks away is a typo.
    "due_date": fields.day_within(0, 294, "today or later and at most 294 days (42 weeks) ahead"),
    "birth_date": fields.day_within(-730, 0, "today or earlier and at most 2 years back"),
    "clinic": fields.text_up_to(30),
    "facility": fields.mfl_code,  # checked against the facility list in put_contact
    "county": fields.text_up_to(30),  # vaccines given only in some counties are suggested by it
    "consent_sms": fields.boolean,
    "hiv_messages": fields.boolean,
}
CLINIC_NO = "clinic_no"  # a refusal the clinic recorded; her own is "no", which the API never undoes
DATE_FOR_STAGE = {"due_date": "pregnancy", "birth_date": "baby"}


@blueprint.put("/contacts/<phone>")
def put_contact(phone):
    number = fields.phone(phone)
    sent = fields.body(CHECKS)
    db = store.redis()
    known = db.hgetall(contacts.key(number))
    changes, enrolling = update_contact(db, number, known, sent, "api")
    log.info("API %s: contact %s %s", g.api_client, mask_phone(number),
             "enrolled" if enrolling else "updated")
    return jsonify(_view(number, {**known, **changes}, db)), 201 if enrolling else 200


def update_contact(db, number, known, sent, source):
    """Store her details `sent` (checked by CHECKS) over `known`; a number not enrolled is
    enrolled by `source`. Return (the fields changed, True when she was enrolled now).

    The console changes her details through here too, so the same checks apply and her
    reminders are filed again the same way."""
    today = fields.now().date()
    changes = _changes(known, sent, today)
    if "facility" in sent:
        changes.update(_facility(db, sent))
    enrolling = known.get("enrolled") != "yes"
    if enrolling:
        changes.update(enrolled="yes", enrolled_by=source, enrolled_on=today.isoformat(),
                       language=changes.get("language") or known.get("language")
                       or current_app.config["DEFAULT_LANGUAGE"])
    changes["updated_at"] = str(int(time.time()))
    losing = changes.pop("loss_date", None)
    if losing:
        del changes["stage"]  # recorded by the loss itself, with everything a loss changes
    pipe = db.pipeline(transaction=True)
    pipe.hset(contacts.key(number), mapping=changes)
    contacts.keep(pipe, number)  # enrolled by a clinic: never expires like a caller who did not join
    if enrolling:
        reports.count(pipe, "enrolled", number, detail=changes.get("stage") or known.get("stage", ""))
    pipe.execute()
    if losing:
        app = current_app._get_current_object()
        loss.report(db, content_service.current(app), number, fields.now(),
                    Rules.from_config(app.config), source)
        changes.update(stage="loss", loss_date=losing)
    else:
        refile_reminders(db, number)
    return changes, enrolling


@blueprint.get("/contacts/<phone>")
def get_contact(phone):
    number = fields.phone(phone)
    db = store.redis()
    return jsonify(_view(number, require_contact(db, number), db))


def require_contact(db, number):
    """Return her contact fields, or refuse with 404 when the bot does not know the number."""
    contact = db.hgetall(contacts.key(number))
    if not contact:
        raise ApiError(404, "no contact has this phone number; enrol her first with "
                            "PUT /api/contacts/{phone}", "phone")
    return contact


def refile_reminders(db, number):
    """Work out her next reminder again after her details or visits changed."""
    app = current_app._get_current_object()
    reschedule(db, content_service.current(app), number, fields.now(), Rules.from_config(app.config))


def appointment_view(visit):
    """An appointment as the API shows it."""
    return {"id": visit["id"], "date": visit["date"], "kind": visit.get("kind", "other"),
            "time": visit.get("time") or None, "clinic": visit.get("clinic") or None,
            "status": visit.get("status", "booked"), "source": visit.get("source", "mother"),
            "cancel_reason": visit.get("cancel_reason") if visit.get("status") == "cancelled" else None,
            "clinic_warning": clinic_kept_out(visit.get("clinic"))}


def _changes(known, sent, today):
    """The contact fields to store for what was sent; refuse a date that does not fit her stage."""
    stage = sent.get("stage", known.get("stage"))
    for name, wanted in DATE_FOR_STAGE.items():
        if name in sent and stage != wanted:
            raise ApiError(422, f"{name} goes with stage {wanted}; send \"stage\": \"{wanted}\" too", name)
        if stage == wanted and name not in sent and not known.get(name):
            raise ApiError(422, f"stage {wanted} needs {name}", name)
    changes = {name: value.isoformat() for name, value in sent.items() if name in DATE_FOR_STAGE}
    changes.update({name: sent[name] for name in ("language", "stage", "clinic", "county")
                    if name in sent})
    if "stage" in sent and sent["stage"] != known.get("stage"):
        changes["stage_since"] = today.isoformat()  # day-counted SMS (danger signs) start here
    if stage == "loss" and known.get("stage") != "loss":
        changes["loss_date"] = today.isoformat()
    if "consent_sms" in sent:
        changes["consent_sms"] = _choice(known.get("consent_sms"), sent["consent_sms"], "clinic")
    if "hiv_messages" in sent:
        changes["hiv_messages"] = _choice(known.get("hiv_messages"), sent["hiv_messages"], "yes")
        if changes["hiv_messages"] == "yes" and known.get("hiv_messages") != "yes":
            changes["hiv_since"] = today.isoformat()  # HIV messages count from when she chose them
    return changes


def _facility(db, sent):
    """Her facility's code, and its safe SMS name as her clinic unless `clinic` was sent too."""
    found = facilities.get(db, sent["facility"])
    if found is None:
        raise ApiError(422, f"facility: no facility has the MFL code {sent['facility']} in the "
                            "facility list the bot uses; check the code in the Kenya Master Health "
                            "Facility List, or ask the programme to import the current list",
                       "facility")
    changes = {"facility": found.code}
    if "clinic" not in sent:
        changes["clinic"] = found.sms_name
    return changes


def _choice(known, wanted, granted):
    """The value to keep for a yes/no the clinic sent: her own answer on USSD wins over it.

    Her own "no" (on USSD) is never turned into a yes here: only she can change it. A clinic's
    "no" is kept as CLINIC_NO, so a later yes from the clinic may undo it; her own "yes" is kept.
    """
    if known == "no":
        return "no"
    if not wanted:
        return CLINIC_NO
    return known if known in ("yes", "clinic") else granted


def _view(number, contact, db):
    enrolled = contact.get("enrolled") == "yes"
    found = [v for v in visits.parse(db.hgetall(visits.key(number))).values()
             if isinstance(v, dict) and v.get("id") and v.get("date")]
    shown = {name: contact.get(name) or None for name in
             ("language", "stage", "due_date", "birth_date", "loss_date", "clinic", "facility",
              "county", "enrolled_on")}
    return {"phone": number, "enrolled": enrolled,
            "enrolled_by": contact.get("enrolled_by") or ("mother" if enrolled else None), **shown,
            "consent_sms": contact.get("consent_sms") in ("yes", "clinic"),
            "hiv_messages": contact.get("hiv_messages") == "yes",
            "opted_out": contact.get("opted_out") == "yes",
            "opted_out_source": (contact.get("opted_out_source") or "unknown")
            if contact.get("opted_out") == "yes" else None,
            "sms_paused": contact.get("sms_paused") or None, "receives_sms": wants_sms(contact),
            "clinic_warning": clinic_kept_out(contact.get("clinic")),
            "appointments": [appointment_view(v) for v in sorted(found, key=lambda v: (v["date"], v["id"]))]}
