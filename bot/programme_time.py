"""Programme time: the one clock staff read, BOT_TIMEZONE (Nairobi time by default).

Every time and day staff see (commands, console pages, daily SMS counts) is in
the programme's zone and says so, so a follow-up made at 01:30 in Kisumu is not
listed at 22:30 the day before, and a day's SMS totals are that day's SMS.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .config import DEFAULTS

WITH_ZONE = "%Y-%m-%d %H:%M %Z"  # for a line that stands alone: 2027-03-14 10:00 EAT


def zone(config=None):
    """The programme's time zone: BOT_TIMEZONE of `config` or of the running app."""
    if config is None:
        # Code that counts SMS also runs outside an app (benchmarks, the SDK tests): the
        # default zone, the one every deployment so far uses.
        config = current_app.config if has_app_context() else DEFAULTS
    return ZoneInfo(config["BOT_TIMEZONE"])


def now(config=None):
    """The moment, in programme time."""
    return datetime.now(zone(config))


def at(epoch, config=None):
    """A Unix time (seconds, as Redis keeps it) as a programme-time moment; None if unreadable."""
    try:
        return datetime.fromtimestamp(int(float(epoch)), zone(config))
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def shown(epoch, config=None, fmt="%Y-%m-%d %H:%M"):
    """A Unix time written in programme time, or '-' when there is none."""
    moment = at(epoch, config)
    return moment.strftime(fmt) if moment else "-"


def name(config=None):
    """How staff are told which clock they read: 'Africa/Nairobi time'."""
    return f"{zone(config).key} time"
