"""Every change made to a text through the console: who, when, which language, old and new words.

Kept in Redis, not in a file: every web process (`flask serve` runs two, and
production may run them on several machines) sees the same list at once, and it
is written while the console already holds its Redis lock for saving texts, so
two editors never interleave. One list per text key, newest first, the last
KEEP changes; the locale files under version control hold the longer story.
"""

import json
import time
import uuid

KEEP = 100


def _name(key):
    return f"console:texts:changes:{key}"


def record(client, key, language, old, new, who, undo_of=None, now=None):
    """Add one change to the text's history; return its id."""
    change = {"id": uuid.uuid4().hex[:12], "key": key, "language": language, "old": old, "new": new,
              "who": who, "at": int(now if now is not None else time.time())}
    if undo_of:
        change["undo_of"] = undo_of
    pipe = client.pipeline()
    pipe.lpush(_name(key), json.dumps(change, ensure_ascii=False))
    pipe.ltrim(_name(key), 0, KEEP - 1)
    pipe.execute()
    return change["id"]


def changes(client, key):
    """The text's changes, newest first."""
    return [json.loads(raw) for raw in client.lrange(_name(key), 0, KEEP - 1)]


def find(client, key, change_id):
    """One change of the text by its id, or None."""
    return next((c for c in changes(client, key) if c["id"] == change_id), None)
