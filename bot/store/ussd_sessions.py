"""Live USSD sessions, one per phone number, kept for the resume window.

Keyed by phone, not by AT's sessionId: a guessed or reused sessionId from
another number can never reach her session, and a new dial from the same
phone finds the session that dropped so it can offer to continue.
"""

import logging
import time
from dataclasses import dataclass

import orjson

from ..engine import Session

log = logging.getLogger(__name__)
# A session is a few hundred bytes; past this something is wrong (a flood of input, a runaway
# flow): the resume offer and the history go first, and if that is not enough, nothing is kept.
MAX_BYTES = 8192


def key(phone):
    return f"ussd:session:{phone}"


@dataclass
class Live:
    """A stored session and what we last told the phone."""

    session_id: str
    history: str  # the tail of AT's `text` as last seen: every input so far, joined by *
    screen: str  # the last reply, sent again if AT repeats a request
    updated: float
    session: Session
    skipped: int = 0  # characters of AT's `text` before `history`, not kept
    version: int | None = None  # the content version she started on, served until the end

    def dumps(self):
        # orjson: 1 us against json's 14 for this, at every screen (UTF-8 bytes, not \u escapes)
        data = {"id": self.session_id, "history": self.history, "screen": self.screen,
                "updated": self.updated, "session": self.session.as_dict()}
        if self.skipped:
            data["skipped"] = self.skipped
        if self.version is not None:
            data["version"] = self.version
        return orjson.dumps(data)


def load(pipe, phone):
    pipe.get(key(phone))


def parse(raw):
    """Return the Live session stored as `raw`, or None when it is unusable."""
    if not raw:
        return None
    try:
        data = orjson.loads(raw)
        return Live(str(data["id"]), str(data["history"]), str(data["screen"]),
                    float(data["updated"]), Session.from_dict(data["session"]),
                    int(data.get("skipped", 0)),
                    int(data["version"]) if data.get("version") is not None else None)
    except (ValueError, KeyError, TypeError):
        return None


def save(pipe, phone, live, keep_seconds):
    """Queue the session's storing, kept under MAX_BYTES whatever it holds."""
    live.updated = time.time()
    raw = live.dumps()
    if len(raw) > MAX_BYTES:
        live.session = live.session.copy()
        live.session.saved = None
        live.skipped, live.history = live.skipped + len(live.history), ""
        raw = live.dumps()
    if len(raw) > MAX_BYTES:
        log.warning("A USSD session of %d bytes was not kept; the caller starts afresh", len(raw))
        pipe.delete(key(phone))
        return
    pipe.set(key(phone), raw, ex=max(int(keep_seconds), 60))
