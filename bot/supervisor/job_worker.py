"""The RQ worker the bot runs (`python worker.py`): a job's own process ends with it, any worker
takes over the scheduler when its holder dies, and booked chains are looked after."""

import logging
import os
import time

from rq import Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT

from .abandoned_jobs import JOBS_END_WITH_WORKER
from .ends_with_worker import die_with_parent
from .scheduler import TAKEOVER_SECONDS, Scheduler

CLEAN_UP_SECONDS = 60
"""How often a worker runs RQ's clean-up pass (RQ's default is 10 minutes). The pass hands back
the jobs of workers that died unseen (a whole machine, a process manager's kill) once their
heartbeat lapsed."""
CHAIN_CHECK_SECONDS = 60
"""How often a worker that runs dispatches checks that the next ones are booked."""

log = logging.getLogger(__name__)


class JobWorker(Worker):
    """RQ's worker, whose job process (RQ's "work horse") is killed when the worker dies.

    RQ runs each job in a process of its own, in a process group of its own. Were the
    worker killed, that process would go on unwatched while its job is handed back and
    run again elsewhere; on Linux the kernel ends it with its worker instead.

    Every TAKEOVER_SECONDS, idle or while a job runs, a worker whose scheduler is not running
    tries to take the scheduler locks (bot/supervisor/scheduler.py), and every
    CHAIN_CHECK_SECONDS it calls `keep_booked` (if given), which books any dispatch or sweep
    whose chain was lost.
    """

    def __init__(self, *args, keep_booked=None, **kwargs):
        kwargs.setdefault("maintenance_interval", CLEAN_UP_SECONDS)
        # RQ waits this long for a job before its loop comes round again (to its heartbeat and
        # to the tries below); a job's progress is looked at as often.
        kwargs.setdefault("worker_ttl", TAKEOVER_SECONDS + 15)
        kwargs.setdefault("job_monitoring_interval", TAKEOVER_SECONDS)
        super().__init__(*args, **kwargs)
        self.worker_pid = os.getpid()
        self.keep_booked = keep_booked
        self._next_takeover = self._next_chain_check = time.monotonic()

    def _start_scheduler(self, burst=False, logging_level="INFO",
                         date_format=DEFAULT_LOGGING_DATE_FORMAT, log_format=DEFAULT_LOGGING_FORMAT):
        """RQ's own start (rq/worker/base.py), with the bot's scheduler."""
        self.scheduler = Scheduler(
            self.queues, connection=self.connection, serializer=self.serializer,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format, log_format=log_format)
        self.scheduler.acquire_locks()
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()
            finally:
                self.scheduler.release_locks()
                self.scheduler.register_death()
        else:
            self.scheduler.start()

    @property
    def should_run_maintenance_tasks(self):
        return super().should_run_maintenance_tasks or self._looking_after_due()

    def run_maintenance_tasks(self):
        """Look after the scheduler and chains; when due, RQ's clean-up pass, then settle the
        SMS requests AT may have taken without answering."""
        self.look_after()
        if super().should_run_maintenance_tasks:
            super().run_maintenance_tasks()
            from .. import jobs  # the worker's app, built on first use

            jobs.settle_requests()

    def maintain_heartbeats(self, job, execution):
        """While a job runs (a national send takes minutes), go on looking after the rest."""
        super().maintain_heartbeats(job, execution)
        if self._looking_after_due():
            self.look_after()

    def look_after(self):
        """Take over the scheduler if no scheduler of this worker runs; check the chains."""
        now = time.monotonic()
        if now >= self._next_takeover:
            self._next_takeover = now + TAKEOVER_SECONDS
            if self.scheduler is not None and not self.scheduler.runs():
                if self.scheduler.acquire_locks(auto_start=True):
                    log.info("Worker %s took over the scheduler for %s", self.name,
                             ", ".join(sorted(self.scheduler.acquired_locks)))
        if self.keep_booked is not None and now >= self._next_chain_check:
            self._next_chain_check = now + CHAIN_CHECK_SECONDS
            try:
                self.keep_booked()
            except Exception:  # a failed check must not stop the worker; the next one tries again
                log.exception("Checking the booked dispatches failed")

    def _looking_after_due(self):
        now = time.monotonic()
        return now >= self._next_takeover or (self.keep_booked is not None
                                              and now >= self._next_chain_check)

    def main_work_horse(self, job, queue):
        """Run the job in the forked process, which dies with the worker."""
        if JOBS_END_WITH_WORKER:
            die_with_parent(self.worker_pid)
        super().main_work_horse(job, queue)
