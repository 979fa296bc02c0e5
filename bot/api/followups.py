"""GET /api/followups: the open follow-ups, urgent first then oldest, for a clinic's own call list;
POST /api/followups/{id}/close: mark one done once the clinic has called her.

Her own words (a texted question) are not given out here: they are for the
Mentor Mother who calls her, in the console or `flask followups list`. How many
texts she sent, and when the latest came, are.
"""

import logging
import re

from flask import Blueprint, current_app, g, jsonify, request

from .. import store
from ..privacy import mask_phone
from ..store import followups
from . import fields
from .errors import ApiError
from .messages import moment

log = logging.getLogger(__name__)
blueprint = Blueprint("followups", __name__)
FOLLOWUP_ID = re.compile(r"[0-9a-f]{12}")  # as followups.add makes them
CLOSE = {"note": fields.text_up_to(500, "")}
REASONS = tuple(followups.REASONS)
LIMIT, MAX_LIMIT = 50, 500
CHUNK = 200  # follow-ups read from Redis at a time while filtering


@blueprint.get("/followups")
def list_open():
    reason, priority, limit = _query()
    low, high = followups.scores(priority)
    db = store.redis()
    found, start, more = [], 0, False
    while not more:
        ids = db.zrangebyscore(followups.OPEN, low, high, start, CHUNK)
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


@blueprint.post("/followups/<followup_id>/close")
def close(followup_id):
    sent = fields.body(CLOSE)
    db = store.redis()
    known = FOLLOWUP_ID.fullmatch(followup_id)
    record = known and followups.close(db, followup_id, sent.get("note", ""),
                                       by=f"api:{g.api_client}",
                                       keep_days=current_app.config["FOLLOWUP_KEEP_DAYS"])
    if not record:
        if known and followups.find(db, followup_id):
            raise ApiError(409, "this follow-up is already closed", "followup_id")
        raise ApiError(404, "no follow-up has this id; GET /api/followups lists the open ones",
                       "followup_id")
    log.info("API %s: follow-up %s for %s closed", g.api_client, followup_id,
             mask_phone(record.get("phone")))
    return jsonify({**_view(record), "status": "done", "note": record["note"] or None,
                    "closed_at": moment(record["closed_at"]), "closed_by": record["closed_by"]})


def _query():
    for name in request.args:
        if name not in ("reason", "priority", "limit"):
            raise ApiError(422, f"{name} is not a query parameter here; use reason, priority or "
                           "limit", name)
    reason = request.args.get("reason")
    if reason is not None and reason not in REASONS:
        raise ApiError(422, f"reason must be one of: {', '.join(REASONS)}", "reason")
    priority = request.args.get("priority")
    if priority is not None and priority not in followups.PRIORITIES:
        raise ApiError(422, f"priority must be one of: {', '.join(followups.PRIORITIES)}",
                       "priority")
    raw = request.args.get("limit", str(LIMIT))
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, f"limit must be a whole number from 1 to {MAX_LIMIT}", "limit")
    return reason, priority, int(raw)


def _view(record):
    return {"id": record.get("id"), "phone": record.get("phone"), "reason": record.get("reason"),
            "topic": record.get("topic") or None, "channel": record.get("channel") or None,
            "priority": followups.priority(record),
            "created_at": moment(record.get("created_at")), "texts": followups.text_count(record),
            "last_text_at": moment(_last_text_at(record)),
            "assigned_to": record.get("assigned_to") or None,
            "due_at": moment(followups.due_at(record)), "overdue": followups.overdue(record)}


def _last_text_at(record):
    said = followups.messages(record)
    return record.get("last_text_at") or (said[-1]["at"] if said else None)
