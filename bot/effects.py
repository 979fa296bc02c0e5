"""Carry out what a step of the engine asked for, the same way for USSD and SMS."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from . import optout, pin
from .care import loss
from .reminders.dispatch import reschedule
from .reminders.timing import Rules, iso
from .store import contacts, followups, forget, quick, visits

log = logging.getLogger(__name__)
SCHEDULE_FIELDS = {"enrolled", "consent_sms", "stage", "due_date", "birth_date", "loss_date",
                   "hiv_messages", "hiv_since", "opted_out", "enrolled_on"}


def apply(db, content, config, phone, effects, channel, extra=None):
    """Apply `effects` for `phone` in one transaction; `extra(pipe)` adds the caller's writes."""
    if any(e.kind == "forget" for e in effects):
        forget.forget(db, phone)
        return
    if any(e.kind == "report_loss" for e in effects):
        loss.report(db, content, phone, _now(config), Rules.from_config(config), channel)
    # Most screens change nothing but the session: one write needs no MULTI/EXEC around it.
    pipe = quick.Batch(db, transaction=bool(effects))
    if extra:
        extra(pipe)
    contacts.apply_effects(pipe, phone, effects)
    optout.note_flow_stop(pipe, phone, effects, channel)
    if any(e.kind in ("set_field", "clear_field") for e in effects):
        contacts.expire_unless_kept(pipe, phone, config["UNENROLLED_KEEP_DAYS"])
    for effect in effects:
        if effect.kind == "request_callback":
            followups.add(pipe, phone, effect.name or "callback", effect.value, channel)
        elif effect.kind == "add_visit" and iso(effect.value):
            if effect.name == "other":  # a date she typed: it may be a visit the clinic booked
                visits.add_from_mother(db, pipe, phone, iso(effect.value))
            else:
                visits.add(pipe, phone, iso(effect.value), effect.name, source="mother")
        elif effect.kind == "lock_pin":
            pin.lock(pipe, phone, _now(config))
        elif effect.kind == "event":
            log.warning("Flow event %s at %s", effect.name, effect.value)
    pipe.execute()
    if any(e.kind in ("reschedule", "add_visit") or e.name in SCHEDULE_FIELDS for e in effects):
        reschedule(db, content, phone, _now(config), Rules.from_config(config))


def _now(config):
    return datetime.now(ZoneInfo(config["BOT_TIMEZONE"]))
