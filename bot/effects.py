"""Carry out what a step of the engine asked for, the same way for USSD and SMS."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from . import optout, pin, reports
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
    before = _before(db, phone, effects)
    contacts.apply_effects(pipe, phone, effects)
    optout.note_flow_stop(pipe, phone, effects, channel)
    if any(e.kind in ("set_field", "clear_field") for e in effects):
        contacts.expire_unless_kept(pipe, phone, config["UNENROLLED_KEEP_DAYS"])
    for effect in effects:
        if effect.kind == "request_callback":
            followups.add(pipe, phone, effect.name or "callback", effect.value, channel)
        elif effect.kind == "add_visit" and iso(effect.value):
            day = iso(effect.value)
            if effect.name == "other":  # a date she typed: it may be a visit the clinic booked
                _, new = visits.add_from_mother(db, pipe, phone, day)
            else:
                new = visits.stored(db, phone, visits.visit_id(day, effect.name)) is None
                visits.add(pipe, phone, day, effect.name, source="mother")
            if new:
                reports.count(pipe, "visits_booked", phone)
        elif effect.kind == "count":
            reports.count(pipe, effect.name, phone)
        elif effect.kind == "lock_pin":
            pin.lock(pipe, phone, _now(config))
        elif effect.kind == "event":
            log.warning("Flow event %s at %s", effect.name, effect.value)
    _count_changes(pipe, phone, effects, before)
    pipe.execute()
    if any(e.kind in ("reschedule", "add_visit") or e.name in SCHEDULE_FIELDS for e in effects):
        reschedule(db, content, phone, _now(config), Rules.from_config(config))


def _before(db, phone, effects):
    """Her enrolment, stop and stage before this step, when it changes one (for the figures)."""
    if not any(e.kind == "set_field" and e.name in ("enrolled", "opted_out") for e in effects):
        return {}
    return dict(zip(("enrolled", "opted_out", "stage"),
                    db.hmget(contacts.key(phone), "enrolled", "opted_out", "stage"), strict=True))


def _count_changes(pipe, phone, effects, before):
    """Count her joining the SMS, or stopping them, when this step did it."""
    changes = {e.name: e.value for e in effects if e.kind == "set_field"}
    if changes.get("enrolled") == "yes" and before.get("enrolled") != "yes":
        reports.count(pipe, "enrolled", phone, detail=changes.get("stage") or before.get("stage") or "")
    if changes.get("opted_out") == "yes" and before.get("opted_out") != "yes":
        reports.count(pipe, "opted_out", phone)


def _now(config):
    return datetime.now(ZoneInfo(config["BOT_TIMEZONE"]))
