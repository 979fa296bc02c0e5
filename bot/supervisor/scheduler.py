"""RQ's scheduler as the bot runs it: any surviving worker takes it over within a minute.

RQ's scheduler (the process that moves a booked dispatch, a nightly sweep or an SMS retry onto
its queue when due) runs in one worker at a time, the one holding a queue's scheduler lock in
Redis. RQ keeps that lock for 61 s after its last renewal, and another worker only tries to take
it during its clean-up pass; an idle worker reaches that pass once per RQ dequeue wait (405 s),
so a killed holder stopped all scheduled work for many minutes. Here:

- the holder renews its locks every second and each lapses LOCK_SECONDS after the last renewal;
- every other worker tries to take them every TAKEOVER_SECONDS (bot/supervisor/job_worker.py);
- a scheduler process ends with its worker, as a job's process does, so a killed worker leaves
  no scheduler behind that keeps the locks while its worker is started again.

The worst case from a holder's death to another worker's scheduler running is therefore
LOCK_SECONDS + TAKEOVER_SECONDS (+ a second to start it).
"""

import os
import time

from rq.scheduler import RQScheduler

from .abandoned_jobs import JOBS_END_WITH_WORKER
from .ends_with_worker import die_with_parent

LOCK_SECONDS = 30
"""How long a scheduler lock outlives its holder's last renewal (once a second while it runs).
Longer than any pause a loaded machine or a slow Redis gives a live holder."""
TAKEOVER_SECONDS = 15
"""How often a worker whose scheduler holds no lock, or not every one, tries to take them."""

# Shorten the lock only if this scheduler still holds it: a lock taken over is left alone.
_SHORTEN_IF_HELD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class Scheduler(RQScheduler):
    """RQ's scheduler with short-lived locks, tried for often, ending with its worker."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.worker_pid = os.getpid()
        self._last_try = time.monotonic()

    def acquire_locks(self, auto_start=False):
        held = super().acquire_locks(auto_start)
        self._last_try = time.monotonic()
        self._shorten(held)
        return held

    def heartbeat(self):
        super().heartbeat()
        self._shorten(self.acquired_locks)

    @property
    def should_reacquire_locks(self):
        """Try again for the locks it lacks every TAKEOVER_SECONDS (RQ waits 120 s)."""
        if self._queue_names == self.acquired_locks:
            return False
        return time.monotonic() - self._last_try >= TAKEOVER_SECONDS

    def runs(self):
        """Whether this worker's scheduler process is running."""
        return bool(self._process and self._process.is_alive())

    def start(self):
        self.worker_pid = os.getpid()  # the worker, which forks the scheduler's process
        return super().start()

    def work(self):
        if JOBS_END_WITH_WORKER:
            die_with_parent(self.worker_pid)
        super().work()

    def _shorten(self, names):
        if not names:
            return
        script = self.connection.register_script(_SHORTEN_IF_HELD)
        with self.connection.pipeline() as pipe:
            for name in names:
                script(keys=[self.get_locking_key(name)], args=[self.name, LOCK_SECONDS],
                       client=pipe)
            pipe.execute()
