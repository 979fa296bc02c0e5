"""CSV exports of the records: contacts, visits, follow-ups and the message log.

Rows are read from Redis a few hundred mothers at a time and written as they are read, so an
export of a million rows never holds them all (BENCHMARKS.md). A row belongs to a date range
by the day it happened: her enrolment (or, not enrolled, her last change), a visit's date, a
follow-up's making, a message's sending. Numbers are masked unless asked for whole (an editor
in the console); her HIV choices are left out unless asked for; her own words (texts, notes)
are never exported; test numbers are left out. A cell a spreadsheet would run as a formula
is written as text.
"""

import csv
import io
from datetime import date

from .. import facilities, programme_time, test_numbers
from ..privacy import mask_phone
from ..sms import log
from ..store import contacts, followups, visits
from .output import safe_cell

CHUNK = 500  # mothers read in one round trip
KINDS = ("contacts", "visits", "followups", "messages")
CONTACT_COLUMNS = ("phone", "language", "stage", "due_date", "birth_date", "loss_date", "enrolled",
                   "enrolled_on", "enrolled_by", "consent_sms", "opted_out", "opted_out_source",
                   "facility", "county", "clinic", "mentor")
HIV_COLUMNS = ("hiv_messages", "hiv_since")
VISIT_COLUMNS = ("phone", "facility", "id", "date", "kind", "time", "clinic", "source", "status",
                 "cancel_reason")
FOLLOWUP_COLUMNS = ("phone", "facility", "id", "reason", "topic", "channel", "priority", "status",
                    "created_at", "due_at", "closed_at", "closed_by", "assigned_to", "attempts",
                    "last_outcome")
MESSAGE_COLUMNS = ("phone", "facility", "id", "kind", "ref", "status", "cost", "sent_at",
                   "updated_at", "failure_reason", "by")
PHONE_COLUMNS = {"phone", "mentor", "assigned_to"}
TIME_COLUMNS = {"created_at", "due_at", "closed_at", "sent_at", "updated_at"}


class ExportError(ValueError):
    """An export that cannot be made as asked; the message says what to ask instead."""


def columns(kind, hiv=False):
    if kind == "contacts":
        return CONTACT_COLUMNS + (HIV_COLUMNS if hiv else ())
    return {"visits": VISIT_COLUMNS, "followups": FOLLOWUP_COLUMNS,
            "messages": MESSAGE_COLUMNS}[kind]


def lines(db, kind, start, end, facility=None, whole_numbers=False, hiv=False):
    """The export as CSV text, a line at a time: the header, then one line a record."""
    if kind not in KINDS:
        raise ExportError(f"Export one of: {', '.join(KINDS)}.")
    if end < start:
        raise ExportError(f"--to {end} is before --from {start}.")
    names = columns(kind, hiv)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values):
        writer.writerow([safe_cell(v) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(names)
    rows = {"contacts": _contacts, "visits": _visits, "followups": _followups,
            "messages": _messages}[kind](db, start, end, facility)
    for row in rows:
        yield line(_shown(row.get(name, ""), name, whole_numbers) for name in names)


def _shown(value, name, whole_numbers):
    if name in PHONE_COLUMNS and value and not whole_numbers:
        return mask_phone(value)
    if name in TIME_COLUMNS and str(value).isdigit():
        return programme_time.shown(value)
    return value


def _phones(db, prefix):
    """Every number with a key `prefix<phone>`, test numbers left out, CHUNK at a time."""
    chunk = []
    for name in db.scan_iter(match=prefix + "*", count=1000):
        phone = name[len(prefix):]
        if not test_numbers.is_test(phone):
            chunk.append(phone)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _within(day, start, end):
    return bool(day) and start.isoformat() <= str(day)[:10] <= end.isoformat()


def _day_of(epoch):
    moment = programme_time.at(epoch) if epoch else None
    return moment.date().isoformat() if moment else ""


def _contacts(db, start, end, facility):
    directory = facilities.directory(db)
    for chunk in _phones(db, contacts.key("")):
        pipe = db.pipeline(transaction=False)
        for phone in chunk:
            pipe.hgetall(contacts.key(phone))
        for phone, contact in zip(chunk, pipe.execute(), strict=True):
            day = contact.get("enrolled_on") or _day_of(contact.get("updated_at"))
            if not contact or not _within(day, start, end):
                continue
            if facility and contact.get("facility") != facility:
                continue
            found = directory.get(contact.get("facility", ""))
            yield {**contact, "phone": phone, "county": found.county if found else ""}


def _facilities(db, chunk):
    pipe = db.pipeline(transaction=False)
    for phone in chunk:
        pipe.hget(contacts.key(phone), "facility")
    return dict(zip(chunk, pipe.execute(), strict=True))


def _visits(db, start, end, facility):
    for chunk in _phones(db, visits.key("")):
        theirs = _facilities(db, chunk)
        pipe = db.pipeline(transaction=False)
        for phone in chunk:
            pipe.hgetall(visits.key(phone))
        for phone, raw in zip(chunk, pipe.execute(), strict=True):
            if facility and theirs[phone] != facility:
                continue
            for visit in sorted(visits.parse(raw).values(), key=lambda v: (v["date"], v["id"])):
                if _within(visit["date"], start, end):
                    yield {**visit, "phone": phone, "facility": theirs[phone] or ""}


def _each_mother(db, prefixes, facility):
    """(phone, her facility) of every number with a key under one of `prefixes`, once each."""
    seen = set()
    for prefix in prefixes:
        for chunk in _phones(db, prefix):
            chunk = [p for p in chunk if p not in seen]
            seen.update(chunk)
            theirs = _facilities(db, chunk)
            for phone in chunk:
                if not facility or theirs[phone] == facility:
                    yield phone, theirs[phone] or ""


def _followups(db, start, end, facility):
    for phone, hers in _each_mother(db, (followups.by_phone_key(""), followups.closed_key("")),
                                    facility):
        for record in followups.hers(db, phone):
            if _within(_day_of(record.get("created_at")), start, end):
                yield {**record, "phone": phone, "facility": hers}


def _messages(db, start, end, facility):
    for phone, hers in _each_mother(db, (log.done_key(""), log.contact_key("")), facility):
        for record in reversed(log.messages(db, phone, log.PER_CONTACT + 100)):
            if _within(_day_of(record.get("sent_at")), start, end):
                yield {**record, "phone": phone, "facility": hers}


def parse_day(text, name):
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise ExportError(f"{name} {text!r} is not a date: write it as 2026-12-31.") from None
