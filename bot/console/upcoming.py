"""Reminders the worker will send in the next few days, counted by kind, as `reminders preview` does.

Each day is planned at the last minute of its sending window, for the
contacts due by then, and a reminder is counted on the day it falls due (today
also counts what is overdue and still worth sending); test numbers count in
none. The work is capped so the page stays quick on a national cohort; a capped
count says "at least".
"""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .. import test_numbers
from ..reminders import dispatch
from ..reminders.timing import Rules

DAYS = 7
LIMIT = 2000  # contacts planned per day at most
KINDS = {
    "visit_day_before": "Visit tomorrow",
    "visit_morning": "Visit today",
    "visit_suggested": "Suggested visit",
    "visit_missed": "Missed visit",
    "stage": "Weekly message",
    "stage_day": "Day-counted message (danger signs)",
    "hiv": "HIV message (she chose them)",
}


def forecast(db, content, config, days=DAYS, limit=LIMIT, today=None):
    """Return (rows, kinds, capped): rows are (date, Counter of kind); kinds in display order."""
    rules = Rules.from_config(config)
    zone = ZoneInfo(config["BOT_TIMEZONE"])
    today = today or datetime.now(zone).date()
    rows, capped = [], False
    for offset in range(days):
        day = today + timedelta(days=offset)
        planned, cut = dispatch.due_on(db, content, rules, day, zone, limit, today=today)
        capped = capped or cut
        counts = Counter(reminder.kind for phone, _, reminder in planned
                         if not test_numbers.is_test(phone, config))
        rows.append((day, counts))
    seen = {kind for _, counts in rows for kind in counts}
    kinds = [k for k in KINDS if k in seen] + sorted(seen - set(KINDS))
    return rows, kinds, capped
