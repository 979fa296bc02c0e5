"""The RQ worker the bot runs (`python worker.py`): a job's own process ends with it."""

import ctypes
import os
import signal

from rq import Worker

from .abandoned_jobs import JOBS_END_WITH_WORKER

CLEAN_UP_SECONDS = 60
"""How often a worker runs RQ's clean-up pass (RQ's default is 10 minutes). The pass hands back
the jobs of workers that died unseen (a whole machine, a process manager's kill) once their
heartbeat lapsed, and starts the scheduler again if it stopped (it stops when Redis restarts)."""

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class JobWorker(Worker):
    """RQ's worker, whose job process (RQ's "work horse") is killed when the worker dies.

    RQ runs each job in a process of its own, in a process group of its own. Were the
    worker killed, that process would go on unwatched while its job is handed back and
    run again elsewhere; on Linux the kernel ends it with its worker instead.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", CLEAN_UP_SECONDS)
        super().__init__(*args, **kwargs)
        self.worker_pid = os.getpid()

    def main_work_horse(self, job, queue):
        """Run the job in the forked process, which dies with the worker."""
        if JOBS_END_WITH_WORKER:
            _die_with_parent(self.worker_pid)
        super().main_work_horse(job, queue)


def _die_with_parent(parent):
    """Have the kernel kill this process when `parent` dies; exit now if it already has."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not allowed here: RQ's heartbeat clean-up still finds the job
    if os.getppid() != parent:  # it died before the line above: the job is handed back
        os._exit(1)
