"""The national facility list imported into Redis, so every node serves the same one.

An import writes the whole list under a new key and only then renames it over the old
one, in one transaction with the list's version: a reader sees the old list or the new
one, never half of each, and a file with any problem changes nothing at all.
"""

import json
import secrets
import time

from .directory import Directory
from .records import Facility

ROWS = "facilities:rows"  # hash: MFL code -> JSON [name, county, sub_county, sms_name, dhis2]
META = "facilities:meta"  # hash: version, id, count, file, imported_at
# Which import is in use: the version and a random part, so a process that kept a list never takes
# another import for it (after a restore, or a Redis emptied and imported again from version 1).
ID = "id"
BATCH = 2000  # rows per round trip while writing the new list


def replace_all(db, facilities, file_name):
    """Make `facilities` the list every node uses; return the new version number."""
    staging = f"{ROWS}:new:{secrets.token_hex(6)}"
    try:
        for start in range(0, len(facilities), BATCH):
            chunk = facilities[start:start + BATCH]
            db.hset(staging, mapping={f.code: json.dumps(f.as_row(), ensure_ascii=False)
                                      for f in chunk})
        version = int(db.hget(META, "version") or 0) + 1
        pipe = db.pipeline(transaction=True)
        pipe.rename(staging, ROWS)
        pipe.hset(META, mapping={"version": version, ID: f"{version}:{secrets.token_hex(8)}",
                                 "count": len(facilities),
                                 "file": file_name, "imported_at": int(time.time())})
        pipe.execute()
        return version
    finally:
        db.delete(staging)  # gone already after the rename; left over only if writing failed


def meta(db):
    return db.hgetall(META)


_kept = {}  # the imported list as last read, with its version: read again only when it changes


def imported(db, marker=False):
    """The imported Directory, or None when no list was imported. `marker` (the META field
    ID), when the caller read it already with her contact, saves reading it again."""
    if marker is False:
        marker = db.hget(META, ID)
    if marker is None:
        return None
    found = _kept.get("directory")
    if found is not None and _kept.get("marker") == marker:
        return found
    rows = db.hgetall(ROWS)
    directory = Directory([Facility.from_row(code, json.loads(row)) for code, row in rows.items()],
                          source="imported")
    _kept.update(marker=marker, directory=directory)
    return directory
