"""Importing visits from a clinic register (CSV), row by row, keeping the good rows.

Columns: phone, date, kind, and optionally time (HH:MM), clinic, facility (the
clinic's MFL code, checked against the facility list; its SMS name is the visit's clinic
when the clinic column is empty), language (en or sw). A date is written YYYY-MM-DD
or, the way mothers type it on USSD and clinic registers write it, day first:
15-03-2027, 15/3/2027, 15.03.2027 or 15/03/27.
A number the bot does not know becomes a contact enrolled by staff (the clinic
took her consent). A visit's id is its date and kind and an existing visit is
never overwritten, so importing the same file twice changes nothing.
A date she saved herself on USSD for the same day becomes the register's visit
(bot/store/visits.py): the register's details win.

The file may be UTF-8 or the Windows code page, its columns separated by ',' or
';' (bot/register_file.py reads it as Excel saved it).
"""

import csv
import io
import re
import time
from dataclasses import dataclass, field
from datetime import date

from . import facilities, phones, register_file, reports
from .engine.validators import parse_date
from .reminders.dispatch import clinic_kept_out
from .store import contacts, visits

REQUIRED = ("phone", "date", "kind")
LANGUAGES = ("en", "sw")


@dataclass
class Result:
    visits: int = 0
    new_contacts: int = 0
    phones: set = field(default_factory=set)
    skipped: list = field(default_factory=list)  # (line, reason)
    warnings: list = field(default_factory=list)  # (line, reason): imported, but staff should know


def import_file(db, path, region, default_language, today):
    """Import `path`; return a Result. Raise ValueError if the file cannot be used at all."""
    with io.StringIO(register_file.read_text(path)[0], newline="") as handle:
        header = handle.readline()
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=register_file.separator(header, REQUIRED))
        columns = [c.strip().lower() for c in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise ValueError(f"{path}: the first line must name the columns; missing: "
                             f"{', '.join(missing)}. Expected: "
                             "phone,date,kind[,time,clinic,facility,language] "
                             f"(or the same with ';'), where kind is one of {', '.join(visits.KINDS)}")
        result = Result()
        listed = facilities.directory(db)
        for line, row in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            reason, visit = _check(row, region, listed)
            if reason:
                result.skipped.append((line, reason))
            elif reason := _after_loss(db, visit):
                result.skipped.append((line, reason))
            else:
                _keep(db, visit, default_language, today, result)
                if warning := clinic_kept_out(visit["clinic"]):
                    result.warnings.append((line, warning))
    return result


def _check(row, region, listed):
    phone = phones.normalise(row.get("phone"), region)
    if phone is None:
        return f"phone {row.get('phone')!r} is not a valid phone number", None
    day = read_date(row.get("date", ""))
    if day is None:
        return (f"date {row.get('date')!r} is not a date: write it day-month-year (15-03-2027) or "
                "YYYY-MM-DD"), None
    kind = row.get("kind", "").lower()
    if kind not in visits.KINDS:
        return f"kind {row.get('kind')!r} is not one of {', '.join(visits.KINDS)}", None
    when = row.get("time", "")
    if when and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", when):
        return f"time {when!r} is not written HH:MM", None
    language = row.get("language", "").lower()
    if language and language not in LANGUAGES:
        return f"language {row.get('language')!r} must be en or sw", None
    clinic = row.get("clinic", "")
    if len(clinic) > 30:
        return "clinic name is longer than 30 characters (it must fit in an SMS)", None
    code = row.get("facility", "")
    found = listed.get(code) if code else None
    if code and found is None:
        return (f"facility {code!r} is not an MFL code in the facility list; copy it from the Kenya "
                "Master Health Facility List (see `facilities show CODE`)"), None
    return None, {"phone": phone, "day": day, "kind": kind, "time": when,
                  "clinic": clinic or (found.sms_name if found else ""),
                  "facility": found.code if found else "", "language": language}


def read_date(text):
    """Return the day written YYYY-MM-DD or day-month-year (as on USSD), or None."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return parse_date(text)


def _after_loss(db, visit):
    """Why a pregnancy or baby visit is not imported for a mother who reported a loss, or None."""
    if visit["kind"] not in visits.FOR_PREGNANCY_OR_BABY:
        return None
    stage, lost = db.hmget(contacts.key(visit["phone"]), "stage", "loss_date")
    if stage != "loss":
        return None
    return (f"she reported a loss on {lost}: no {visit['kind']} visit is booked for her; check the "
            "register, and for a new pregnancy record her due date first")


def _keep(db, visit, default_language, today, result):
    phone = visit["phone"]
    known = db.hgetall(contacts.key(phone))
    pipe = db.pipeline(transaction=True)
    if known.get("enrolled") != "yes":
        pipe.hset(contacts.key(phone), mapping={
            "enrolled": "yes", "enrolled_by": "staff",
            # Her own "no" to SMS on USSD stays: a register cannot turn it into a yes.
            "consent_sms": "no" if known.get("consent_sms") == "no" else "clinic",
            "enrolled_on": today.isoformat(), "updated_at": str(int(time.time())),
            "language": known.get("language") or visit["language"] or default_language,
            "clinic": known.get("clinic") or visit["clinic"]})
        result.new_contacts += 1
        enrolled = True
    else:
        enrolled = False
    if visit["facility"] and not known.get("facility"):  # never over the clinic she chose herself
        pipe.hset(contacts.key(phone), mapping={"facility": visit["facility"],
                                                **({} if known.get("clinic") else
                                                   {"clinic": visit["clinic"]})})
    vid = visits.visit_id(visit["day"], visit["kind"])
    record = {"id": vid, "date": visit["day"].isoformat(), "kind": visit["kind"],
              "time": visit["time"], "clinic": visit["clinic"], "source": "import",
              "status": "booked"}
    contacts.keep(pipe, phone)  # enrolled by the clinic's register: her record is kept
    found = visits.parse(db.hgetall(visits.key(phone)))
    record, replaced = visits.from_clinic(found, record)
    if vid in found and visits.sources_of(found[vid]) != {"mother"}:
        if enrolled:
            reports.count(pipe, "enrolled", phone, detail=known.get("stage", ""))
        pipe.execute()  # the clinic's own visit, imported before: never overwritten
    else:
        visits.put(pipe, phone, {vid: record})
        visits.drop(pipe, phone, replaced)
        visits.count_changes(pipe, phone, found, {vid: record}, replacing=bool(replaced))
        if enrolled:  # after her facility is set: she counts at her clinic
            reports.count(pipe, "enrolled", phone, detail=known.get("stage", ""))
        pipe.execute()
        result.visits += 1
    result.phones.add(phone)
