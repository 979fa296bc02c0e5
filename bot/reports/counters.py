"""Counting the indicators as events happen: daily and monthly counts, no phone numbers.

Each count goes to six small hashes: the day's and the month's of her facility
(`report:day:<YYYY-MM-DD>:f:<code>`, `report:month:<YYYY-MM>:f:<code>`), of her language
(`...:l:<en|sw>`) and of the whole programme (`...:all`). A field is `<indicator>` or
`<indicator>:<detail>`; "-" stands for a facility or language not known. Hashes this small
take Redis's compact encoding (BENCHMARKS.md). `report:facilities` and `report:languages`
list the codes ever counted, so a report knows which hashes to read. The day is the
programme's (BOT_TIMEZONE). Whole months are read from the monthly hashes, so a year in total
is a dozen reads however many mothers there are, and a dozen a facility by facility or
county. A test number (bot/test_numbers.py) counts in nothing.
"""

from collections import Counter, defaultdict
from datetime import date, datetime

from .. import programme_time, test_numbers
from ..store import contacts
from .indicators import COUNTED

# A day's counts: a quarter, so any range within the last three months can be asked by day;
# further back, ranges are counted by whole months. Months: five years, for trends.
DAY_KEEP_DAYS = 92
MONTH_KEEP_DAYS = 5 * 366
UNKNOWN = "-"
FACILITIES, LANGUAGES = "report:facilities", "report:languages"
ALL_SCOPE = "all"  # the whole programme's counts
# Mothers active: each day's mothers reached, as HyperLogLog sketches (bot/reports/figures.py
# counts the distinct mothers of 30 days from them; a sketch cannot give a number back).
ACTIVE_DAYS, ACTIVE_KEEP_DAYS = 30, 31
_DETAIL_LENGTH = 60


def day_key(day, scope):
    """The day's counts of one facility (`f:<code>`) or one language (`l:<code>`)."""
    return f"report:day:{day.isoformat()}:{scope}"


def month_key(day, scope):
    return f"report:month:{day.strftime('%Y-%m')}:{scope}"


def active_key(day, scope):
    """The day's sketch of the mothers reached, of one facility, one language, or ALL_SCOPE."""
    return f"report:active:{day.isoformat()}:{scope}"


def facility_scope(code):
    return f"f:{_clean(code) or UNKNOWN}"


def language_scope(code):
    return f"l:{_clean(code) or UNKNOWN}"


def name(indicator, detail=""):
    """The field one count is kept in."""
    return f"{indicator}:{_clean(detail)}" if detail else indicator


def parse(field):
    """(indicator, detail) of a field, or None for one not ours."""
    indicator, _, detail = field.partition(":")
    return (indicator, detail) if indicator in COUNTED else None


def _clean(text):
    return str(text or "").replace(":", "/")[:_DETAIL_LENGTH]


def programme_day(when=None):
    """The programme's date of `when` (a datetime, a date, a Unix time, or None for now)."""
    if when is None:
        return programme_time.now().date()
    if isinstance(when, datetime):
        return when.astimezone(programme_time.zone()).date() if when.tzinfo else when.date()
    if isinstance(when, date):
        return when
    return programme_time.at(when).date()


def _keys(day, facility, language):
    return [key(day, scope) for scope in (facility_scope(facility), language_scope(language),
                                          ALL_SCOPE) for key in (day_key, month_key)]


class Tally:
    """Counts gathered over a piece of work (a batch of SMS), written at once."""

    def __init__(self):
        self.counts = Counter()
        self.active = defaultdict(set)  # scope -> the numbers reached

    def reached(self, phone, contact=None):
        """Note the mother at `phone` as reached today (mothers active); not a test number."""
        if not test_numbers.is_test(phone):
            contact = contact or {}
            for scope in (facility_scope(contact.get("facility")),
                          language_scope(contact.get("language")), ALL_SCOPE):
                self.active[scope].add(phone)
        return self

    def add(self, indicator, phone, contact=None, detail="", amount=1):
        """Count `indicator` for the mother at `phone` (`contact`: her fields as read, for her
        facility and language). Nothing is counted for a test number."""
        if indicator not in COUNTED:
            raise ValueError(f"{indicator!r} is not an indicator (bot/reports/indicators.py)")
        if amount and not test_numbers.is_test(phone):
            contact = contact or {}
            self.counts[(name(indicator, detail), contact.get("facility") or "",
                         contact.get("language") or "")] += amount
        return self

    def write(self, pipe, when=None):
        """Queue the counts on a pipeline (or quick.Batch), on the programme's day of `when`."""
        day, touched = programme_day(when), set()
        for scope, phones in self.active.items():
            pipe.pfadd(active_key(day, scope), *sorted(phones))
            pipe.expire(active_key(day, scope), ACTIVE_KEEP_DAYS * 86400)
        self.active.clear()
        for (field, facility, language), amount in self.counts.items():
            keys = _keys(day, facility, language)
            for key in keys:
                pipe.hincrby(key, field, amount)
            touched.update(keys)
        for key in touched:
            pipe.expire(key, (DAY_KEEP_DAYS if key.startswith("report:day:") else
                              MONTH_KEEP_DAYS) * 86400)
        if touched:
            pipe.sadd(FACILITIES, *{k.rsplit(":f:", 1)[1] for k in touched if ":f:" in k})
            pipe.sadd(LANGUAGES, *{k.rsplit(":l:", 1)[1] for k in touched if ":l:" in k})
        self.counts.clear()


# One count for one mother, her facility and language read inside Redis as the count is made:
# it needs no read beforehand, and sees a facility set earlier in the same pipeline. A script
# that counts an event it decides on (a stop) includes this function and calls it.
COUNT_HER = """
local function count_her(contact, day, month, field, amount, day_ttl, month_ttl)
  local her = redis.call('HMGET', contact, 'facility', 'language')
  local scopes = {}
  for i = 1, 2 do
    local code = her[i]
    if not code or code == '' then code = '-' end
    code = string.sub(string.gsub(code, ':', '/'), 1, 60)
    redis.call('SADD', i == 1 and 'report:facilities' or 'report:languages', code)
    scopes[i] = (i == 1 and 'f:' or 'l:') .. code
  end
  scopes[3] = 'all'
  for _, scope in ipairs(scopes) do
    redis.call('HINCRBY', day .. scope, field, amount)
    redis.call('HINCRBY', month .. scope, field, amount)
    redis.call('EXPIRE', day .. scope, day_ttl)
    redis.call('EXPIRE', month .. scope, month_ttl)
  end
end
"""
# KEYS: her contact. ARGV: the day's and month's key prefixes, the field, the amount, the day's
# and the month's expiry.
_COUNT = COUNT_HER + "count_her(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])"


def her_count(indicator, phone, detail="", amount=1, when=None):
    """(keys, args) for COUNT_HER's count_her: her contact, then the day's and month's key
    prefixes, the field, the amount and the expiries; None when nothing is to be counted (a
    test number)."""
    if indicator not in COUNTED:
        raise ValueError(f"{indicator!r} is not an indicator (bot/reports/indicators.py)")
    if not amount or test_numbers.is_test(phone):
        return None
    day = programme_day(when)
    return ([contacts.key(phone)], [day_key(day, ""), month_key(day, ""), name(indicator, detail),
                                    amount, DAY_KEEP_DAYS * 86400, MONTH_KEEP_DAYS * 86400])


def count(pipe, indicator, phone, detail="", amount=1, when=None):
    """Queue one count for the mother at `phone`, by her facility and language as they stand in
    Redis when it runs (on a quick.Batch or a redis-py pipeline). Never for a test number."""
    found = her_count(indicator, phone, detail, amount, when)
    if found is None:
        return
    keys, args = found
    if hasattr(pipe, "script"):
        pipe.script(_COUNT, keys, args)
    else:
        pipe.eval(_COUNT, len(keys), *keys, *args)
