"""The message log: every SMS sent, per contact, and daily totals for staff.

`sms:msg:<id>` holds one message and its delivery status; `sms:log:<phone>`
lists her message ids, newest first; `sms:daily:<date>` counts what was sent,
delivered and failed (by reason) and the cost, in thousandths of a shilling.
The date is the programme's (BOT_TIMEZONE), the day staff read on the console.
"""

import re
from datetime import datetime, timedelta

from .. import programme_time

KEEP_DAYS = 400  # daily totals: a little over a year, for yearly reports
MESSAGE_DAYS = 35  # one message's record: long enough for late delivery reports and staff
# questions; at national scale every day kept costs gigabytes (see BENCHMARKS.md)
PER_CONTACT = 50  # messages listed in one contact's log
FINAL_FAILURES = {"Failed", "Rejected", "Expired"}


def message_key(message_id):
    return f"sms:msg:{message_id}"


def contact_key(phone):
    return f"sms:log:{phone}"


def day_key(day):
    """The day's counts; a moment counts on its day in programme time."""
    if isinstance(day, datetime) and day.tzinfo is not None:
        day = day.astimezone(programme_time.zone())
    return f"sms:daily:{day.strftime('%Y-%m-%d')}"


def count(pipe, when, field, amount=1):
    pipe.hincrby(day_key(when), field, amount)
    pipe.expire(day_key(when), KEEP_DAYS * 86400)


# Everything kept about one sent SMS, in one round of work inside Redis: at national scale
# the six separate commands this replaces cost more than the sending itself (BENCHMARKS.md).
# KEYS: message record, her log, her sent reminders. ARGV: message id, record TTL, log
# length - 1, sent-reminder key ("" for none), its value, its TTL, then the record's fields.
# Her log lasts as long as its newest record: a number the bot only answered once is not
# listed for ever. Ids whose records expired leave its end, two at a time (each SMS adds
# one): a year of weekly SMS would otherwise keep 50 ids that lead nowhere.
_RECORD = """
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[2])
local records = string.sub(KEYS[1], 1, #KEYS[1] - #ARGV[1])
for _ = 1, 2 do
  local oldest = redis.call('LINDEX', KEYS[2], -1)
  if redis.call('EXISTS', records .. oldest) == 1 then break end
  redis.call('RPOP', KEYS[2])
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
"""


def record_sent(pipe, message_id, item, delivery, now, totals, done_key, done_days, test=False,
                marked=None):
    """Queue the record of one message as the gateway answered it; add to `totals`.

    `pipe` is a `quick.Batch` (the record is one Lua script run in Redis). `done_key` is
    the hash of her sent reminders: the item's key is marked there unless the failure may
    pass (then it must be tried again), dated `marked` (`now` by default). A `test`
    message is marked so, and its delivery report counts in no daily total.
    """
    status = "Sent" if delivery.sent else delivery.status
    record = {"phone": item.phone, "kind": item.kind, "status": status, "cost": delivery.cost,
              "sent_at": str(int(now)), **({"test": "yes"} if test else {})}
    # A reminder's words follow from its id (and cost memory at national scale); a reply's
    # or a staff message's do not, so only those keep their text.
    by_ref = item.key and not item.key.startswith("queued:")  # outbound.QUEUED
    record.update({"ref": item.key} if by_ref else {"text": item.text})
    mark = item.key if item.key and (delivery.sent or not delivery.retryable) else ""
    fields = [part for pair in record.items() for part in pair]
    pipe.script(_RECORD, [message_key(message_id), contact_key(item.phone), done_key],
                [message_id, MESSAGE_DAYS * 86400, PER_CONTACT - 1, mark,
                 str(int(now if marked is None else marked)),
                 done_days * 86400, *fields])
    if delivery.sent:
        totals["sent"] += 1
        totals["cost_milli"] += cost_milli(delivery.cost)
    elif not delivery.retryable:
        totals[f"failed:{delivery.status}"] += 1


def count_all(pipe, when, totals):
    """Queue the day's counts for a whole batch at once."""
    for name, amount in totals.items():
        if amount:
            pipe.hincrby(day_key(when), name, amount)
    pipe.expire(day_key(when), KEEP_DAYS * 86400)


def cost_milli(cost):
    """'KES 0.8000' -> 800 (thousandths of a shilling); anything else -> 0."""
    found = re.search(r"(\d+(?:\.\d+)?)", cost or "")
    return round(float(found.group(1)) * 1000) if found else 0


def messages(db, phone, limit=50):
    """Return her latest messages, newest first."""
    ids = db.lrange(contact_key(phone), 0, limit - 1)
    pipe = db.pipeline(transaction=False)
    for message_id in ids:
        pipe.hgetall(message_key(message_id))
    return [{"id": message_id, **m} for message_id, m in zip(ids, pipe.execute(), strict=True)
            if m]


def totals(db, days, today=None):
    """Return [(date, counts)] for the last `days` days, oldest first."""
    today = today or programme_time.now().date()
    dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    pipe = db.pipeline(transaction=False)
    for day in dates:
        pipe.hgetall(day_key(day))
    return list(zip(dates, pipe.execute(), strict=True))
