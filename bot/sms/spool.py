"""A local append-only file for callbacks that arrive while Redis is down.

An incoming SMS or delivery report that was answered 200 must never be lost.
When Redis does not answer, the webhook writes the callback to a file under
the instance folder (flushed to disk before answering) and replays it once
Redis is back: on the next callback, when the worker starts, and by a
background thread in every web process and worker (`start_replaying`), which
looks every few seconds, so nothing waits for traffic. Replays are safe to
repeat: incoming messages are deduplicated by AT's id. A line that cannot be
read is never dropped in silence: it is kept in unreadable.jsonl.

SPOOL_DIR may name a folder every node shares (a network disk): any node or
worker then replays what any node kept. Each file being replayed is locked by
the process replaying it, so two never replay the same one. The spool holds only
the callback fields the bot needs, readable by the service's user alone.
"""

import fcntl
import json
import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
UNREADABLE = "unreadable.jsonl"  # never replayed: a person reads it


REPLAY_EVERY_SECONDS = 3  # how often the background thread looks for a spool to replay


def folder(app):
    return Path(app.config.get("SPOOL_DIR") or Path(app.instance_path) / "spool")


def _private_folder(app):
    path = folder(app)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)  # mothers' numbers and words: the service's user only
    return path


def _private_file(path):
    """Open `path` to append, made readable by its owner only."""
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600), "ab+")


def append(app, kind, form):
    """Write one callback to the spool, a whole line or nothing; raise OSError if it fails."""
    path = _private_folder(app)
    line = (json.dumps({"kind": kind, "form": form}) + "\n").encode("utf-8")
    with _private_file(path / "callbacks.jsonl") as spool:
        fcntl.flock(spool, fcntl.LOCK_EX)
        size = spool.seek(0, os.SEEK_END)
        if size and _last_byte(spool, size) != b"\n":
            line = b"\n" + line  # a crash cut the last line short: never glue onto it
        try:
            spool.write(line)
            spool.flush()
            os.fsync(spool.fileno())
        except OSError:
            spool.truncate(size)  # a full disk: take back the part that was written
            raise


def _last_byte(spool, size):
    spool.seek(size - 1)
    last = spool.read(1)
    spool.seek(size)
    return last


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
        done += _replay_file(path, taken, handlers)
    if done:
        log.info("Replayed %d callbacks kept while Redis was down", done)
    return done


def _replay_file(path, taken, handlers):
    """Replay one taken file unless another process is at it (its lock); return how many."""
    try:
        held = open(taken, "rb")
    except FileNotFoundError:
        return 0  # another process finished it meanwhile
    with held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another process is replaying it
        if not taken.exists():
            return 0
        unreadable, done = [], 0
        for line in held.read().splitlines():
            record = _record(line, handlers)
            if record is None:
                unreadable.append(line)  # cut short by a crash or a full disk
                continue
            handlers[record["kind"]](record["form"])  # a Redis error here leaves the file
            done += 1
        _keep_aside(path, taken, unreadable)
        taken.unlink()
    return done


def start_replaying(app, handlers, every=REPLAY_EVERY_SECONDS):
    """Start a daemon thread that replays the spool once Redis answers, without waiting for a
    callback to come; return it."""
    from .. import store

    def loop():
        while True:
            time.sleep(every)
            try:
                if pending(app):
                    with app.app_context():
                        replay(app, handlers(app))
            except store.Errors:
                continue  # Redis still away: the spool waits for the next look
            except Exception:
                log.exception("Replaying the spool failed; it is kept and tried again")

    thread = threading.Thread(target=loop, name="spool-replay", daemon=True)
    thread.start()
    return thread


def _record(line, handlers):
    """The spooled callback in a line, or None if it cannot be read."""
    try:
        record = json.loads(line.decode("utf-8"))
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("kind") not in handlers \
            or not isinstance(record.get("form"), dict):
        return None
    return record


def _keep_aside(path, taken, lines):
    """Keep lines that could not be read in unreadable.jsonl, and say so in the log."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        return
    with _private_file(path / UNREADABLE) as kept:
        kept.write(b"".join(line + b"\n" for line in lines))
        kept.flush()
        os.fsync(kept.fileno())
    log.warning("%d spooled callbacks could not be read (cut short by a crash or a full disk);"
                " kept in %s for a person to check", len(lines), path / UNREADABLE)
