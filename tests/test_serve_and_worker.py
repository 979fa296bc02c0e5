"""`flask --app wsgi serve` runs gunicorn and the RQ workers together, as the README says."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from rq import Worker

from .redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent


def test_serve_answers_ussd_starts_a_worker_per_dispatch_job_and_stops_on_sigterm(redis_url):
    """In development with no WEBHOOK_TOKEN, serve makes one, prints it and asks for it."""
    port = free_port()
    env = dict(os.environ, REDIS_URL=redis_url, WEBHOOK_TOKEN="")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port",
                             str(port), "--workers", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    connection = redis.Redis.from_url(redis_url)
    try:
        first = proc.stdout.readline()
        assert first.startswith("WEBHOOK_TOKEN was unset; this run's token is "), first
        token = first.split()[-1]
        url = f"http://127.0.0.1:{port}/ussd"
        reply, deadline = None, time.monotonic() + 30
        while reply is None and time.monotonic() < deadline:
            try:
                body = b"sessionId=serve1&phoneNumber=%2B254712000401&text="
                with urllib.request.urlopen(f"{url}?token={token}", body, 2) as answer:
                    reply = answer.read().decode()
            except OSError:
                time.sleep(0.2)
        assert reply and reply.startswith("CON Welcome to Mama Mentor")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, body, 2)
        refused.value.close()
        assert refused.value.code == 403  # the webhooks are not open, even in development
        while len(Worker.all(connection=connection)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        queues = sorted(sorted(q.name for q in w.queues) for w in Worker.all(connection=connection))
        # DISPATCH_JOBS is 2: one worker per dispatch job, and one only for replies
        assert queues == [["default", "reminders", "sms"]] * 2 + [["sms"]]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        # Read through the same reader as the first line: lines it already took from the pipe
        # with that line (the banner, when serve wrote it at once) are in its buffer, which
        # communicate() would pass by.
        with proc.stdout:
            output = proc.stdout.read()
        connection.close()
    assert proc.returncode == 0, output
    assert not Worker.all(connection=redis.Redis.from_url(redis_url))  # all stopped with it
    assert "Mentor Mother bot on http://127.0.0.1" in output
    assert f"Try it: WEBHOOK_TOKEN={token} flask --app wsgi ussd --url" in output
    assert "Traceback" not in output


def test_a_worker_started_while_redis_is_down_waits_for_it(tmp_path):
    """Else serve, starting it again and again during an outage, would give it up."""
    server = RedisServer(tmp_path)  # not started yet
    env = dict(os.environ, REDIS_URL=server.url, CONTENT_RELOAD_SECONDS="0")
    said = tmp_path / "worker.log"
    with open(said, "w") as out:
        worker = subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, process_group=0)
    try:
        deadline = time.monotonic() + 30
        while "the worker waits for it" not in said.read_text() and worker.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        assert worker.poll() is None, said.read_text()  # still waiting, not dead
        server.start()
        connection = redis.Redis.from_url(server.url)
        while not Worker.all(connection=connection) and time.monotonic() < deadline + 15:
            time.sleep(0.1)
        assert Worker.all(connection=connection), said.read_text()  # it started once Redis answered
        connection.close()
    finally:
        server.stop()
        worker.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)  # it, if still there, and its scheduler
        worker.wait(5)
    assert "Redis does not answer; the worker waits for it" in said.read_text()
