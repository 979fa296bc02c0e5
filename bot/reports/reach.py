"""Mothers reached through eServices: each counted once a month, new or returning.

Her contact keeps the month she was last counted (`reached`: "2026-12"); the first time she
dials or is sent an SMS in a month she is counted, as new if she never was before. One
script, so two things reaching her at once count her once.
"""

from .. import test_numbers
from ..store import contacts
from . import counters

MONTH_FIELD = "reached"

# KEYS: her contact. ARGV: this month, the field for a new mother, for a returning one, the
# expiry of a contact made here, or '' to count only a number the bot knows (an SMS to a number
# it keeps nothing about makes no record of her), then the day's and month's key prefixes and
# expiries. A caller not yet known is counted on her first dial, and her contact lasts as an
# unenrolled caller's does.
_REACH = counters.COUNT_HER + """
local before = redis.call('HGET', KEYS[1], 'reached')
if before == ARGV[1] then return 0 end
local known = redis.call('EXISTS', KEYS[1]) == 1
if not known and ARGV[4] == '' then return 0 end
redis.call('HSET', KEYS[1], 'reached', ARGV[1])
if not known then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
count_her(KEYS[1], ARGV[5], ARGV[6], before and ARGV[3] or ARGV[2], 1, ARGV[7], ARGV[8])
return 1
"""


def due(contact, when=None):
    """True when she is not yet counted this month (so `reached` need not run at all)."""
    return contact.get(MONTH_FIELD) != counters.programme_day(when).strftime("%Y-%m")


def reached(pipe, phone, contact, unenrolled_keep_days, when=None):
    """Queue counting her as reached this month (once a month; never a test number).
    `unenrolled_keep_days`: how long a contact made for a caller not yet known lasts; None
    counts only a number already known (an SMS)."""
    if test_numbers.is_test(phone) or not due(contact, when):
        return
    day = counters.programme_day(when)
    keep = "" if unenrolled_keep_days is None else max(int(float(unenrolled_keep_days) * 86400), 60)
    pipe.script(_REACH, [contacts.key(phone)],
                [day.strftime("%Y-%m"), "reached_new", "reached_returning", keep,
                 counters.day_key(day, ""), counters.month_key(day, ""),
                 counters.DAY_KEEP_DAYS * 86400, counters.MONTH_KEEP_DAYS * 86400])
