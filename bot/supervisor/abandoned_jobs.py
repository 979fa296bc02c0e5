"""The jobs of a worker that died, handed back to RQ's handling of abandoned jobs.

RQ notices by itself that a job's worker died: the job's heartbeat lapses (about
a minute and a half later) and a worker's next clean-up pass hands it back. serve
knows at once when one of its workers died, so it marks that worker's running
jobs as lapsed and has RQ clean them up now. Each then runs again if it has tries
left (every job the bot queues has some), else RQ fails it with AbandonedJobError,
kept in its failed-job registry (`rq info` lists it). A job that runs again sends
no SMS twice: each SMS is claimed in Redis before Africa's Talking is asked.
"""

import os
import socket
import sys

from redis.exceptions import WatchError
from rq import Worker
from rq.exceptions import NoSuchJobError, SchedulerNotFound
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler

JOBS_END_WITH_WORKER = sys.platform.startswith("linux")
"""Whether a job's own process is ended with its worker (bot/supervisor/job_worker.py). Only then
can its job be handed back at once; elsewhere it may still be running, and RQ's heartbeat
clean-up is left to find it."""

_LAPSED = 1  # a started-job registry score (a time) long past: RQ's clean-up takes the entry


def hand_back(connection, pid, hostname=None):
    """Hand back the running jobs of the dead worker `pid` of this machine; say what became of them."""
    hostname = hostname or socket.gethostname()
    lines = []
    for worker in Worker.all(connection=connection):
        if worker.pid != pid or worker.hostname != hostname:
            continue
        for queue in worker.queues:
            lines += [_what_became_of(job) for job in _hand_back_queue(connection, queue.name,
                                                                          worker.name)]
        _free_scheduler_locks(connection, [queue.name for queue in worker.queues], pid, hostname)
        worker.register_death()  # it no longer shows among the running workers
    return lines


def _free_scheduler_locks(connection, queue_names, worker_pid, hostname):
    """Free the queues' scheduler locks if the dead worker's scheduler held them.

    The scheduler (which moves delayed jobs and retries onto their queue when due) runs
    in a process of the worker's; killed with it, it would keep its locks for a minute,
    and no other worker's scheduler could take over until later still.
    """
    for name in queue_names:
        key = RQScheduler.get_locking_key(name)
        holder = connection.get(key)
        if holder is None:
            continue
        try:
            scheduler = RQScheduler.fetch(holder.decode(), connection)
        except SchedulerNotFound:
            continue
        if scheduler.hostname == hostname and _was_in_group(scheduler.pid, worker_pid):
            _delete_if_held_by(connection, key, holder)


def _was_in_group(pid, worker_pid):
    """Whether `pid` was one of the dead worker's processes (its group was killed with it)."""
    try:
        return os.getpgid(pid) == worker_pid
    except ProcessLookupError:
        return True  # gone: a scheduler of this machine that no longer runs holds nothing
    except OSError:
        return False


def _delete_if_held_by(connection, key, holder):
    with connection.pipeline() as pipe:
        try:
            pipe.watch(key)
            if pipe.get(key) == holder:
                pipe.multi()
                pipe.delete(key)
                pipe.execute()
        except WatchError:
            pass  # taken meanwhile by a live scheduler: leave it


def _hand_back_queue(connection, queue_name, worker_name):
    """Mark the queue's jobs started by `worker_name` as lapsed, let RQ clean up; return them."""
    registry = StartedJobRegistry(queue_name, connection=connection)
    lapsed = []
    for entry in connection.zrange(registry.key, 0, -1):
        try:
            job = Job.fetch(registry.parse_job_id(entry), connection=connection)
        except NoSuchJobError:
            continue
        if job.worker_name == worker_name:
            connection.zadd(registry.key, {entry: _LAPSED}, xx=True)
            lapsed.append(job)
    if lapsed:
        registry.cleanup()
    return lapsed


def _what_became_of(job):
    status = job.get_status(refresh=True)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED):
        return f"the job it was running ({job.description}) will run again."
    if status == JobStatus.FAILED:
        return (f"the job it was running ({job.description}) had no tries left: failed, kept "
                "in RQ's failed jobs.")
    return f"the job it was running ({job.description}) is now {getattr(status, 'value', status)}."
