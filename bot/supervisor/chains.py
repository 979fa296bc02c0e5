"""The chain check: every booked run of the dispatch and of the nightly sweep has a next one.

Each dispatch job books its own next run, and each sweep the next night's, as soon as it starts.
A booking can still be lost (Redis unreachable at that moment, a job failed for good, a record
removed by hand), and nothing would book it again until a worker restarts. So every minute
each worker that runs dispatches (bot/supervisor/job_worker.py) looks at what waits, is queued
or runs, and books the next slot of a chain that has none. A booked job is never booked twice
(bot/jobs.py books each id once), so several workers checking at once agree.
"""

import logging

from rq import Queue
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from .. import jobs

log = logging.getLogger(__name__)


def keep_booked(connection, config, now):
    """Book what is missing: the next slot of each dispatch job with nothing waiting, queued or
    running, and the next sweep if none is. Returns what it booked, as job ids."""
    booked = []
    every = int(config["DISPATCH_EVERY_MINUTES"])
    count = jobs.dispatch_jobs(config)
    pending = [jobs.dispatch_job_of(job_id) for job_id in _pending(connection, "reminders")]
    pending = {found for found in pending if found}
    # A first job of an earlier DISPATCH_JOBS books every job of the current one when it runs.
    if not any(job == 0 and jobs_then != count for job, jobs_then in pending):
        slot = jobs.next_slot(now, every)
        for job in range(count):
            if (job, count) not in pending:
                jobs.schedule_dispatch(connection, slot, every, count, only=job,
                                       timeout=jobs.dispatch_timeout(config))
                booked.append(jobs.dispatch_job_id(slot, job, count))
    if not any(job_id.startswith(jobs.SWEEP_PREFIX) for job_id in _pending(connection, "default")):
        booked.append(f"{jobs.SWEEP_PREFIX}{jobs.schedule_sweep(connection, now):%Y%m%d}")
    if booked:
        log.warning("Booked again what nothing had booked: %s", ", ".join(booked))
    return booked


def _pending(connection, queue_name):
    """Ids of the queue's jobs that wait for their time, wait for a worker, or run."""
    queue = Queue(queue_name, connection=connection)
    return (ScheduledJobRegistry(queue=queue).get_job_ids(cleanup=False) + queue.get_job_ids()
            + StartedJobRegistry(queue=queue).get_job_ids(cleanup=False))
