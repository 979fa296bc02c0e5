"""A local append-only file for callbacks that arrive while Redis is down.

An incoming SMS or delivery report that was answered 200 must never be lost.
When Redis does not answer, the webhook writes the callback to a file under
the instance folder (flushed to disk before answering) and replays it once
Redis is back: on the next callback and when the worker starts. Replays are
safe to repeat: incoming messages are deduplicated by AT's id.
"""

import fcntl
import json
import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)


def folder(app):
    return Path(app.instance_path) / "spool"


def append(app, kind, form):
    """Write one callback to the spool; raise OSError if even that fails."""
    path = folder(app)
    path.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"kind": kind, "form": form}) + "\n"
    with open(path / "callbacks.jsonl", "a", encoding="utf-8") as spool:
        fcntl.flock(spool, fcntl.LOCK_EX)
        spool.write(line)
        spool.flush()
        os.fsync(spool.fileno())


def pending(app):
    return (folder(app) / "callbacks.jsonl").exists() or any(folder(app).glob("replaying-*.jsonl"))


def replay(app, handlers):
    """Feed every spooled callback to handlers[kind]; return how many were replayed."""
    path = folder(app)
    spool = path / "callbacks.jsonl"
    if spool.exists():
        taken = path / f"replaying-{time.time_ns()}-{os.getpid()}.jsonl"  # never reused
        with open(spool, "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # wait for a writer to finish its line
            os.replace(spool, taken)
    done = 0
    for taken in sorted(path.glob("replaying-*.jsonl")):
        for line in taken.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash mid-write
            handlers[record["kind"]](record["form"])  # a Redis error here leaves the file
            done += 1
        taken.unlink()
    if done:
        log.info("Replayed %d callbacks kept while Redis was down", done)
    return done
