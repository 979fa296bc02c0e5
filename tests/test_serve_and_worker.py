"""`flask --app wsgi serve` runs gunicorn and the RQ worker together, as the README says."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis
from rq import Worker

from .redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_serve_answers_ussd_and_starts_a_worker(redis_url):
    port = free_port()
    env = dict(os.environ, REDIS_URL=redis_url, WEBHOOK_TOKEN="")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port",
                             str(port), "--workers", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    connection = redis.Redis.from_url(redis_url)
    try:
        reply, deadline = None, time.monotonic() + 30
        while reply is None and time.monotonic() < deadline:
            try:
                body = b"sessionId=serve1&phoneNumber=%2B254712000401&text="
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ussd", body, 2) as answer:
                    reply = answer.read().decode()
            except OSError:
                time.sleep(0.2)
        assert reply and reply.startswith("CON Welcome to Mama Mentor")
        while not Worker.all(connection=connection) and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = Worker.all(connection=connection)
        assert workers and {q.name for q in workers[0].queues} == {"sms", "reminders", "default"}
    finally:
        proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
        connection.close()
    assert proc.returncode == 0, output
    assert "Mentor Mother bot on http://127.0.0.1" in output
    assert "Traceback" not in output
