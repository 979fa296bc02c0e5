"""A job whose worker is killed (SIGKILL) mid-job: its own process ends with the worker, and the job
is handed back to RQ at once, to run again if it has tries left, else failed with the reason."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from rq import Queue, Retry, Worker
from rq.job import JobStatus
from rq.registry import FailedJobRegistry, StartedJobRegistry

from bot.supervisor import abandoned_jobs

from .jobs_for_tests import wait_in_job
from .serve_process import alive

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="a job's process ends with its worker on Linux only")


def _wait(what, check, seconds):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.05)


@pytest.fixture
def worker_killed_mid_job(db, redis_url):
    """Start `python worker.py`, queue a job that waits, kill the worker while it runs it."""
    connection = redis.Redis.from_url(redis_url)
    started = []

    def kill(retry):
        job = Queue("default", connection=connection).enqueue(
            wait_in_job, "test:job-process", 30, retry=retry, job_timeout=60)
        env = dict(os.environ, REDIS_URL=redis_url, CONTENT_RELOAD_SECONDS="0")
        worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  process_group=0)
        started.append(worker)
        _wait("the job runs", lambda: connection.get("test:job-process"), 30)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(5)
        return connection, job, worker.pid, int(connection.get("test:job-process"))

    yield kill
    for worker in started:  # its scheduler, if the test failed before it was ended
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    connection.close()


def test_the_job_of_a_killed_worker_runs_again_and_its_process_is_gone(worker_killed_mid_job):
    connection, job, pid, job_process = worker_killed_mid_job(Retry(max=1))
    _wait("the job's process ends with its worker", lambda: not alive(job_process), 3)
    assert abandoned_jobs.hand_back(connection, pid) == [
        f"the job it was running ({job.description}) will run again."]
    job.refresh()
    assert job.get_status() == JobStatus.QUEUED
    assert job.retries_left == 0
    assert not StartedJobRegistry("default", connection=connection).get_job_ids()
    assert pid not in [w.pid for w in Worker.all(connection=connection)]  # no longer listed


def test_the_job_of_a_killed_worker_with_no_tries_left_is_failed_with_the_reason(
        worker_killed_mid_job):
    connection, job, pid, _ = worker_killed_mid_job(None)
    # A worker of the same number on another machine is not this one: left to RQ's heartbeat.
    assert abandoned_jobs.hand_back(connection, pid, hostname="another-machine") == []
    assert job.get_status(refresh=True) == JobStatus.STARTED
    assert abandoned_jobs.hand_back(connection, pid) == [
        f"the job it was running ({job.description}) had no tries left: failed, kept in RQ's "
        "failed jobs."]
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert job.id in FailedJobRegistry("default", connection=connection).get_job_ids()
    assert "AbandonedJobError" in job.latest_result().exc_string
