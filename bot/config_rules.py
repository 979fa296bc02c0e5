"""Checks of the settings whose wrong values would otherwise fail late: in a worker at night, or
as a 500 after half of a change was written. Each returns the value to use or raises
InvalidSetting naming the setting, what is wrong, and what to write instead."""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from .errors import InvalidSetting

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
CLOCKS = ("SEND_FROM", "SEND_UNTIL", "REMINDER_DAY_BEFORE_AT", "REMINDER_MORNING_AT",
          "STAGE_MESSAGE_AT")
# Whole numbers with the least (and most) each may be; a 0 where 1 is the least would stop
# sending, or divide by zero in the worker.
RANGES = {"DISPATCH_JOBS": (1, 16), "DISPATCH_EVERY_MINUTES": (1, 60), "SMS_BATCH_SIZE": (1, 1000),
          "SMS_REPLIES_PER_HOUR": (0, 1000), "STAGE_MESSAGE_WEEKDAY": (0, 6),
          "MISSED_VISIT_AFTER_DAYS": (0, 60), "VISIT_KEEP_DAYS": (60, 10 * 366),
          "MENTOR_ACTIONS_KEEP_DAYS": (60, 10 * 366),
          "MESSAGE_KEEP_DAYS": (7, 400),
          "API_REQUESTS_PER_MINUTE": (-1, 10**6),
          "REDIS_TIMEOUT": (0.05, 30), "RESUME_MINUTES": (0, 24 * 60),
          "CONSOLE_SESSION_HOURS": (0.1, 24 * 30), "CONTENT_RELOAD_SECONDS": (0, 3600),
          # 0 seconds would let a client take for ever over its header, holding a connection.
          "WEB_CONNECTIONS": (10, 100_000), "WEB_KEEPALIVE_SECONDS": (1, 75),
          # 0 hours would make every follow-up overdue the moment it is filed.
          "FOLLOWUP_DUE_URGENT_HOURS": (1, 72), "FOLLOWUP_DUE_CALLBACK_HOURS": (1, 30 * 24),
          "FOLLOWUP_DUE_MISSED_VISIT_HOURS": (1, 30 * 24),
          # Fractions of a minute are allowed; a day is the most either could usefully be.
          "DISPATCH_JOB_TIMEOUT_MINUTES": (0.05, 24 * 60), "SMS_UNCONFIRMED_MINUTES": (0.05, 24 * 60)}
WEB_SERVER = ("WEB_CONNECTIONS", "WEB_KEEPALIVE_SECONDS")  # read by gunicorn (bot/web_server.py)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def clock(name, value):
    """'08:00' stays '08:00'; '8am' or '25:00' is refused."""
    text = str(value).strip()
    found = _CLOCK.fullmatch(text)
    if not found:
        raise InvalidSetting(name, f"'{text}' is not a time of day.",
                             f"write it as hours:minutes on the 24-hour clock, e.g. {name}=08:00.")
    return f"{int(found.group(1)):02d}:{found.group(2)}"


def number_in_range(name, value):
    least, most = RANGES[name]
    if not least <= value <= most:
        raise InvalidSetting(name, f"{value} is outside {least} to {most}.",
                             f"write a number from {least} to {most}.")
    return value


def timezone(value):
    try:
        ZoneInfo(str(value).strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidSetting("BOT_TIMEZONE", f"'{value}' is not a time zone name.",
                             "write a name from the tz database, e.g. Africa/Nairobi.") from None
    return str(value).strip()


def redis_url(value):
    """REDIS_URL: empty (development's embedded Redis) or a redis://, rediss:// or unix:// URL."""
    text = str(value or "").strip()
    if text and not text.startswith(REDIS_SCHEMES):
        shown = re.sub(r"//[^@/]*@", "//***@", text)  # never print a password
        raise InvalidSetting("REDIS_URL", f"'{shown}' is not a Redis address.",
                             "write redis://host:6379/0 (rediss:// for TLS), or leave it unset "
                             "in development.")
    return text


def phone_region(value):
    region = str(value).strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidSetting("PHONE_REGION", f"'{value}' is not a country code.",
                             "write the two-letter country code, e.g. KE.")
    return region


def sentinels(value):
    """REDIS_SENTINELS: host:port pairs, comma-separated (port 26379 when left out)."""
    text = str(value or "").strip()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        host, _, port = part.rpartition(":") if ":" in part else (part, "", "26379")
        if not host or not port.isdigit():
            raise InvalidSetting("REDIS_SENTINELS", f"'{part}' is not host:port.",
                                 "write the Sentinels as 10.0.0.1:26379,10.0.0.2:26379.")
    return text
