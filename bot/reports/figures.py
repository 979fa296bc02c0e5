"""A report: the indicators for a date range, in total or by facility, county or language.

Read from the counts (bot/reports/counters.py): whole months from the monthly hashes, any
other days from the daily ones, so a year takes about a dozen reads a facility.
"""

import calendar
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from .. import facilities
from . import counters
from .indicators import ALL, BANDS, Active, Derived

GROUPINGS = ("facility", "county", "language")
TOTAL = "All"
TOP_SCREENS = 10  # dropped sessions: the screens where most ended
LANGUAGES = {"en": "English", "sw": "Kiswahili"}


class ReportError(ValueError):
    """A report that cannot be made as asked; the message says what to ask instead."""


@dataclass
class Row:
    name: str  # the indicator, or `indicator:detail` for one of its parts
    label: str
    definition: str
    values: dict  # group -> figure (a number, a rate or a band)
    part: bool = False  # a line under its indicator (a stage, a reason, a screen)


@dataclass
class Report:
    start: date
    end: date
    by: str | None
    groups: list
    rows: list = field(default_factory=list)
    names: dict = field(default_factory=dict)  # group -> how staff read it (a facility's name)


def reads(start, end):
    """The periods a range is read from, as key prefixes: whole months by month, other days by day."""
    prefixes, day = [], start
    while day <= end:
        last = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
        if day.day == 1 and last <= end:
            prefixes.append(counters.month_key(day, ""))
            day = last + timedelta(days=1)
        else:
            prefixes.append(counters.day_key(day, ""))
            day += timedelta(days=1)
    return prefixes


def check_range(start, end, today):
    if end < start:
        raise ReportError(f"--to {end} is before --from {start}.")
    oldest_day = counters.day_key(today - timedelta(days=counters.DAY_KEEP_DAYS - 1), "")
    if any(p.startswith("report:day:") and p < oldest_day for p in reads(start, end)):
        raise ReportError(f"Days more than {counters.DAY_KEEP_DAYS} days ago are kept only by "
                          "whole month: start on the 1st of a month and end on the last day of one.")


def counts(db, start, end, by=None):
    """{(indicator, detail, code): count} over the range: the code is the facility's (by
    facility or county), the language's, or ALL_SCOPE for the whole programme."""
    if by is None:
        codes, scope = [counters.ALL_SCOPE], str
    elif by == "language":
        codes, scope = sorted(db.smembers(counters.LANGUAGES)), counters.language_scope
    else:
        codes, scope = sorted(db.smembers(counters.FACILITIES)), counters.facility_scope
    pipe = db.pipeline(transaction=False)
    asked = [(prefix, code) for prefix in reads(start, end) for code in codes]
    for prefix, code in asked:
        pipe.hgetall(prefix + scope(code))
    found = defaultdict(int)
    for (_, code), hash_ in zip(asked, pipe.execute(), strict=True):
        for name, value in hash_.items():
            parts = counters.parse(name)
            if parts and value.lstrip("-").isdigit():
                found[(*parts, code)] += int(value)
    return found


def build(db, start, end, by=None, today=None):
    """The report for `start`..`end` (dates, both included), grouped `by` one of GROUPINGS."""
    if by is not None and by not in GROUPINGS:
        raise ReportError(f"--by must be one of {', '.join(GROUPINGS)}, not {by!r}.")
    check_range(start, end, today or counters.programme_day())
    group_of, names = _grouping(db, by)
    group_of = functools.cache(group_of)  # one look-up a facility, not one a count
    totals = defaultdict(lambda: defaultdict(int))  # (indicator, detail) -> group -> count
    for (indicator, detail, code), amount in counts(db, start, end, by).items():
        group = group_of(code)
        totals[(indicator, "")][group] += amount
        if detail:
            totals[(indicator, detail)][group] += amount
    groups = sorted({g for per in totals.values() for g in per}) if by else [TOTAL]
    report = Report(start, end, by, groups, names=names)
    today = today or counters.programme_day()
    for item in ALL:
        if isinstance(item, Active):
            report.rows.append(Row(item.name, item.label, item.definition,
                                   _active(db, end, today, by, groups, group_of)))
            continue
        if isinstance(item, Derived):
            values = {g: _derived(item.name, totals, g) for g in groups}
            report.rows.append(Row(item.name, item.label, item.definition, values))
            continue
        report.rows.append(Row(item.name, item.label, item.definition,
                               {g: totals[(item.name, "")].get(g, 0) for g in groups}))
        for detail in _details(item.name, totals):
            report.rows.append(Row(f"{item.name}:{detail}", f"  {detail}", "",
                                   {g: totals[(item.name, detail)].get(g, 0) for g in groups},
                                   part=True))
    return report


def _active(db, end, today, by, groups, group_of):
    """Distinct mothers reached in the 30 days to `end`, per group, from the daily sketches;
    None (not kept) unless `end` is today or yesterday."""
    if not today - timedelta(days=1) <= end <= today:
        return {g: None for g in groups}
    days = [end - timedelta(days=n) for n in range(counters.ACTIVE_DAYS)]
    if by is None:
        scopes = {TOTAL: [counters.ALL_SCOPE]}
    else:
        index, scope = ((counters.LANGUAGES, counters.language_scope) if by == "language" else
                        (counters.FACILITIES, counters.facility_scope))
        scopes = defaultdict(list)
        for code in db.smembers(index):
            scopes[group_of(code)].append(scope(code))
    pipe = db.pipeline(transaction=False)
    for group in groups:
        pipe.pfcount(*[counters.active_key(day, s) for s in scopes.get(group, ()) for day in days]
                     or ["report:active:none"])
    return dict(zip(groups, pipe.execute(), strict=True))


def _grouping(db, by):
    if by == "facility":
        directory = facilities.directory(db)

        def name(code):
            found = directory.get(code)
            return f"{found.name} ({code})" if found else code
        return (lambda code: code), _Names(name)
    if by == "county":
        directory = facilities.directory(db)

        def county(code):
            found = directory.get(code)
            return found.county if found else counters.UNKNOWN
        return county, {}
    if by == "language":
        return (lambda code: code), dict(LANGUAGES)
    return (lambda code: TOTAL), {}


class _Names(dict):
    """Names looked up as they are asked for."""

    def __init__(self, look_up):
        super().__init__()
        self.look_up = look_up

    def __missing__(self, key):
        self[key] = self.look_up(key)
        return self[key]

    def get(self, key, default=None):
        return self[key]


def _details(indicator, totals):
    """Its parts, in a useful order: bands shortest first, screens the ten most dropped."""
    found = {detail: sum(per.values()) for (name, detail), per in totals.items()
             if name == indicator and detail}
    if indicator == "missed_followed_up":
        return [b for b in BANDS if b in found]
    ordered = sorted(found, key=lambda d: (-found[d], d))
    return ordered[:TOP_SCREENS] if indicator == "ussd_dropped" else ordered


def _derived(name, totals, group):
    if name == "delivery_rate":
        delivered = totals[("sms_delivered", "")].get(group, 0)
        final = delivered + totals[("sms_failed", "")].get(group, 0)
        return round(100 * delivered / final, 1) if final else None
    if name == "missed_follow_up_median":
        by_band = [(b, totals[("missed_followed_up", b)].get(group, 0)) for b in BANDS]
        whole = sum(n for _, n in by_band)
        seen = 0
        for found_band, amount in by_band:
            seen += amount
            if whole and seen * 2 >= whole:
                return f"{found_band} hours"
        return None
    raise KeyError(name)


def value_text(value):
    """A figure as a report shows it."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}%"
    return str(value)
