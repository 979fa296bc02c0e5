"""Delivery reports: what happened to each SMS after AT accepted it.

A report for a message we sent updates its record; the daily totals count a
message once, when its first final status arrives. A report for an id we do
not know is kept for reconciliation. A status that is new to us is stored as
it came: refusing a well-formed report would only make AT send it for ever.
"""

from datetime import UTC, datetime

from ..privacy import mask_phone
from . import log

UNMATCHED = "sms:unmatched"  # reports for ids not in the log
FINAL = {"Success", "Failed", "Rejected", "Expired"}
FIELDS = ("id", "status", "phoneNumber", "networkCode", "failureReason", "retryCount")


def record(db, report):
    """Store one delivery report (AT's fields as a dict)."""
    message_id, status = report["id"], report["status"]
    key = log.message_key(message_id)
    pipe = db.pipeline(transaction=False)
    pipe.exists(key)
    pipe.hget(key, "final")
    pipe.hget(key, "sent_at")
    pipe.hget(key, "test")
    known, final, sent_at, test = pipe.execute()
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
    if status in FINAL and not final:
        pipe.hset(key, "final", status)
        _count(pipe, status, report, datetime.fromtimestamp(int(sent_at or now.timestamp()), UTC),
               test)
    pipe.execute()
    return True


def _count(pipe, status, report, day, test):
    """Count a message's first final status on the day it was sent; a test message in none."""
    if test:
        return
    if status == "Success":
        log.count(pipe, day, "delivered")
    else:
        log.count(pipe, day, f"undelivered:{report.get('failureReason') or status}")
