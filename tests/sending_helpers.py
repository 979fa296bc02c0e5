"""A real worker process sending reminders at any hour of the test run, for the sending tests.

The worker's dispatch reads the clock, and SMS go out only from 08:00 to 18:00. So the worker is
given a programme time zone in which it is now about noon, whatever the hour of the run.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.store import contacts

from .fake_at import API_KEY, USERNAME
from .test_reminders_dispatch import CONTENT

ROOT = Path(__file__).resolve().parent.parent
RULES = Rules.from_config({"SEND_FROM": "08:00", "SEND_UNTIL": "18:00",
                           "REMINDER_DAY_BEFORE_AT": "10:00", "REMINDER_MORNING_AT": "08:00",
                           "STAGE_MESSAGE_WEEKDAY": 1, "STAGE_MESSAGE_AT": "10:00",
                           "MISSED_VISIT_AFTER_DAYS": 2})


def noon_zone(now=None):
    """A time zone (Etc/GMT-N is UTC+N) in which it is now 12:xx."""
    hour = (now or datetime.now(UTC)).hour
    offset = 12 - hour
    offset += 24 if offset < -12 else 0
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def enrol_due_now(db, phones, zone):
    """Enrol mothers who joined today, 16 weeks before their due date: by noon each has two
    reminders due (the weekly message and the danger signs in pregnancy), two texts in all."""
    now = datetime.now(ZoneInfo(zone))
    for phone in phones:
        db.hset(contacts.key(phone), mapping={
            "enrolled": "yes", "consent_sms": "yes", "language": "en", "stage": "pregnancy",
            "enrolled_on": now.date().isoformat(),
            "due_date": (now.date() + timedelta(days=120)).isoformat()})
        dispatch.reschedule(db, CONTENT, phone, now, RULES)
    return now


def worker_env(redis_url, at, zone, **settings):
    return dict(os.environ, REDIS_URL=redis_url, AT_USERNAME=USERNAME, AT_API_KEY=API_KEY,
                AT_API_URL=at.url, BOT_TIMEZONE=zone, CONTENT_RELOAD_SECONDS="0",
                DISPATCH_JOBS="1", **{k: str(v) for k, v in settings.items()})


def start_worker(env, *queues):
    """`python worker.py` in a process group of its own (its job and scheduler processes too)."""
    return subprocess.Popen([sys.executable, "worker.py", *queues], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, process_group=0)


def end(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(5)


def wait_for(what, check, seconds):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


def sent_pairs(at):
    """(number, text) of every SMS the fake AT took."""
    return [(n, r["message"]) for r in at.requests for n in r["to"].split(",")]
