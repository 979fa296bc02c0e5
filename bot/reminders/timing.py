"""When things happen: pregnancy weeks, baby's age, and the hours SMS may go out.

Safaricom's bulk SMS rules allow non-transactional SMS only between 08:00 and
18:00 (the Communications Authority's draft: 07:00-19:00); the window is a
setting. Everything here works in the programme's own time zone.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


def clock(text):
    """'08:30' -> time(8, 30)."""
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class Rules:
    """The reminder settings, read once from the app config."""

    send_from: time
    send_until: time
    day_before_at: time
    morning_at: time
    stage_weekday: int  # 0 = Monday
    stage_at: time
    missed_after_days: int
    county: str = ""  # PROGRAMME_COUNTY: her county when her contact names none
    followup_keep_days: float = 365  # FOLLOWUP_KEEP_DAYS: a missed-visit follow-up closed by a loss
    visit_keep_days: int = 180  # VISIT_KEEP_DAYS: a visit this long past is deleted

    @classmethod
    def from_config(cls, config):
        return cls(clock(config["SEND_FROM"]), clock(config["SEND_UNTIL"]),
                   clock(config["REMINDER_DAY_BEFORE_AT"]), clock(config["REMINDER_MORNING_AT"]),
                   int(config["STAGE_MESSAGE_WEEKDAY"]), clock(config["STAGE_MESSAGE_AT"]),
                   int(config["MISSED_VISIT_AFTER_DAYS"]), config.get("PROGRAMME_COUNTY", ""),
                   float(config.get("FOLLOWUP_KEEP_DAYS", 365)),
                   int(config.get("VISIT_KEEP_DAYS", 180)))

    def allowed(self, moment):
        """Return `moment`, or the next time SMS may be sent if it falls outside the window."""
        if moment.time() < self.send_from:
            return datetime.combine(moment.date(), self.send_from, moment.tzinfo)
        if moment.time() >= self.send_until:
            return datetime.combine(moment.date() + timedelta(days=1), self.send_from, moment.tzinfo)
        return moment

    def is_allowed(self, moment):
        return self.allowed(moment) == moment

    def at(self, day, when, tz):
        """`day` at `when`, moved into the sending window."""
        return self.allowed(datetime.combine(day, when, tz))

    def stage_slots(self, now):
        """Return (the latest weekly slot at or before now, the next one after it)."""
        days_back = (now.weekday() - self.stage_weekday) % 7
        slot = datetime.combine(now.date() - timedelta(days=days_back), self.stage_at, now.tzinfo)
        if slot > now:
            slot -= timedelta(days=7)
        return self.allowed(slot), self.allowed(slot + timedelta(days=7))


def iso(text):
    """Read an ISO date; None if it is missing or not a date."""
    try:
        return date.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None


def pregnancy_week(due, day):
    """Completed weeks of pregnancy on `day` (40 on the due date)."""
    return (280 - (due - day).days) // 7


def age_weeks(birth, day):
    return (day - birth).days // 7


def age_months(birth, day):
    months = (day.year - birth.year) * 12 + day.month - birth.month
    return months - (1 if day.day < birth.day else 0)


def due_date_from_weeks(weeks, today):
    """The due date of a woman `weeks` pregnant today (40 weeks in all)."""
    return today + timedelta(days=(40 - int(weeks)) * 7)
