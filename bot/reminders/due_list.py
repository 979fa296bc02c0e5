"""Who is due for a reminder, and when: the due list, kept in a fixed number of parts.

Every contact with a reminder ahead has one entry, scored by the time of her
next reminder, in one of PARTS sorted sets (`reminders:next:<n>`, n worked out
from her number). A dispatch reads only who is due, never every contact, and a
dispatch split into several jobs gives each job its own parts, so the jobs can
send at the same time on as many worker processes or machines without ever
reading the same mother. The number of parts does not change with the number
of jobs, so nothing needs moving when a programme adds workers.

A `Claim` makes sure two dispatches never work through the same part at once
(a staff `reminders run` while the worker's runs, a slot booked twice after a
restart): both would read the same due mothers and could send the same SMS.
"""

import math
import os
import socket
import threading
import uuid
import zlib
from pathlib import Path

from ..store import Errors, quick

PARTS = 16
OLD_LIST = "reminders:next"  # the single list of earlier versions, moved into parts on start
CLAIM_SECONDS = 120  # a claim lapses this long after its holder stopped renewing it


def key(part):
    return f"reminders:next:{part}"


def part_of(phone):
    return zlib.crc32(phone.encode()) % PARTS


def parts_for(job, jobs):
    """The parts dispatch job `job` (counted from 0) of `jobs` works through."""
    return [part for part in range(PARTS) if part % jobs == job]


def file(db, nexts):
    """File each phone under the time of her next reminder ({phone: datetime or None})."""
    pipe = quick.Batch(db)
    for phone, when in nexts.items():
        if when is None:
            remove(pipe, phone)
        else:
            pipe.zadd(key(part_of(phone)), {phone: when.timestamp()})
    pipe.execute()


def remove(pipe, phone):
    """Queue taking her off the due list (on a redis-py pipeline or a Batch)."""
    pipe.zrem(key(part_of(phone)), phone)


def next_at(db, phone):
    """The time (a Unix timestamp) she is filed under, or None."""
    return db.zscore(key(part_of(phone)), phone)


def size(db):
    """How many contacts have a reminder ahead."""
    pipe = quick.Batch(db)
    for part in range(PARTS):
        pipe.zcard(key(part))
    return sum(pipe.execute())


def due(db, parts, until, count):
    """Return (phones due by `until` in these parts, about `count` in all; whether any part
    had more than its share)."""
    share = max(1, math.ceil(count / len(parts)))
    pipe = quick.Batch(db)
    for part in parts:
        pipe.zrangebyscore(key(part), "-inf", until.timestamp(), start=0, num=share)
    found = pipe.execute()
    return [phone for phones in found for phone in phones], any(len(p) >= share for p in found)


def move_old_list(db, page=10_000):
    """Move an earlier version's single due list into the parts; return how many moved."""
    moved = 0
    while True:
        entries = db.zrange(OLD_LIST, 0, page - 1, withscores=True)
        if not entries:
            return moved
        pipe = quick.Batch(db)
        for phone, score in entries:
            pipe.zadd(key(part_of(phone)), {phone: score})
        pipe.zrem(OLD_LIST, *[phone for phone, _ in entries])
        pipe.execute()
        moved += len(entries)


# Renew or release a claim only while it is still ours: a claim that lapsed may have been
# taken by another dispatch since.
_IF_OURS = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '0' then return redis.call('DEL', KEYS[1]) end
return redis.call('EXPIRE', KEYS[1], ARGV[2])
"""
_TAKE_OVER = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


class Claim:
    """The parts of the due list this dispatch works through alone, until `release()`.

    A part another dispatch holds is left to it. While held, a claim is renewed in the
    background every third of CLAIM_SECONDS, however long a send takes (AT can be slow);
    a holder that died on this machine (a killed worker) is recognised by its process id
    and taken over at once, one elsewhere lapses CLAIM_SECONDS after its last renewal.
    """

    def __init__(self, db, parts, seconds=CLAIM_SECONDS):
        self.db, self.seconds = db, seconds
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        pipe = quick.Batch(db)
        for part in parts:
            pipe.set(_claim_key(part), self.token, ex=seconds, nx=True)
        taken = pipe.execute()
        self.parts = [part for part, ok in zip(parts, taken, strict=True) if ok]
        self.parts += self._take_over_from_dead([p for p, ok in zip(parts, taken, strict=True) if not ok])
        self._done = threading.Event()
        self._renewer = threading.Thread(target=self._keep, daemon=True, name="due-list claim")
        if self.parts:
            self._renewer.start()

    def _take_over_from_dead(self, parts):
        won = []
        for part in parts:
            holder = self.db.get(_claim_key(part))
            if holder and _died_here(holder):
                pipe = quick.Batch(self.db)
                pipe.script(_TAKE_OVER, [_claim_key(part)], [holder, self.token, self.seconds])
                if pipe.execute()[0]:
                    won.append(part)
        return won

    def _keep(self):
        while not self._done.wait(self.seconds / 3):
            try:
                self._each(self.seconds)
            except Errors:
                pass  # Redis away for a moment: the next renewal tries again

    def release(self):
        self._done.set()
        if self._renewer.is_alive():
            self._renewer.join()
        self._each(0)
        self.parts = []

    def _each(self, seconds):
        if not self.parts:
            return
        pipe = quick.Batch(self.db)
        for part in self.parts:
            pipe.script(_IF_OURS, [_claim_key(part)], [self.token, seconds])
        pipe.execute()


def _claim_key(part):
    return f"reminders:dispatching:{part}"


def _died_here(holder):
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    try:  # killed but not yet collected by its parent: a zombie holds nothing
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
