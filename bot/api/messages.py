"""GET /api/messages/{message_id}?phone=...: what happened to one SMS, never what it said.

The phone number is masked: a clinic system asking about a message id already
knows whom it wrote to, and a leaked answer should not say who uses the programme.
A reminder's record is kept with her other SMS records (bot/sms/log.py), so it is found
with her number; a message with words of its own is found by its id alone.
"""

import re
from datetime import datetime

from flask import Blueprint, jsonify, request

from .. import store
from ..privacy import mask_phone
from ..sms import log
from . import fields
from .errors import ApiError

blueprint = Blueprint("messages", __name__)
MESSAGE_ID = re.compile(r"[A-Za-z0-9_.:-]{1,100}")


@blueprint.get("/messages/<message_id>")
def read(message_id):
    for name in request.args:
        if name != "phone":
            raise ApiError(422, f"{name} is not a query parameter here; use phone", name)
    # An unencoded + arrives as a space: 254712345678 is as good a way to write her number.
    phone = fields.phone(request.args["phone"].strip()) if "phone" in request.args else None
    record = log.find(store.redis(), message_id, phone) if MESSAGE_ID.fullmatch(message_id) \
        else {}
    if not record:
        hint = "" if phone else " (a reminder is found with ?phone=, the number it went to)"
        raise ApiError(404, f"no message has this id{hint}; messages are kept "
                            f"{log.keep_days()} days", "message_id")
    return jsonify({"id": message_id, "phone": mask_phone(record.get("phone")),
                    "kind": record.get("kind") or None, "status": record.get("status") or "Unknown",
                    "failure_reason": record.get("failure_reason") or None,
                    "cost": record.get("cost") or None, "sent_at": moment(record.get("sent_at")),
                    "updated_at": moment(record.get("updated_at"))})


def moment(seconds):
    """A stored Unix time as ISO 8601 in the programme's time zone; None when there is none."""
    try:
        return datetime.fromtimestamp(int(seconds), fields.now().tzinfo).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None
