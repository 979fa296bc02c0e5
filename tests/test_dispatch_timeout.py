"""A dispatch job runs as long as DISPATCH_JOB_TIMEOUT_MINUTES allows, not RQ's own 3 minutes, which
stopped a national send in the middle of a request to AT. Measured with a real worker process
and a slowed fake AT: a short limit stops the dispatch, the configured one lets it finish, and
every mother gets each of her SMS once."""

import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from bot import jobs

from .sending_helpers import end, enrol_due_now, noon_zone, sent_pairs, start_worker, wait_for, worker_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="RQ stops a job on time with SIGALRM (Linux, macOS)")
PHONES = [f"+2547140{n:05d}" for n in range(6)]


def _book_now(connection, zone, minutes):
    """Book the dispatch of the slot that has just begun, as the worker books its slots."""
    now = datetime.now(ZoneInfo(zone))
    slot = jobs.schedule_dispatch(connection, now.replace(minute=now.minute // 5 * 5, second=0,
                                                          microsecond=0),
                                  5, 1, timeout=jobs.dispatch_timeout(
                                      {"DISPATCH_JOB_TIMEOUT_MINUTES": minutes}))
    return Job.fetch(f"reminders-dispatch-{slot.strftime('%Y%m%d%H%M')}-1of1", connection)


def _run(db, at, redis_url, minutes):
    """Start a worker with DISPATCH_JOB_TIMEOUT_MINUTES=`minutes` and book a slow dispatch: 12
    one-recipient requests that AT answers in 0.5 s each, about 6 s in all."""
    zone = noon_zone()
    # The worker books its own next slot as it starts: with an hour between slots, and clear of
    # the hour, that slot cannot run during the test and send the rest of this one's SMS.
    now = datetime.now(ZoneInfo(zone))
    if now.minute == 59 and now.second > 15:
        time.sleep(61 - now.second)
    enrol_due_now(db, PHONES, zone)
    at.delay = 0.5
    connection = redis.Redis.from_url(redis_url)
    job = _book_now(connection, zone, minutes)
    worker = start_worker(worker_env(redis_url, at, zone, SMS_BATCH_SIZE=1,
                                     DISPATCH_JOB_TIMEOUT_MINUTES=minutes,
                                     DISPATCH_EVERY_MINUTES=60), "reminders")
    return connection, job, worker


def test_a_dispatch_longer_than_its_limit_is_stopped(db, at, redis_url):
    """The limit is really applied: 0.05 minute (3 s) stops the 6-second dispatch half-way."""
    connection, job, worker = _run(db, at, redis_url, 0.05)
    try:
        wait_for("the dispatch starts", lambda: at.arrivals > 0, 15)
        # Stopped, and tried again later (DISPATCH_RETRY): RQ writes the status before the
        # retry's count, so a loaded machine may show one without the other for a moment.
        wait_for("the dispatch is stopped at its limit and booked again",
                 lambda: job.refresh() or (job.get_status() in (JobStatus.SCHEDULED,
                                                                JobStatus.FAILED)
                                           and job.retries_left == 2), 25)
        stopped_at = at.arrivals
        time.sleep(1.5)
        assert at.arrivals == stopped_at < 2 * len(PHONES)  # stopped half-way
    finally:
        end(worker)
        connection.close()


def test_a_slow_dispatch_finishes_within_the_configured_limit(db, at, redis_url, monkeypatch):
    """RQ's own limit, here made 3 s (half the send, as its 3 minutes are short of a national
    send), does not apply: the configured minute does, and the chain's next run keeps it."""
    monkeypatch.setattr(Queue, "DEFAULT_TIMEOUT", 3)
    connection, job, worker = _run(db, at, redis_url, 1)
    try:
        wait_for("the dispatch starts", lambda: at.arrivals > 0, 15)
        wait_for("the dispatch finishes",
                 lambda: job.get_status(refresh=True) in (JobStatus.FINISHED, JobStatus.FAILED,
                                                          JobStatus.SCHEDULED), 40)
        assert job.get_status() == JobStatus.FINISHED  # not stopped by RQ's own limit
        sent = sent_pairs(at)
        assert len(sent) == 2 * len(PHONES) == len(set(sent))  # two SMS each, each once
        assert {phone for phone, _ in sent} == set(PHONES)
        registry = ScheduledJobRegistry("reminders", connection=connection)
        booked = [Job.fetch(i, connection) for i in registry.get_job_ids()]
        assert booked and all(j.timeout == 60 for j in booked)  # the worker's own booking
    finally:
        end(worker)
        connection.close()
