"""Replies to mothers never wait behind bulk work: the Procfile's (and serve's) `replies` worker
listens only on the sms queue, so a HELP reply goes out while dispatches hold every other worker."""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

from rq import Queue

from bot import jobs, store

from .fake_at import API_KEY, USERNAME
from .sms_helpers import text

ROOT = Path(__file__).resolve().parent.parent
PHONE = "+254712000321"
BULK_SECONDS = 40  # how long each dispatch-like job holds its worker


def _procfile(name):
    """The Procfile's command for process `name`, as a list (its BOT_ENV=... kept as env)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            words = shlex.split(line.partition(":")[2])
            settings = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
            command = [w for w in words if w not in {f"{k}={v}" for k, v in settings.items()}]
            return settings, command
    raise AssertionError(f"the Procfile has no {name} process")


def _start(name, env):
    settings, command = _procfile(name)
    command = [sys.executable if word == "python" else word for word in command]
    return subprocess.Popen(command, cwd=ROOT, env={**env, **settings}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_reply_goes_out_within_seconds_while_bulk_work_holds_the_workers(
        client, sms_app, at, redis_url):
    env = dict(os.environ, REDIS_URL=redis_url, AT_USERNAME=USERNAME, AT_API_KEY=API_KEY,
               AT_API_URL=at.url, WEBHOOK_TOKEN="t", SECRET_KEY="k" * 64, DISPATCH_JOBS="1")
    connection = store.queue_connection(sms_app)
    bulk = Queue("reminders", connection=connection)
    for n in range(2):  # a national send: both workers busy with dispatch jobs for minutes
        bulk.enqueue("tests.jobs_for_tests.wait_in_job", f"bulk-{n}", BULK_SECONDS)
    processes = [_start("worker", env), _start("worker", env)]
    try:
        deadline = time.monotonic() + 30
        while connection.exists("bulk-0", "bulk-1") < 2:  # both bulk jobs have begun
            assert time.monotonic() < deadline, "the workers did not take the bulk jobs"
            time.sleep(0.1)
        processes.append(_start("replies", env))
        jobs.use_app(None)  # the app queues; the worker processes send
        asked = time.monotonic()
        text(client, PHONE, "HELP")
        while not [r for r in at.requests if PHONE in r["to"].split(",")]:
            assert time.monotonic() - asked < 20, "the reply waited behind the bulk work"
            time.sleep(0.05)
        waited = time.monotonic() - asked
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        connection.close()
    assert waited < 5, f"the reply took {waited:.1f} s"
