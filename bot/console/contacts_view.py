"""GET/POST /console/contacts: find a mother by phone; her enrolment, visits and SMS.

The number is sent in a POST body, never in the address, so it stays out of
browser history and server access logs; a follow-up's contact opens by the
follow-up's id for the same reason.
"""

import logging

from flask import current_app, g, render_template, request

from .. import optout, phones, store, test_numbers
from ..optout import undeliverable
from ..pin import PIN_FIELDS
from ..privacy import mask_phone
from ..reminders.dispatch import clinic_kept_out
from ..sms import log as sms_log
from ..store import contacts, followups, visits
from .web import blueprint

log = logging.getLogger(__name__)
# Her fields in the words staff use; others are shown under their own names.
LABELS = {
    "language": "Language", "enrolled": "Enrolled", "enrolled_on": "Enrolled on",
    "stage": "Stage", "stage_since": "Stage since", "due_date": "Due date",
    "birth_date": "Baby's birth date",
    "loss_date": "Loss reported on", "clinic": "Clinic", "consent_data": "Agreed to keep her data",
    "consent_sms": "Agreed to SMS", "hiv_messages": "SMS that name HIV", "hiv_since": "HIV SMS since",
    "opted_out": "Stopped all SMS", "opted_out_at": "Stopped SMS at", "opted_out_source": "Stopped by",
    "sms_paused": "SMS paused", "sms_paused_at": "SMS paused at", "enrol_offered": "Offered to join",
    "updated_at": "Last change",
}
TIMES = {"opted_out_at", "sms_paused_at", "updated_at"}  # stored as Unix times
HIDDEN = {"opted_out_sender"}  # shown within "Stopped by"
PAUSED = ("her last SMS were not delivered. A Mentor Mother checks her number, then sends SMS "
          "again from her follow-up (\"SMS not delivered\"); her own text to the bot also lifts it")
LANGUAGES = {"en": "English", "sw": "Kiswahili"}


@blueprint.route("/contacts", methods=["GET", "POST"], endpoint="contacts")
def contacts_page():
    raw = request.form.get("phone", "") if request.method == "POST" else ""
    phone = None
    if request.args.get("followup"):
        phone = store.redis().hget(followups.key(request.args["followup"][:40]), "phone")
    elif raw:
        phone = phones.normalise(raw, current_app.config["PHONE_REGION"])
        if phone is None:
            return render_template("console/contacts.html", found=None, error=(
                "That is not a phone number. Write it as 0712345678 or +254712345678."))
    if not phone:
        return render_template("console/contacts.html", found=None, error=None)
    log.info("Console: %s looked up contact %s", g.user["name"], mask_phone(phone))
    found = load(store.redis(), phone)
    if found is None:
        return render_template("console/contacts.html", found=None,
                               error="No mother is enrolled or known with this number.")
    return render_template("console/contacts.html", found=found, error=None, reasons=followups.REASONS,
                           shown_to=followups.shown_to)


def load(db, phone):
    """Everything the console shows about one number, or None when nothing is kept."""
    pipe = db.pipeline(transaction=False)
    pipe.hgetall(contacts.key(phone))
    pipe.hgetall(visits.key(phone))
    pipe.smembers(followups.by_phone_key(phone))
    contact, raw_visits, followup_ids = pipe.execute()
    messages = sms_log.messages(db, phone)
    if not contact and not raw_visits and not messages and not followup_ids:
        return None
    pipe = db.pipeline(transaction=False)
    for followup_id in sorted(followup_ids):
        pipe.hgetall(followups.key(followup_id))
    asked = sorted((f for f in pipe.execute() if f), key=lambda f: f.get("created_at", ""))
    return {"phone": phone, "fields": fields(contact), "test": test_numbers.is_test(phone),
            "visits": sorted(visits.parse(raw_visits).values(), key=lambda v: v.get("date", "")),
            "messages": messages, "followups": asked}


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
