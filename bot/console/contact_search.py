"""Finding mothers: by her full number, by its last digits, or by the name of her clinic.

A full number is one read. Last digits and clinic names need a walk over the
contacts; it is bounded (SCANNED keys at most) and stops at LIMIT matches, and
the page says when the walk stopped early, so a busy national database is never
held up by one search.
"""

import re
from dataclasses import dataclass, field

from .. import phones
from ..store import contacts

LIMIT = 30  # mothers listed for one search
SCANNED = 200_000  # contacts looked at, at most, for last digits or a clinic name
DIGITS = re.compile(r"[0-9]{3,9}")
PREFIX = contacts.key("")


@dataclass
class Found:
    phones: list = field(default_factory=list)
    complete: bool = True  # False: the walk stopped before it had looked at every contact
    how: str = ""  # what the search was read as, in words
    problem: str = ""  # why what was typed cannot be searched


def search(db, query, region):
    """Return Found for what was typed: a number, its last digits, or part of a clinic name."""
    query = " ".join((query or "").split())
    if not query:
        return Found(how="")
    compact = re.sub(r"[\s-]", "", query)
    full = phones.normalise(compact, region) if len(compact) >= 9 else None
    if full:
        known = db.exists(contacts.key(full))
        return Found([full] if known else [], how="her number")
    if DIGITS.fullmatch(compact):
        return _walk(db, f"{PREFIX}*{compact}", None, "numbers ending in " + compact)
    if re.fullmatch(r"\+?[0-9]+", compact):
        return Found(how="her number", problem=(
            "That is not a phone number. Write it as 0712345678 or +254712345678, or its last "
            "3 to 9 digits."))
    if len(query) < 3:
        return Found(how="", problem="Write at least 3 letters of her clinic's name.")
    return _walk(db, f"{PREFIX}*", query.casefold(), f"clinic names with \"{query}\"")


def _walk(db, pattern, clinic, how):
    found, looked, complete = [], 0, True
    batch = []
    for name in db.scan_iter(match=pattern, count=1000):
        looked += 1
        batch.append(name)
        if len(batch) >= 500:
            found += _keep(db, batch, clinic)
            batch = []
        if len(found) >= LIMIT or looked >= SCANNED:
            complete = False
            break
    found += _keep(db, batch, clinic)
    return Found(sorted(set(found))[:LIMIT], complete and len(found) <= LIMIT, how)


def _keep(db, names, clinic):
    if not names:
        return []
    phones_found = [name[len(PREFIX):] for name in names]
    if clinic is None:
        return phones_found
    pipe = db.pipeline(transaction=False)
    for name in names:
        pipe.hget(name, "clinic")
    return [phone for phone, name in zip(phones_found, pipe.execute(), strict=True)
            if name and clinic in name.casefold()]
