"""The worker side of reminders: RQ's scheduler runs the dispatch; a killed sender loses nothing."""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from bot import jobs, store
from bot.reminders import due_list

from .fake_at import API_KEY, USERNAME
from .test_reminders_dispatch import RULES, enrol

ROOT = Path(__file__).resolve().parent.parent


def test_a_sender_killed_mid_dispatch_loses_no_reminder(db, at, redis_url):
    phones = [f"+2547120009{n:02d}" for n in range(12)]
    for phone in phones:
        enrol(db, phone, stage="pregnancy", due_date="2027-03-16")
    at.delay = 0.5  # each one-recipient request takes a while
    env = dict(os.environ, REDIS_URL=redis_url, AT_USERNAME=USERNAME, AT_API_KEY=API_KEY,
               AT_API_URL=at.url, SMS_BATCH_SIZE="1")
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "reminders", "run", "--at",
               "2026-11-24T10:00"]
    sender = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    # Killed while AT holds its fourth request: a kill between marking an SMS as sending and
    # asking AT would lose that one (sent at most once), and how often a poll lands there
    # depends on how fast the disk is.
    while at.arrivals < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    sent_before = len(at.requests)
    assert 3 <= sent_before < len(phones)  # it really died half-way
    at.delay = 0
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    received = at.recipients()
    assert set(received) == set(phones)  # every reminder went out ...
    assert len(received) == len(phones)  # ... once, the one in flight too


def test_the_dispatch_runs_on_rqs_scheduler_and_each_job_books_its_next_run(sms_app, db, at):
    sms_app.config.update(SMS_BATCH_SIZE=500, DISPATCH_JOBS=2)
    phones = [f"+2547120009{n:02d}" for n in range(50, 70)]
    zone = ZoneInfo("Africa/Nairobi")
    now = datetime.now(zone)
    for phone in phones:
        enrol(db, phone, stage="pregnancy", due_date="2027-03-16")
    due_list.file(db, {phone: now - timedelta(minutes=1) for phone in phones})
    connection = store.queue_connection(sms_app)
    jobs.schedule_dispatch(connection, now - timedelta(minutes=5), 5, 2, timeout=600)
    queue = Queue("reminders", connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=True, with_scheduler=True)
    booked = ScheduledJobRegistry(queue=queue).get_job_ids()
    assert sorted(job_id[-4:] for job_id in booked) == ["1of2", "2of2"]  # one next run each
    assert len({job_id[:-5] for job_id in booked}) == 1  # for the same, later slot
    if RULES.is_allowed(now):  # inside the sending hours her due SMS went out
        sent = [(phone, r["message"]) for r in at.requests for phone in r["to"].split(",")]
        assert {phone for phone, _ in sent} == set(phones)  # both jobs sent ...
        assert len(sent) == len(set(sent))  # ... and no mother got the same SMS twice
    connection.close()


@pytest.mark.parametrize("now, booked", [("10:00:00", "10:05"), ("10:00:30", "10:05"),
                                         ("10:03:59", "10:05"), ("10:04:59", "10:05"),
                                         ("10:55:10", "11:00"), ("23:58:00", "00:00")])
def test_each_run_books_the_very_next_slot_never_one_later(now, booked):
    zone = ZoneInfo("Africa/Nairobi")
    at = datetime.strptime(f"2026-12-01 {now}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
    assert jobs.next_slot(at, 5).strftime("%H:%M") == booked


def test_the_chain_runs_every_dispatch_interval(sms_app, db, at):
    """A run books the next slot (not the one after): with every 5 minutes, 12 runs an hour."""
    sms_app.config.update(DISPATCH_JOBS=1, DISPATCH_EVERY_MINUTES=5)
    connection = store.queue_connection(sms_app)
    zone = ZoneInfo(sms_app.config["BOT_TIMEZONE"])
    queue = Queue("reminders", connection=connection)
    jobs.dispatch_reminders(0, 1)
    (booked,) = ScheduledJobRegistry(queue=queue).get_job_ids()
    slot = datetime.strptime(booked.split("-")[2], "%Y%m%d%H%M").replace(tzinfo=zone)
    assert timedelta(0) < slot - datetime.now(zone) <= timedelta(minutes=5)
    connection.close()
