"""Her clinic visits: entered by her on USSD or imported from a clinic register.

One hash per contact; a visit's id is its date and kind, so importing the same
register twice, or entering the same date twice, changes nothing. A date she saved
herself does not say which visit it is: a clinic's visit on the same day is the
same visit, so it takes her entry in (the clinic's details win; `sources` keeps
who gave it), and a day the clinic booked needs no second visit from her.
"""

import json
import re
from datetime import timedelta

from . import contacts

KINDS = ("anc", "pnc", "pnc_baby", "eid", "immunisation", "art", "growth", "other")
# Visits for the pregnancy or the baby: a loss ends them (antenatal, the baby's postnatal check,
# vaccines, growth checks, the baby's HIV tests). Her own care goes on: her ART visits, her own
# postnatal check (`pnc`) and anything else booked for her.
FOR_PREGNANCY_OR_BABY = frozenset({"anc", "pnc_baby", "eid", "immunisation", "growth"})


def key(phone):
    return f"visits:{phone}"


def visit_id(day, kind):
    return f"{day.isoformat()}-{kind}"


# A visit's id (`2027-11-08-immunisation`) is kept in her hash as a short field (`271108i`):
# nine visits a year, each kept VISIT_KEEP_DAYS, for every mother (BENCHMARKS.md). Ids of
# another shape, and fields written before, are kept as they are and read the same.
KIND_CODES = {"anc": "a", "pnc": "p", "pnc_baby": "b", "eid": "e", "immunisation": "i",
              "art": "r", "growth": "g", "other": "o"}
_KIND_OF_CODE = {code: kind for kind, code in KIND_CODES.items()}
_LONG = re.compile(r"20(\d\d)-(\d\d)-(\d\d)-(\w+)")
_SHORT = re.compile(r"(\d{6})([a-z])")


def field(vid):
    """The field her hash keeps the visit `vid` in."""
    found = _LONG.fullmatch(vid)
    if found and found[4] in KIND_CODES:
        return f"{found[1]}{found[2]}{found[3]}{KIND_CODES[found[4]]}"
    return vid


def id_of(name):
    """The visit id a field of her hash holds."""
    found = _SHORT.fullmatch(name)
    if found and found[2] in _KIND_OF_CODE:
        day = found[1]
        return f"20{day[:2]}-{day[2:4]}-{day[4:]}-{_KIND_OF_CODE[found[2]]}"
    return name


def put(pipe, phone, stored):
    """Queue storing visits ({id: visit}); an id's field from before short fields goes."""
    pipe.hset(key(phone), mapping={field(vid): dumps(visit) for vid, visit in stored.items()})
    older = [vid for vid in stored if field(vid) != vid]
    if older:
        pipe.hdel(key(phone), *older)


def drop(pipe, phone, vids):
    """Queue deleting these visits (by id), in whichever field each was kept."""
    if vids:
        pipe.hdel(key(phone), *{name for vid in vids for name in (field(vid), vid)})


def stored(db, phone, vid):
    """One visit by id (a dict), or None."""
    raw = db.hget(key(phone), field(vid)) or db.hget(key(phone), vid)
    return parse({vid: raw}).get(vid) if raw else None


def add(pipe, phone, day, kind, time="", clinic="", source="mother"):
    """Queue a visit; return its id."""
    vid = visit_id(day, kind)
    put(pipe, phone, {vid: {"id": vid, "date": day.isoformat(), "kind": kind, "time": time,
                            "clinic": clinic, "source": source, "status": "booked"}})
    contacts.keep(pipe, phone)  # a booked visit is a record staff rely on: she is kept
    return vid


def add_from_mother(db, pipe, phone, day):
    """Queue the visit she saved on USSD, or her mark on a visit already standing that day;
    return (its id, True when it is a new visit)."""
    standing = on_day(parse(db.hgetall(key(phone))), day)
    if not standing:
        return add(pipe, phone, day, "other", source="mother"), True
    vid, visit = sorted(standing.items())[0]
    put(pipe, phone, {vid: with_sources(visit, sources_of(visit) | {"mother"})})
    return vid, False


def from_clinic(found, record):
    """Fold her own entries on the record's day into a clinic's record (import or API).

    Return (the record to store, ids of her entries it replaces). Her details give way
    to the clinic's; her having saved it too is kept in `sources`, and it stays
    attended if she was marked attended on it.
    """
    day = record["date"]
    hers = {vid: v for vid, v in on_day(found, day).items() if sources_of(v) == {"mother"}}
    if not hers:
        return record, []
    status = "attended" if any(v.get("status") == "attended" for v in hers.values()) \
        else record.get("status", "booked")
    merged = with_sources({**record, "status": status}, {"mother", record.get("source", "mother")})
    return merged, [vid for vid in hers if vid != record["id"]]


def on_day(found, day):
    """Her visits on `day` (a date or its ISO text) that still stand, as {id: visit}."""
    text = day if isinstance(day, str) else day.isoformat()
    return {vid: v for vid, v in found.items()
            if v.get("date") == text and v.get("status") != "cancelled"}


def sources_of(visit):
    """Who gave this visit: mother, import, api (a set)."""
    return set(visit.get("sources") or [visit.get("source", "mother")])


def with_sources(visit, sources):
    return {**visit, "sources": sorted(sources)}


# How a visit is stored. A year of visits is the largest part of what Redis keeps per mother
# (BENCHMARKS.md), and a hash whose values all fit in 64 bytes takes Redis's compact encoding
# (a third of the memory), so a plain visit is one short line, "time|clinic|source|status",
# its date and kind being in its id; any other visit is JSON without its default fields.
DEFAULTS = {"time": "", "clinic": "", "status": "booked", "source": "mother"}
PLAIN = ("time", "clinic", "source", "status")
# The usual sources and statuses as one letter in the short line ("09:00|Mathare North|i|a"):
# a year of visits is nine of them, each kept 400 days. Any other word is kept as it is.
CODES = {"source": {"mother": "m", "import": "i", "api": "a", "staff": "s"},
         "status": {"booked": "b", "attended": "a", "cancelled": "c", "missed": "x"}}
WORDS = {name: {code: word for word, code in codes.items()} for name, codes in CODES.items()}


def dumps(visit):
    """The visit as stored: a short line when it holds only the usual fields, else JSON."""
    implied = visit.get("id") == f"{visit.get('date')}-{visit.get('kind')}"
    rest = {name: value for name, value in visit.items()
            if not (implied and name in ("id", "date", "kind"))}
    if implied and set(rest) <= set(PLAIN) and \
            all(isinstance(v, str) and "|" not in v for v in rest.values()):
        line = {name: str(rest.get(name, DEFAULTS[name])) for name in PLAIN}
        return "|".join(CODES.get(name, {}).get(value, value) for name, value in line.items())
    kept = {name: value for name, value in rest.items() if DEFAULTS.get(name, 0) != value}
    return json.dumps(kept, sort_keys=True, separators=(",", ":"))


def parse(raw):
    """The visits hash as {id: visit dict}, skipping anything unreadable."""
    found = {}
    for name, text in (raw or {}).items():
        vid, visit = id_of(name), _loads(text)
        if visit is None:
            continue
        if "id" not in visit and len(vid) > 11:
            visit = {"id": vid, "date": vid[:10], "kind": vid[11:], **visit}
        found[vid] = {**DEFAULTS, **visit}
    return found


def _loads(text):
    """One stored visit as a dict (without its id, when stored short), or None if unreadable."""
    if not text.startswith("{"):
        parts = text.split("|")
        if len(parts) != len(PLAIN):
            return None
        return {name: WORDS.get(name, {}).get(part, part) for name, part in zip(PLAIN, parts, strict=True)}
    try:
        visit = json.loads(text)
    except ValueError:
        return None
    return visit if isinstance(visit, dict) else None


def ended_by_loss(found):
    """The visits a loss cancels: booked, for the pregnancy or the baby, as {id: visit}."""
    return {vid: {**v, "status": "cancelled", "cancel_reason": "loss"} for vid, v in found.items()
            if v.get("status") == "booked" and v.get("kind") in FOR_PREGNANCY_OR_BABY}


def set_status(db, phone, day, status):
    """Mark every visit on `day` attended or cancelled; return how many."""
    found = parse(db.hgetall(key(phone)))
    reason = {"cancel_reason": "staff"} if status == "cancelled" else {}
    changed = {vid: {**v, "status": status, **reason} for vid, v in found.items()
               if v["date"] == day.isoformat()}
    if changed:
        pipe = db.pipeline(transaction=True)
        put(pipe, phone, changed)
        count_changes(pipe, phone, found, changed)
        pipe.execute()
    return len(changed)


def count_changes(pipe, phone, before, changed, replacing=False):
    """Queue the programme's figures for visits stored: a new one booked, one marked attended.

    `before`: her visits as read ({id: visit}); `changed`: those being stored. `replacing`: the
    new ones take in entries of hers already counted (a clinic's record of a day she saved)."""
    from .. import reports  # here: the figures count by her contact, which imports this module

    for vid, visit in changed.items():
        prior = before.get(vid)
        booked_now = prior is None or prior.get("status") == "cancelled"  # or booked again
        if booked_now and not replacing and visit.get("status") in ("booked", "attended"):
            reports.count(pipe, "visits_booked", phone)
        if visit.get("status") == "attended" and (prior or {}).get("status") != "attended":
            reports.count(pipe, "visits_kept", phone)


def summary(found, today, count=3):
    """Fields the menus show: her next visit and the next few, as contact fields."""
    upcoming = sorted({v["date"] for v in found.values()
                       if v.get("status") == "booked" and v["date"] >= today.isoformat()})
    if not upcoming:
        return {}
    shown = ", ".join(f"{d[8:10]}-{d[5:7]}-{d[0:4]}" for d in upcoming[:count])
    return {"next_visit": upcoming[0], "upcoming_visits": shown}


def past_keeping(found, today, keep_days):
    """Ids of her visits more than `keep_days` before `today` (VISIT_KEEP_DAYS)."""
    oldest = (today - timedelta(days=keep_days)).isoformat()
    return [vid for vid, v in found.items() if v.get("date") and str(v["date"]) < oldest]


def prune(pipe, phone, found, today, keep_days):
    """Queue the deletion of her visits past keeping (`found`: her visits as read); return how many."""
    old = past_keeping(found, today, keep_days)
    drop(pipe, phone, old)
    return len(old)
