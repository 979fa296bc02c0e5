"""Delivery reports: what happened to each SMS after AT accepted it.

A report for a message we sent updates its record; the daily totals count a
message once, when its first final status arrives. A report for an id we do
not know is kept for reconciliation, with a note of when a report last came
for her number: its request's answer may have been lost, and the report says
AT took it (requests_log). A status that is new to us is stored as it came:
refusing a well-formed report would only make AT send it for ever.

A message's first final status also tells about her number: UserInBlackList
stops all SMS to her (as STOP does), and failures about her phone are counted
until her SMS pause (`optout.undeliverable`).
"""

import logging
from datetime import UTC, datetime

from .. import optout, phones, reports
from ..optout import undeliverable
from ..privacy import mask_phone
from . import log, outbound, requests_log

logger = logging.getLogger(__name__)

UNMATCHED = "sms:unmatched"  # reports for ids not in the log
FINAL = {"Success", "Failed", "Rejected", "Expired"}
KNOWN = FINAL | {"Sent", "Submitted", "Buffered"}  # AT's documented statuses
UNKNOWN = "unknown:status"  # the day's count of reports with a status AT does not document
FIELDS = ("id", "status", "phoneNumber", "networkCode", "failureReason", "retryCount")
BLACKLISTED = "userinblacklist"  # AT writes UserInBlackList, and UserInBlacklist at send time


def record(db, report, undeliverable_after=5):
    """Store one delivery report (AT's fields as a dict); True when it is about a message sent."""
    message_id, status = report["id"], report["status"]
    # AT writes +2547...; a report written 2547... still finds her records.
    number = phones.normalise(report.get("phoneNumber")) or str(report.get("phoneNumber") or "")
    key = log.message_key(message_id)
    pipe = db.pipeline(transaction=False)
    pipe.hgetall(key)
    pipe.hgetall(outbound.done_key(number))  # a reminder's record is kept in her hash
    own, marks = pipe.execute()
    field = None if own else log.in_her_hash(marks, message_id)
    found = own or (log.unpack(*field, number) if field else {})
    final, sent_at, phone, test = (found.get(k) for k in ("final", "sent_at", "phone", "test"))
    pipe = db.pipeline(transaction=True)
    now = datetime.now(UTC)
    requests_log.report_arrived(pipe, number, not found and bool(marks), now.timestamp())
    if not found:
        kept = {k: str(report.get(k) or "")[:200] for k in FIELDS}
        kept["phoneNumber"] = mask_phone(kept["phoneNumber"])  # may belong to someone forgotten
        pipe.xadd(UNMATCHED, kept, maxlen=100_000, approximate=True)
        pipe.execute()
        return False
    changes = {"status": status, "updated_at": str(int(now.timestamp())),
               "failure_reason": str(report.get("failureReason") or "")[:60],
               "retry_count": str(report.get("retryCount") or "")[:10]}
    if status in FINAL and not final:
        changes["final"] = status
    if own:
        pipe.hset(key, mapping=changes)
    else:  # a reminder's record, unless she was forgotten since it was read
        updated = {k: v for k, v in {**found, **changes}.items() if k != "phone"}
        pipe.eval(_REWRITE, 1, outbound.done_key(number), field[0], log.repack(field[0], updated))
    count_unknown(pipe, status, sent_at or now.timestamp())
    if status in FINAL and not final:
        _count(pipe, status, report, datetime.fromtimestamp(int(sent_at or now.timestamp()), UTC),
               test)
        if not test:
            reports.count(pipe, "sms_delivered" if status == "Success" else "sms_failed", number,
                          detail="" if status == "Success" else
                          str(report.get("failureReason") or status), when=int(sent_at or 0) or None)
        if status == "Success" and phone:
            undeliverable.delivered(pipe, phone)
    pipe.execute()
    if status in FINAL and status != "Success" and not final and phone:  # the number sent to
        not_delivered(db, phone, status, str(report.get("failureReason") or ""),
                      undeliverable_after)
    return True


# Replace a field of her hash only while it is there: a mother forgotten since the record was
# read keeps no trace (HSET alone would make her hash again).
_REWRITE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
"""


def not_delivered(db, phone, status, reason, undeliverable_after):
    """Stop her SMS when AT says she is blacklisted; count failures that are about her phone."""
    if reason.lower() == BLACKLISTED and optout.stop(db, phone, "blacklist"):
        logger.info("SMS to %s stopped: AT reports the number blacklisted", mask_phone(phone))
    followup_id = undeliverable.note_failure(db, phone, status, reason, undeliverable_after)
    if followup_id:
        logger.info("SMS to %s paused after %s failed deliveries in a row; follow-up %s",
                    mask_phone(phone), undeliverable_after, followup_id)


def _count(pipe, status, report, day, test):
    """Count a message's first final status on the day it was sent; a test message in none."""
    if test:
        return
    if status == "Success":
        log.count(pipe, day, "delivered")
    else:
        log.count(pipe, day, f"undelivered:{report.get('failureReason') or status}")


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
