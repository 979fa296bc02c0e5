"""Redis stopped and restarted while callers keep dialling the bot served by gunicorn, as in
production: every answer is a screen (never a 5xx), the outage gives a polite END within a
second, and when Redis is back callers go on where their sessions were saved."""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent


def _post(port, phone, session, text):
    body = urllib.parse.urlencode({"sessionId": session, "phoneNumber": phone,
                                   "serviceCode": "*384*123#", "text": text}).encode()
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ussd", body, 5) as answer:
            return answer.status, answer.read().decode(), time.monotonic() - started
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), time.monotonic() - started


def _wait_for(port, deadline):
    while time.monotonic() < deadline:
        try:
            _post(port, "+254712009999", "probe", "")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def test_callers_during_a_redis_restart_get_screens_and_go_on_afterwards(tmp_path):
    server = RedisServer(tmp_path).start()
    port = free_port()
    env = dict(os.environ, REDIS_URL=server.url, WEBHOOK_TOKEN="", LOG_LEVEL="ERROR",
               CONTENT_RELOAD_SECONDS="0")
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:bot.web_server",
                            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "error",
                            "wsgi:app"],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    answers, stop = [], threading.Event()

    def caller(number):
        n = 0
        while not stop.is_set():
            phone, session = f"+2547120{number:02d}{n % 1000:03d}", f"t{number}-{n}"
            for text in ("", "1"):
                answers.append((time.monotonic(), *_post(port, phone, session, text)))
            n += 1

    try:
        _wait_for(port, time.monotonic() + 30)
        kept = "+254712008888"  # a caller whose session is saved before the outage
        assert "Choose language" in _post(port, kept, "kept", "")[1]
        callers = [threading.Thread(target=caller, args=(n,)) for n in range(4)]
        for thread in callers:
            thread.start()
        time.sleep(1.0)
        server.stop()
        down_at = time.monotonic()  # stopped: it no longer takes connections
        time.sleep(1.5)
        restart_at = time.monotonic()
        server.start()  # same port and folder: what was saved is back from the append-only file
        up_at = time.monotonic()
        time.sleep(1.5)
        stop.set()
        for thread in callers:
            thread.join(10)
        assert "Would you like free SMS" in _post(port, kept, "kept", "1")[1]
    finally:
        stop.set()
        web.terminate()
        web.wait(10)
        server.stop()
    assert all(status == 200 for _, status, _, _ in answers), {s for _, s, _, _ in answers}
    assert all(body.startswith(("CON ", "END ")) for _, _, body, _ in answers)
    # Answered wholly while Redis was down (one sent just before the restart may be served after).
    during = [(at - down_at, took, body) for at, _, body, took in answers
              if down_at < at and at + took < restart_at]
    after = [body for at, _, body, _ in answers if at > up_at + 0.2]
    other = [found for found in during if not found[2].startswith("END Sorry, the service is busy.")]
    assert during and not other, other
    assert max(took for _, took, _ in during) < 1.0
    assert after and all(body.startswith("CON ") for body in after)
