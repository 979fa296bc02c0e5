"""The work menu a Mentor Mother gets when she dials the USSD code from her registered number.

After her PIN: her follow-ups (with what came of each call), registering a mother, recording
a home visit, marking a clinic visit attended, and her language. Each state is a pair of
functions in this package (see screen.py); what she confirms is stored at once, so a dropped
session loses nothing she saw saved, and a new dial starts again at the PIN.

Her session is kept apart from mothers' sessions, keyed by her number, and never holds her
PIN (a PIN's digits stand as "#" in the history, as for mothers: bot/channels/ussd_history).
"""

import logging
import time

import orjson

from ...channels.ussd_history import bounded, following, newest_input
from ...privacy import mask_phone
from . import calls, clinic, home_visit, register, start
from .screen import Ctx

log = logging.getLogger(__name__)
STATES = {**start.STATES, **calls.STATES, **register.STATES, **home_visit.STATES,
          **clinic.STATES}
KEEP_SECONDS = 600  # a session lasts minutes; a new dial asks for her PIN again
BACK, MAIN = "0", "00"


def session_key(phone):
    return f"mentor_work:session:{phone}"


def started_on(db, phone, session_id):
    """The content version her session `session_id` started on, or None (a new session, or one
    from before sessions kept it)."""
    live = _load(db, phone)
    return live.get("version") if live and live["id"] == session_id else None


def answer(db, content, config, mentor, session_id, text, now, version=None):
    """The reply to one USSD request from Mentor Mother `mentor` (her record), and SMS to send.

    `content` is version `version`: the one her session started on (see `started_on`), so that
    one session never mixes the words of two versions."""
    ctx = Ctx(db, content, config, {**mentor, "language": _language(content, mentor)}, now)
    live = _load(db, mentor["phone"])
    if live and live["id"] == session_id:
        newest = newest_input(live["history"], text, live.get("skipped", 0))
        if newest is None:
            return live["screen"], []  # AT repeated a request we already answered
        ctx.data = live["data"]
        history = following(live["history"], live.get("skipped", 0), text, newest,
                            live["state"] == "pin")
        state = _next(ctx, live["state"], newest.strip()[:200])
    else:
        history, state = text, "locked" if _locked(ctx) else "pin"
    reply = STATES[state][0](ctx)
    _save(db, mentor["phone"], session_id, history, reply, state, ctx.data, version)
    return reply, ctx.sms


def _next(ctx, state, typed):
    """The state her answer leads to (the same one, with a hint, when it is refused)."""
    show, take, back = STATES.get(state, (None, None, None))
    signed_in = ctx.data.get("signed_in")
    if take is None or (state != "pin" and not signed_in):
        return "pin"  # a stored state she cannot answer (or an old version): start again
    if signed_in and typed == MAIN:
        return "home"
    if signed_in and typed == BACK and back:
        return back
    found = take(ctx, typed)
    if found is None and not ctx.hint:
        ctx.hint = ctx.t("common.hint_number")
    if found == "locked":
        log.info("Work menu of Mentor Mother %s: PIN locked", mask_phone(ctx.mentor["phone"]))
    return found or state


def _locked(ctx):
    from ... import mentors

    return mentors.locked(ctx.db, ctx.mentor["phone"])


def _language(content, mentor):
    chosen = mentor.get("language")
    return chosen if chosen in content.languages else content.default_language


def _load(db, phone):
    raw = db.get(session_key(phone))
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None


def _save(db, phone, session_id, history, reply, state, data, version):
    kept, skipped = bounded(history)
    if state == "locked":
        db.delete(session_key(phone))
        return
    db.set(session_key(phone), orjson.dumps({
        "id": session_id, "history": kept, "skipped": skipped, "screen": reply, "state": state,
        "data": data, "updated": time.time(), "version": version}), ex=KEEP_SECONDS)
