"""The versions in Redis: each one's files, who published it, when, and what changed.

Files are kept once by their fingerprint (`content:file:<sha256>`, compressed),
so a version that changes one text costs a few kilobytes, not the whole set.
A version is written completely first and only then named current, in one
MULTI, so a node never reads a version half-stored.
"""

import base64
import hashlib
import json
import time
import zlib

from . import changes
from .files import digest

CURRENT = "content:current"  # the number every node serves
NEXT = "content:next"  # the last number given
LIST = "content:versions"  # every number, oldest first
LOCK = "content:publish:lock"
CHECKOUT = "content:checkout"  # fingerprint of the checkout files last published from files


class Refused(Exception):
    """The checker found problems: nothing was published. `problems` are bot.errors.Problem."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was published")


class Outdated(Exception):
    """Another version was published since the one an edit started from."""

    def __init__(self, number):
        self.number = number
        super().__init__(f"version {number} was published meanwhile")


def _info_key(number):
    return f"content:version:{number}"


def _files_key(number):
    return f"content:files:{number}"


def _blob_key(sha):
    return f"content:file:{sha}"


def current(db):
    """Return (number, fingerprint) of the version served now, or (None, None) before the first."""
    number = db.get(CURRENT)
    if number is None:
        return None, None
    return int(number), db.hget(_info_key(number), "digest")


def info(db, number):
    """Who published version `number`, when, why and what changed; None when there is none."""
    raw = db.hgetall(_info_key(number))
    if not raw:
        return None
    return {"number": int(number), "who": raw.get("who", ""), "at": float(raw.get("at", 0)),
            "note": raw.get("note", ""), "digest": raw.get("digest", ""),
            "changes": json.loads(raw.get("changes") or "{}")}


def history(db, newest=50):
    """The newest versions' info, newest first."""
    numbers = db.lrange(LIST, -newest, -1)
    return [found for n in reversed(numbers) if (found := info(db, n)) is not None]


def files(db, number):
    """Return {path: bytes} of version `number`, or None when it is not stored."""
    shas = db.hgetall(_files_key(number))
    if not shas:
        return None
    paths = sorted(shas)
    blobs = db.mget([_blob_key(shas[p]) for p in paths])
    if any(blob is None for blob in blobs):
        return None
    return {p: zlib.decompress(base64.b64decode(blob)) for p, blob in zip(paths, blobs, strict=True)}


def publish(db, new_files, who, note, check, first=False, based_on=None):
    """Check `new_files` with `check(files)` and make them the current version; return its info.

    `check` raises Refused with the checker's problems. Publishing the files already current
    changes nothing (the info of the current version is returned, with "unchanged": True).
    With `first`, publish only when there is no version yet (a node's first start); with
    `based_on`, only when that version is still the current one (raises Outdated).
    """
    with db.lock(LOCK, timeout=60, blocking_timeout=30):
        number, served = current(db)
        if first and number is not None:
            return {**info(db, number), "unchanged": True}
        if based_on is not None and number != based_on:
            raise Outdated(number)
        fingerprint = digest(new_files)
        if fingerprint == served:
            return {**info(db, number), "unchanged": True}
        check(new_files)
        old = files(db, number) if number is not None else None
        return _store(db, new_files, fingerprint, who, note, changes.summarise(old, new_files))


def _store(db, new_files, fingerprint, who, note, summary):
    shas = {path: hashlib.sha256(data).hexdigest() for path, data in new_files.items()}
    have = db.exists(*{_blob_key(s) for s in shas.values()}) if shas else 0
    number = db.incr(NEXT)
    pipe = db.pipeline(transaction=False)
    if have < len(set(shas.values())):
        for path, sha in shas.items():
            packed = base64.b64encode(zlib.compress(new_files[path], 6)).decode()
            pipe.set(_blob_key(sha), packed, nx=True)
    if shas:
        pipe.hset(_files_key(number), mapping=shas)
    record = {"who": who, "at": time.time(), "note": note or "", "digest": fingerprint,
              "changes": json.dumps(summary, ensure_ascii=False)}
    pipe.hset(_info_key(number), mapping=record)
    pipe.execute()
    pipe = db.pipeline(transaction=True)
    pipe.rpush(LIST, number)
    pipe.set(CURRENT, number)
    pipe.execute()
    return {**info(db, number), "unchanged": False}
