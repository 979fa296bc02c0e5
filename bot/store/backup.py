"""A copy of everything in the bot's Redis database, to a file and back.

For deployments that cannot copy Redis's own files (a managed Redis): every key
is read with DUMP (Redis's own serialisation, so every type and its expiry come
back exactly) and written to a gzip file. Keys change while it runs, so each
key is exact as of the moment it was read, not the whole file as of one
instant; on the Redis machine itself a BGSAVE snapshot or a copy of the AOF is
the consistent backup (README, "Redis in production"). The file holds mothers'
records: it is written readable by its owner only.
"""

import gzip
import os
import struct

MAGIC = b"MMBOT-REDIS-BACKUP 1\n"
_END = 0xFFFFFFFF
BATCH = 500  # keys read or written per round trip


class BackupError(Exception):
    """A file that is not a backup, or a database that is not empty."""


def write(db, path):
    """Copy every key of `db` (a bytes client) into `path`; return how many were written."""
    count = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as out:
        out.write(MAGIC)
        cursor = 0
        while True:
            cursor, keys = db.scan(cursor, count=BATCH)
            count += _write_keys(db, out, keys)
            if cursor == 0:
                break
        out.write(struct.pack(">I", _END))
    return count


def _write_keys(db, out, keys):
    pipe = db.pipeline(transaction=False)
    for key in keys:
        pipe.pttl(key)
        pipe.dump(key)
    replies = pipe.execute()
    written = 0
    for key, ttl, data in zip(keys, replies[::2], replies[1::2], strict=True):
        if data is None:
            continue  # expired or deleted since the scan saw it
        out.write(struct.pack(">I", len(key)) + key + struct.pack(">qI", ttl, len(data)) + data)
        written += 1
    return written


def read(db, path, replace=False):
    """Put every key from `path` back into `db`; return how many. Refuses a database that
    holds keys unless `replace` (a restore over live data would mix two states). The whole
    file is read through first, so a damaged or cut-short file restores nothing."""
    if not replace and db.dbsize():
        raise BackupError("the database is not empty; restore into an empty one, or pass "
                          "--replace to overwrite the keys in the backup")
    for _ in _file(path):
        pass
    restored = 0
    pipe = db.pipeline(transaction=False)
    for key, ttl, data in _file(path):
        pipe.restore(key, max(ttl, 0), data, replace=True)
        restored += 1
        if len(pipe) >= BATCH:
            pipe.execute()
    pipe.execute()
    return restored


def _file(path):
    with gzip.open(path, "rb") as source:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{path} is not a backup made by 'flask --app wsgi backup'")
        yield from _records(source, path)


def _records(source, path):
    while True:
        head = source.read(4)
        if len(head) < 4:
            raise BackupError(f"{path} ends early: the backup was cut short")
        (size,) = struct.unpack(">I", head)
        if size == _END:
            return
        key, middle = source.read(size), source.read(12)
        if len(key) < size or len(middle) < 12:
            raise BackupError(f"{path} ends early: the backup was cut short")
        ttl, length = struct.unpack(">qI", middle)
        data = source.read(length)
        if len(data) < length:
            raise BackupError(f"{path} ends early: the backup was cut short")
        yield key, ttl, data
