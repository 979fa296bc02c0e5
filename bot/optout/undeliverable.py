"""A number that stops taking SMS: after failed deliveries in a row, SMS to her pause.

Only final failures about her phone count: the network found her line inactive,
suspended, unknown or not its own, could not reach the handset (DeliveryFailure,
AbsentSubscriber, or Expired: held by the network until it gave up), or her
number is blacklisted. Failures about the programme's own account or product
(InsufficientCredit, InvalidLinkId, UserNotSubscribedToProduct) or a Failed
without a reason say nothing about her phone: they neither count nor clear the
count. A Success starts the count again.

At SMS_UNDELIVERABLE_AFTER in a row her SMS pause ("undeliverable": not her own
STOP, which only she can undo) and one follow-up asks a Mentor Mother to check
her number. The pause lasts until staff lift it, or she texts the bot again.
Only known contacts are paused; the count of other numbers is kept all the same.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from ..reminders.dispatch import reschedule
from ..reminders.timing import Rules
from ..sms.log import FINAL_FAILURES
from ..store import contacts, followups

PAUSED = "undeliverable"  # the value of her `sms_paused` field
REASON = "undeliverable"  # the follow-up's reason
HER_PHONE = {"userisinactive", "userinblacklist", "useraccountsuspended", "notnetworksubscriber",
             "userdoesnotexist", "deliveryfailure", "absentsubscriber"}
COUNT_DAYS = 180  # a run of failures this old is forgotten (weekly SMS: 5 take 5 weeks)


def count_key(phone):
    """Her failed deliveries in a row; one key per number, so "forget me" can delete it."""
    return f"sms:failing:{phone}"


def counts_against_her(status, reason):
    """True when a final status says her phone did not take the SMS."""
    if status not in FINAL_FAILURES:
        return False
    if reason:
        return reason.lower() in HER_PHONE
    return status == "Expired"  # the network kept it for days and never reached her handset


def delivered(pipe, phone):
    """Queue a fresh count: an SMS reached her phone."""
    pipe.delete(count_key(phone))


def note_failure(db, phone, status, reason, limit):
    """Count one final failed delivery to `phone`; return the follow-up id when it pauses her SMS."""
    if not counts_against_her(status, reason):
        return None
    # Reports for one number can arrive at the same moment in two web processes: WATCH
    # makes the count, the pause and the follow-up one step, so a run gets one follow-up.
    return db.transaction(lambda pipe: _count(pipe, phone, reason or status, limit),
                          count_key(phone), contacts.key(phone), value_from_callable=True)


def _count(pipe, phone, why, limit):
    count = int(pipe.get(count_key(phone)) or 0) + 1
    contact = pipe.hgetall(contacts.key(phone))
    pipe.multi()
    pipe.set(count_key(phone), count, ex=COUNT_DAYS * 86400)
    if count < limit or not contact or contact.get("sms_paused") or contact.get("opted_out") == "yes":
        return None
    pipe.hset(contacts.key(phone), mapping={"sms_paused": PAUSED,
                                            "sms_paused_at": str(int(time.time()))})
    return followups.add(pipe, phone, REASON, why, "sms")


def lift(db, phone):
    """Let SMS go to her again and start her count afresh; True when her SMS were paused."""
    pipe = db.pipeline(transaction=True)
    pipe.hget(contacts.key(phone), "sms_paused")
    pipe.hdel(contacts.key(phone), "sms_paused", "sms_paused_at")
    pipe.delete(count_key(phone))
    return bool(pipe.execute()[0])


def resume(db, content, config, phone):
    """Lift the pause and work out her reminders again; True when her SMS were paused."""
    if not lift(db, phone):
        return False
    now = datetime.now(ZoneInfo(config["BOT_TIMEZONE"]))
    reschedule(db, content, phone, now, Rules.from_config(config))
    return True


def is_paused(contact):
    """True when SMS to her are paused after failed deliveries."""
    return bool(contact.get("sms_paused"))
