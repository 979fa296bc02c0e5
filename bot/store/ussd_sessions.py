"""Live USSD sessions, one per phone number, kept for the resume window.

Keyed by phone, not by AT's sessionId: a guessed or reused sessionId from
another number can never reach her session, and a new dial from the same
phone finds the session that dropped so it can offer to continue.
"""

import time
from dataclasses import dataclass

import orjson

from ..engine import Session


def key(phone):
    return f"ussd:session:{phone}"


@dataclass
class Live:
    """A stored session and what we last told the phone."""

    session_id: str
    history: str  # AT's `text` as last seen: every input so far, joined by *
    screen: str  # the last reply, sent again if AT repeats a request
    updated: float
    session: Session

    def dumps(self):
        # orjson: 1 us against json's 14 for this, at every screen (UTF-8 bytes, not \u escapes)
        return orjson.dumps({"id": self.session_id, "history": self.history, "screen": self.screen,
                             "updated": self.updated, "session": self.session.as_dict()})


def load(pipe, phone):
    pipe.get(key(phone))


def parse(raw):
    """Return the Live session stored as `raw`, or None when it is unusable."""
    if not raw:
        return None
    try:
        data = orjson.loads(raw)
        return Live(str(data["id"]), str(data["history"]), str(data["screen"]),
                    float(data["updated"]), Session.from_dict(data["session"]))
    except (ValueError, KeyError, TypeError):
        return None


def save(pipe, phone, live, keep_seconds):
    live.updated = time.time()
    pipe.set(key(phone), live.dumps(), ex=max(int(keep_seconds), 60))
