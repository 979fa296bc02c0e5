"""GET /api/followups: the open follow-ups, oldest first, for a clinic's own call list.

Her own words (a texted question) are not given out here: they are for the
Mentor Mother who calls her, in `flask followups list`.
"""

import re

from flask import Blueprint, jsonify, request

from .. import store
from ..store import followups
from .errors import ApiError
from .messages import moment

blueprint = Blueprint("followups", __name__)
REASONS = ("callback", "missed_visit", "sms_question")
LIMIT, MAX_LIMIT = 50, 500
CHUNK = 200  # follow-ups read from Redis at a time while filtering


@blueprint.get("/followups")
def list_open():
    reason, limit = _query()
    db = store.redis()
    found, start, more = [], 0, False
    while not more:
        ids = db.zrange(followups.OPEN, start, start + CHUNK - 1)
        pipe = db.pipeline(transaction=False)
        for followup_id in ids:
            pipe.hgetall(followups.key(followup_id))
        for record in pipe.execute():
            if record.get("id") and (reason is None or record.get("reason") == reason):
                more = len(found) >= limit
                if more:
                    break
                found.append(_view(record))
        if len(ids) < CHUNK:
            break
        start += CHUNK
    return jsonify(followups=found, more=more)


def _query():
    for name in request.args:
        if name not in ("reason", "limit"):
            raise ApiError(422, f"{name} is not a query parameter here; use reason or limit", name)
    reason = request.args.get("reason")
    if reason is not None and reason not in REASONS:
        raise ApiError(422, f"reason must be one of: {', '.join(REASONS)}", "reason")
    raw = request.args.get("limit", str(LIMIT))
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, f"limit must be a whole number from 1 to {MAX_LIMIT}", "limit")
    return reason, int(raw)


def _view(record):
    return {"id": record.get("id"), "phone": record.get("phone"), "reason": record.get("reason"),
            "topic": record.get("topic") or None, "channel": record.get("channel") or None,
            "created_at": moment(record.get("created_at"))}
