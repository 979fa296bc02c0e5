"""The parts serve keeps running: the web app and each worker (child processes), and
the embedded Redis server."""

import os
import signal
import subprocess
import time

from .. import store
from ..store import embedded
from . import abandoned_jobs
from .restarts import Restarts

HAND_BACK_RETRY_SECONDS = 5.0  # between tries at handing back a dead worker's jobs, Redis down


class StartFailed(Exception):
    """A part could not be started (its program is missing, its server did not answer)."""


class Part:
    """One part of the bot that serve keeps running; subclasses say how to start and watch it."""

    restart_note = ""  # said when it is started again
    given_up_note = ""  # said when it is left stopped

    def __init__(self, name, restarts=None):
        self.name = name
        self.restarts = restarts or Restarts()
        self.restart_at = 0.0  # while it is stopped: when to start it (the first tick starts it)
        self.given_up = False
        self.hopeless = False  # set when its way of ending says a new start cannot help

    def start(self, now):
        """Start it; raise StartFailed when it cannot be."""
        raise NotImplementedError

    def ended(self):
        """Return how it ended (a few words) if it no longer runs, else None."""
        raise NotImplementedError

    def after_end(self, say):
        """Tidy up after it ended (what it left behind, what it was doing)."""

    def tick(self, now, say):
        """Notice that it ended and start it again when due; return False once given up."""
        if self.given_up:
            return False
        if self.restart_at is None:
            how = self.ended()
            if how is not None:
                self._schedule_start(now, how, say)
                self.after_end(say)
        if self.restart_at is not None and now >= self.restart_at:
            self.restart_at = None
            try:
                self.start(now)
            except StartFailed as err:
                self._schedule_start(now, f"it could not start: {err}", say)
        return not self.given_up

    def _schedule_start(self, now, how, say):
        pause = None if self.hopeless else self.restarts.died(now)
        if pause is None:
            self.given_up = True
            why = "it cannot start" if self.hopeless else \
                f"it stopped {self.restarts.quick_deaths} times soon after starting"
            say(f"{self.name} stopped ({how}); {why}, so it is not started again. "
                f"{self.given_up_note}".strip())
            return
        self.restart_at = now + pause
        when = f" in {pause:g} s" if pause else ""
        say(f"{self.name} stopped ({how}); starting it again{when}{self.restart_note}.")


class ChildProcess(Part):
    """A program serve runs, in a process group of its own."""

    def __init__(self, name, command, env, cwd, hopeless_codes=(), restarts=None):
        super().__init__(name, restarts)
        self.command, self.env, self.cwd = command, env, cwd
        self.hopeless_codes = hopeless_codes
        self.process = None
        self.last_pid = None

    def start(self, now):
        self.restarts.started(now)
        try:
            # A group of its own: whatever it leaves behind when it dies (the web app's
            # processes, a worker's scheduler) is ended with it. Ctrl-C then reaches serve
            # alone, which stops the parts in order.
            self.process = subprocess.Popen(self.command, env=self.env, cwd=self.cwd,
                                            process_group=0)
        except OSError as err:
            raise StartFailed(str(err)) from None

    def ended(self):
        if self.process is None or not _has_exited(self.process):
            return None
        code = self._reap()
        self.hopeless = code in self.hopeless_codes
        return describe_exit(code)

    def ask_to_stop(self):
        """Ask it to finish what it is doing and stop (SIGTERM)."""
        if self.process is not None and not _has_exited(self.process):
            os.kill(self.process.pid, signal.SIGTERM)

    def wait_stopped(self, deadline, say):
        """Wait until it stopped, killing it at `deadline`; return its exit code."""
        if self.process is None:
            return 0
        while not _has_exited(self.process) and time.monotonic() < deadline:
            time.sleep(0.05)
        code = self._reap()
        self.after_end(say)
        return code

    def _reap(self):
        """Kill it and what is left in its group, then collect its exit code."""
        if self.process.returncode is None:  # not reaped yet, so its group id is still its own
            _end_group(self.process.pid)
        code = self.process.wait()
        self.last_pid, self.process = self.process.pid, None
        return code


class WorkerProcess(ChildProcess):
    """An RQ worker: when it dies, the job it was running goes back to RQ."""

    given_up_note = ("Reminders and queued SMS wait for the other workers, or for serve to be "
                     "started again; the lines above say why it stopped.")

    def __init__(self, name, command, env, cwd, connection, restarts=None):
        super().__init__(name, command, env, cwd, restarts=restarts)
        self.connection = connection
        self.dead_pids = []  # workers whose jobs are still to be handed back
        self.next_try = 0.0  # while Redis is down: when to try handing them back again

    def after_end(self, say):
        if abandoned_jobs.JOBS_END_WITH_WORKER:
            self.dead_pids.append(self.last_pid)
            self.next_try = 0.0
            self.hand_back_jobs(time.monotonic(), say)

    def tick(self, now, say):
        if self.dead_pids:  # Redis was down when the worker died: try again
            self.hand_back_jobs(now, say)
        return super().tick(now, say)

    def hand_back_jobs(self, now, say):
        """Hand the jobs of dead workers back to RQ; keep them for later if Redis is down."""
        if now < self.next_try:
            return
        try:
            for pid in list(self.dead_pids):
                for line in abandoned_jobs.hand_back(self.connection, pid):
                    say(f"{self.name}: {line}")
                self.dead_pids.remove(pid)
        except store.Errors:
            self.next_try = now + HAND_BACK_RETRY_SECONDS  # an unreachable Redis can take seconds


class EmbeddedRedis(Part):
    """The embedded Redis server: started again from its append-only file if it dies."""

    restart_note = " from its append-only file"
    given_up_note = "Nothing is saved until it runs: see redis.log in its folder."

    def __init__(self, folder, restarts=None):
        super().__init__("The embedded Redis", restarts)
        self.folder = folder

    def start(self, now):
        self.restarts.started(now)
        try:
            embedded.ensure_server(self.folder)
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            raise StartFailed(str(err)) from None

    def ended(self):
        return None if embedded.running(self.folder) else "its process is gone"

    def stop(self):
        """Ask it to save and stop."""
        embedded.stop_server(self.folder)


def describe_exit(code):
    """Say how a process ended, from its exit code."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _has_exited(process):
    """Whether `process` ended, without reaping it (its pid stays reserved meanwhile)."""
    if process.returncode is not None:
        return True
    if not hasattr(os, "waitid"):  # macOS: reaping is the only way to know
        return process.poll() is not None
    try:
        return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _end_group(pgid):
    """Kill whatever is left in a dead child's process group."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
