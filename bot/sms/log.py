"""The message log: every SMS sent, per contact, and daily totals for staff.

A reminder's record (most of what is sent) lives in her sent-marks hash
(`sms:done:<phone>`): in the reminder's own sent mark (`stage:baby:12 =
<time>|~<AT's id, short>|Sent|k0.8|s`), or, for a send AT refused for now (no mark: it
will be tried again), in a field `#<message id>`. Its details are packed in one short
value, so Redis keeps the hash in its compact encoding: a record of its own (a key, and
her log listing its id) cost about three times as much, and a record beside its mark
half as much again; at national scale that is gigabytes (BENCHMARKS.md). A delivery
report finds it by the number AT sends with it. After MESSAGE_KEEP_DAYS the details go
and the plain mark stays until outbound.DONE_DAYS.
A message with words of its own (a reply, a staff message) keeps them in
`sms:msg:<id>`, listed newest first in `sms:log:<phone>`. `sms:daily:<date>` counts
what was sent, delivered and failed (by reason) and the cost, in thousandths of a
shilling. The date is the programme's (BOT_TIMEZONE), the day staff read on the console.
"""

import base64
import re
from datetime import datetime, timedelta

from flask import current_app, has_app_context

from .. import programme_time

KEEP_DAYS = 400  # daily totals: a little over a year, for yearly reports
MESSAGE_DAYS = 28  # one message's record (MESSAGE_KEEP_DAYS): long enough for late delivery
# reports and staff questions; at national scale every day kept costs gigabytes (BENCHMARKS.md)
PER_CONTACT = 50  # messages listed in one contact's log
FINAL_FAILURES = {"Failed", "Rejected", "Expired"}


IN_HER_HASH = True  # reminders' records in her hash; bench/memory_year.py measures the old way
RECORD = "#"  # a reminder's record with no mark of its own: `#<message id>`; no mark begins so
DETAILS = "|"  # a mark whose value holds this carries its reminder's record
# The packed record's parts, in order; empty ones at the end are left off. In a mark the
# reminder's id is the field, in `#<id>` the message id is: each leaves that part empty.
PACKED = ("sent_at", "id", "status", "cost", "kind", "ref", "updated_at", "failure_reason",
          "retry_count", "final", "test", "by")
# Reminders' kinds, shortened in the packed record (a value over 64 bytes would make Redis
# keep her whole hash in its large encoding); a kind not listed is kept as it is.
KIND_CODES = {"visit_day_before": "vb", "visit_morning": "vm", "visit_suggested": "vs",
              "visit_missed": "vx", "stage": "s", "stage_day": "sd", "hiv": "h", "urgent": "u",
              "alert": "a", "enrolment": "e"}
_KINDS = {code: kind for kind, code in KIND_CODES.items()}


def keep_days():
    """Days a message's record is kept: MESSAGE_KEEP_DAYS of the running app, else the default
    (benchmarks and the SDK tests send outside an app)."""
    if has_app_context():
        return int(current_app.config.get("MESSAGE_KEEP_DAYS", MESSAGE_DAYS))
    return MESSAGE_DAYS


def message_key(message_id):
    return f"sms:msg:{message_id}"


def done_key(phone):
    """Her sent keys and when, and her reminders' records: one hash per contact, so "forget me"
    can delete it."""
    return f"sms:done:{phone}"


def record_field(message_id):
    return f"{RECORD}{message_id}"


def entry(message_id, record, mark):
    """The field and value that keep a reminder's record in her hash: its mark when it has
    one, else `#<message id>`."""
    if mark:
        return mark, pack({**record, "id": message_id, "ref": ""})
    return record_field(message_id), pack({**record, "id": "", "ref": record.get("ref", "")})


def is_record(field, value):
    return field.startswith(RECORD) or DETAILS in value


def repack(field, record):
    """The value for `field` after the record changed (a delivery report)."""
    if field.startswith(RECORD):
        return pack({**record, "id": ""})
    return pack({**record, "id": record.get("id", ""), "ref": ""})


# A month of records is in every mother's hash, so AT's message ids and costs are kept short.
# Its ids are "ATXid_" and 32 hex digits: kept as "~" and those 16 bytes in URL-safe base64
# (22 characters); an id of another shape after "ATXid_" as "^" and the rest. Shillings: "k0.8".
AT_ID, HEX_ID, SHORT_ID = "ATXid_", "~", "^"
SHILLINGS, SHORT_SHILLINGS = "KES ", "k"
_HEX32 = re.compile(r"[0-9a-f]{32}")


def short_id(message_id):
    """A message id as her hash keeps it."""
    if not message_id.startswith(AT_ID):
        return message_id
    rest = message_id[len(AT_ID):]
    if _HEX32.fullmatch(rest):
        return HEX_ID + base64.urlsafe_b64encode(bytes.fromhex(rest)).decode().rstrip("=")
    return SHORT_ID + rest


def long_id(kept):
    """The message id AT gave, from the way her hash keeps it."""
    if kept.startswith(SHORT_ID):
        return AT_ID + kept[len(SHORT_ID):]
    if kept.startswith(HEX_ID) and len(kept) == 23:
        try:
            return AT_ID + base64.urlsafe_b64decode(kept[1:] + "==").hex()
        except ValueError:
            return kept
    return kept


def pack(record):
    """A reminder's record as one short value: `1796175064|~nB8x…|Sent|k0.8|s`.

    Times are seconds, `updated_at` counted from `sent_at`; the cost loses its padding zeros;
    AT's id and the shillings are shortened (`short_id`, SHORT_SHILLINGS).
    """
    record = dict(record)
    if record.get("id"):
        record["id"] = short_id(record["id"])
    if record.get("kind"):
        record["kind"] = KIND_CODES.get(record["kind"], record["kind"])
    if record.get("cost"):
        cost = re.sub(r"(\.\d*?)0+$", r"\1", record["cost"]).removesuffix(".")
        record["cost"] = SHORT_SHILLINGS + cost[len(SHILLINGS):] if cost.startswith(SHILLINGS) else cost
    if record.get("updated_at") and record.get("sent_at"):
        record["updated_at"] = str(int(record["updated_at"]) - int(record["sent_at"]))
    if record.get("final"):
        record["final"] = "1"  # only whether a final status came matters: `status` says which
    parts = [str(record.get(name) or "").replace("|", "/") for name in PACKED]
    while parts and not parts[-1]:
        parts.pop()
    return "|".join(parts)


def unpack(field, value, phone):
    """The record kept in `field` of her hash, with her number, its id and its reminder, as a
    record of its own reads."""
    record = {name: part for name, part in zip(PACKED, value.split("|"), strict=False) if part}
    if field.startswith(RECORD):
        record["id"] = field[len(RECORD):]
    else:
        record["ref"] = field
    if "kind" in record:
        record["kind"] = _KINDS.get(record["kind"], record["kind"])
    if record.get("id"):
        record["id"] = long_id(record["id"])
    if record.get("cost", "").startswith(SHORT_SHILLINGS):
        record["cost"] = SHILLINGS + record["cost"][len(SHORT_SHILLINGS):]
    if "updated_at" in record and "sent_at" in record:
        record["updated_at"] = str(int(record["sent_at"]) + int(record["updated_at"]))
    return {"id": record.pop("id", ""), "phone": phone, **record}


def in_her_hash(marks, message_id):
    """(field, value) of the message's record in her hash (`marks`, as read), or None."""
    value = marks.get(record_field(message_id))
    if value is not None:
        return record_field(message_id), value
    kept = short_id(message_id)
    for field, value in marks.items():
        if DETAILS in value and value.split(DETAILS, 2)[1] in (kept, message_id):
            return field, value
    return None


def find(db, message_id, phone=None):
    """One message's record (a dict, empty when none is kept): its own, or, given her number,
    a reminder's in her hash."""
    record = db.hgetall(message_key(message_id))
    if record:
        return {"id": message_id, **record}
    if phone:
        found = in_her_hash(db.hgetall(done_key(phone)), message_id)
        if found:
            return unpack(*found, phone)
    return {}


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
# A reminder's record (ARGV[7] is '#', ARGV[8] and [9] the field and packed record) goes in
# her sent reminders' hash, in its mark (then ARGV[4] is ''). Otherwise:
# KEYS: message record, her log, her sent reminders. ARGV: message id, record TTL, log
# length - 1, sent-reminder key ("" for none), its value, its TTL, then the record's fields.
# Her log lasts as long as its newest record: a number the bot only answered once is not
# listed for ever. Ids whose records expired leave its end, two at a time (each SMS adds
# one): a year of weekly SMS would otherwise keep 50 ids that lead nowhere.
_RECORD = """
if ARGV[7] == '#' then
  redis.call('HSET', KEYS[3], ARGV[8], ARGV[9])
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], ARGV[5]) end
  redis.call('EXPIRE', KEYS[3], ARGV[6])
  return
end
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
    if getattr(item, "by", ""):
        record["by"] = item.by  # who in the programme wrote it
    mark = item.key if item.key and (delivery.sent or not delivery.retryable) else ""
    dated = str(int(now if marked is None else marked))
    if by_ref and IN_HER_HASH:  # a reminder: kept in her sent-marks hash (module docstring),
        record["sent_at"] = dated  # dated as her mark is, so both are pruned on the same clock
        fields = [RECORD, *entry(message_id, record, mark)]
        mark = ""  # the record is the mark, or there is none
    else:
        fields = [part for pair in record.items() for part in pair]
    pipe.script(_RECORD, [message_key(message_id), contact_key(item.phone), done_key],
                [message_id, keep_days() * 86400, PER_CONTACT - 1, mark, dated,
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
    """Return her latest messages, newest first: those with words of their own and reminders."""
    ids = db.lrange(contact_key(phone), 0, limit - 1)
    pipe = db.pipeline(transaction=False)
    pipe.hgetall(done_key(phone))
    for message_id in ids:
        pipe.hgetall(message_key(message_id))
    marks, *records = pipe.execute()
    found = [{"id": message_id, **m} for message_id, m in zip(ids, records, strict=True) if m]
    found += reversed([unpack(field, value, phone) for field, value in marks.items()
                       if is_record(field, value)])  # newest first where seconds are equal
    found.sort(key=lambda m: int(m.get("sent_at") or 0), reverse=True)
    return found[:limit]


def prune(marks, now):
    """Reminders' records in her hash (`marks`, as read) sent more than MESSAGE_KEEP_DAYS
    before `now` (seconds): (`#` fields to delete, {mark: its plain value without the record})."""
    oldest, gone, plain = now - keep_days() * 86400, [], {}
    for field, value in marks.items():
        if is_record(field, value):
            sent_at = _digits(value.split(DETAILS, 1)[0])
            if int(sent_at) < oldest:
                if field.startswith(RECORD):
                    gone.append(field)
                else:
                    plain[field] = sent_at
    return gone, plain


def _digits(text):
    """A stored time, or 0 (so the record goes) when it is not one."""
    return text if text.isdigit() else "0"


def totals(db, days, today=None):
    """Return [(date, counts)] for the last `days` days, oldest first."""
    today = today or programme_time.now().date()
    dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    pipe = db.pipeline(transaction=False)
    for day in dates:
        pipe.hgetall(day_key(day))
    return list(zip(dates, pipe.execute(), strict=True))
