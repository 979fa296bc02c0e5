"""Delivery reports: what happened to each SMS after AT accepted it.

A report for a message we sent updates its record; the daily totals count a
message once, when its first final status arrives. A report for an id we do
not know is kept for reconciliation. A status that is new to us is stored as
it came: refusing a well-formed report would only make AT send it for ever.
"""

import logging
from datetime import UTC, datetime

from ..privacy import mask_phone
from . import log

logger = logging.getLogger(__name__)
UNMATCHED = "sms:unmatched"  # reports for ids not in the log
FINAL = {"Success", "Failed", "Rejected", "Expired"}
KNOWN = FINAL | {"Sent", "Submitted", "Buffered"}  # AT's documented statuses
UNKNOWN = "unknown:status"  # the day's count of reports with a status AT does not document
FIELDS = ("id", "status", "phoneNumber", "networkCode", "failureReason", "retryCount")


def record(db, report):
    """Store one delivery report (AT's fields as a dict)."""
    message_id, status = report["id"], report["status"]
    key = log.message_key(message_id)
    pipe = db.pipeline(transaction=False)
    pipe.exists(key)
    pipe.hget(key, "final")
    pipe.hget(key, "sent_at")
    known, final, sent_at = pipe.execute()
    pipe = db.pipeline(transaction=True)
    if not known:
        kept = {k: str(report.get(k) or "")[:200] for k in FIELDS}
        kept["phoneNumber"] = mask_phone(kept["phoneNumber"])  # may belong to someone forgotten
        pipe.xadd(UNMATCHED, kept, maxlen=100_000, approximate=True)
        pipe.execute()
        return False
    now = datetime.now(UTC)
    pipe.hset(key, mapping={"status": status, "updated_at": str(int(now.timestamp())),
                            "failure_reason": str(report.get("failureReason") or "")[:60],
                            "retry_count": str(report.get("retryCount") or "")[:10]})
    count_unknown(pipe, status, sent_at or now.timestamp())
    if status in FINAL and not final:
        pipe.hset(key, "final", status)
        day = datetime.fromtimestamp(int(sent_at or now.timestamp()), UTC)
        if status == "Success":
            log.count(pipe, day, "delivered")
        else:
            log.count(pipe, day, f"undelivered:{report.get('failureReason') or status}")
    pipe.execute()
    return True


def count_unknown(pipe, status, sent_at):
    """Count a report whose status AT does not document, on its SMS's day, and log the word.

    The status is kept on the message as it came; counting it lets staff see on the
    Messages page that AT's reports need a look, instead of it passing for neither
    delivered nor failed.
    """
    if status in KNOWN:
        return
    log.count(pipe, datetime.fromtimestamp(int(float(sent_at)), UTC), UNKNOWN)
    # %r and a length limit: the word comes from outside and must not forge a log line.
    logger.warning("Delivery report with a status AT does not document: %r", status[:40])
