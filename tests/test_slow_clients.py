"""Slow or idle clients cannot starve the webhooks: USSD still answers beside 200 of them.

The web server runs exactly as `serve` starts it (web_command), on loopback,
with the test's Redis. Every wait is bounded: a USSD request that does not
answer within 3 s fails the test instead of hanging it.
"""

import os
import shlex
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from gunicorn.config import Config
from rq import Queue

from bot import config
from bot.cli.serve import web_command
from bot.errors import InvalidSetting

from .redis_server import RedisServer, free_port
from .slow_clients import KINDS, SlowClients, ussd_screen

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "slow-clients-token-7d1e"
KEEPALIVE = 2  # seconds; short here so that dropping a slow client is seen quickly


@pytest.fixture(scope="module")
def web(redis_url, tmp_path_factory):
    """The web server as `serve` starts it (two web processes); yields its port."""
    port, log = free_port(), tmp_path_factory.mktemp("web") / "web.log"
    env = dict(os.environ, REDIS_URL=redis_url, WEBHOOK_TOKEN=TOKEN, LOG_LEVEL="WARNING",
               WEB_KEEPALIVE_SECONDS=str(KEEPALIVE))
    with log.open("w") as output:
        proc = subprocess.Popen(web_command("127.0.0.1", port, 2), cwd=ROOT, env=env,
                                stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ussd_screen(port, TOKEN, "warm-up", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, log.read_text()
                time.sleep(0.2)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    written = log.read_text()
    assert "Using worker: gevent" in written, written
    assert "Traceback" not in written and "Exception ignored" not in written, written


@pytest.mark.parametrize("kind", KINDS)
def test_ussd_answers_within_a_second_beside_200_clients_holding_connections(web, kind):
    with SlowClients(web, 200, kind) as clients:
        time.sleep(1)  # the server has taken them in: with sync workers, both are now held
        for attempt in range(3):
            screen, seconds = ussd_screen(web, TOKEN, f"slow-{kind}-{attempt}", timeout=3)
            assert screen.startswith("CON Welcome"), screen
            assert seconds < 1, f"{seconds:.2f} s with 200 {kind} clients"
            time.sleep(0.5)
        assert len(clients.sockets) == 200


def test_a_client_slow_over_its_header_is_dropped(web):
    """A header still unfinished after WEB_KEEPALIVE_SECONDS costs its sender the connection."""
    with SlowClients(web, 1, "slow headers", every=0.5) as client:
        deadline = time.monotonic() + KEEPALIVE + 5
        while not client.dropped and time.monotonic() < deadline:
            time.sleep(0.2)
    assert client.dropped, f"still open after {KEEPALIVE + 5} s of a header line every 0.5 s"


def _options(command):
    """gunicorn's reading of a command line's options and arguments."""
    found = vars(Config().parser().parse_args(command))
    return {name: value for name, value in found.items() if value is not None}


def test_the_procfile_runs_gunicorn_as_serve_does():
    line = (ROOT / "Procfile").read_text().splitlines()[0].removeprefix("web:")
    words = shlex.split(line)
    assert words[:2] == ["BOT_ENV=production", "gunicorn"], line
    procfile = _options(words[2:])
    serve = _options(web_command("127.0.0.1", 5000, 2)[3:])
    for differs in ("bind", "accesslog", "access_log_format"):  # serve's own place and log
        procfile.pop(differs, None), serve.pop(differs)
    assert procfile == serve
    assert serve["config"] == "python:bot.web_server"


def test_the_web_server_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONNECTIONS", "300")
    monkeypatch.setenv("WEB_KEEPALIVE_SECONDS", "7")
    assert config.web_server() == (300, 7)
    assert config.web_server({}) == (config.DEFAULTS["WEB_CONNECTIONS"],
                                     config.DEFAULTS["WEB_KEEPALIVE_SECONDS"])


@pytest.mark.parametrize("name, value", [("WEB_CONNECTIONS", "0"), ("WEB_CONNECTIONS", "many"),
                                         ("WEB_KEEPALIVE_SECONDS", "0"),
                                         ("WEB_KEEPALIVE_SECONDS", "2.5")])
def test_an_unusable_web_server_setting_is_refused(name, value):
    with pytest.raises(InvalidSetting, match=name):
        config.web_server({name: value})


def test_gunicorn_stops_with_one_line_on_an_unusable_setting(redis_url):
    env = dict(os.environ, REDIS_URL=redis_url, WEB_KEEPALIVE_SECONDS="0")
    done = subprocess.run(web_command("127.0.0.1", free_port(), 1), cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=20)
    assert done.returncode == 4
    assert "The setting WEB_KEEPALIVE_SECONDS cannot be used" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def _walk(port, caller):
    """Dial, pick 1, then 1 again, as caller number `caller`; return the three screens."""
    phone, inputs = f"+2547120{caller:05d}", ["", "1", "1*1"]
    return [ussd_screen(port, TOKEN, f"many-{caller}", phone, text, timeout=10)[0] for text in inputs]


def test_many_callers_at_once_each_get_their_own_screens(web):
    """Each connection's work runs in a greenlet; its Redis round trips never mix with another's."""
    alone = _walk(web, 0)
    with ThreadPoolExecutor(40) as callers:
        screens = list(callers.map(lambda caller: _walk(web, caller), range(1, 81), timeout=60))
    assert alone[0].startswith("CON Welcome") and len(set(alone)) == 3, alone
    assert all(walked == alone for walked in screens)


def test_an_incoming_sms_queues_its_reply_for_the_workers(web, redis_url):
    """RQ's enqueueing works in the web processes as gevent runs them."""
    queue = Queue("sms", connection=redis.Redis.from_url(redis_url))
    before = queue.count
    body = urllib.parse.urlencode({"from": "+254712000977", "to": "22384", "text": "HELP",
                                   "date": "2026-11-21 10:00:00", "id": f"slow-{time.time_ns()}",
                                   "linkId": "", "networkCode": "63902"}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{web}/sms/incoming?token={TOKEN}", body,
                                5) as answer:
        assert answer.read() == b"OK"
    assert queue.count == before + 1
    queue.connection.close()


def test_requests_on_new_connections_reuse_the_web_processes_redis_connections(web, redis_url):
    """Africa's Talking opens a connection per callback; each must not cost a Redis connection."""
    db = redis.Redis.from_url(redis_url)
    before = db.info("stats")["total_connections_received"]
    for number in range(20):
        ussd_screen(web, TOKEN, f"reuse-{number}", f"+2547121{number:05d}")
    opened = db.info("stats")["total_connections_received"] - before
    db.close()
    assert opened <= 4, f"{opened} Redis connections opened for 20 USSD requests"


def test_callers_at_once_while_redis_hangs_get_the_busy_screen_together(tmp_path):
    """Each waits out REDIS_TIMEOUT in its own greenlet, not in a line for the processes.

    One caller waits 0.3 s three or four times (a connection opened afresh waits for its
    handshake too); with sync workers callers waited their turn behind the others, past 10 s.
    """
    server, port = RedisServer(tmp_path).start(), free_port()
    env = dict(os.environ, REDIS_URL=server.url, WEBHOOK_TOKEN=TOKEN, LOG_LEVEL="ERROR")
    web = subprocess.Popen(web_command("127.0.0.1", port, 2), cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ussd_screen(port, TOKEN, "hang-warm-up", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "the web server did not start"
                time.sleep(0.2)
        server.freeze()
        with ThreadPoolExecutor(20) as callers:
            answers = list(callers.map(lambda n: ussd_screen(
                port, TOKEN, f"hang-{n}", f"+2547123{n:05d}", timeout=10), range(20), timeout=30))
    finally:
        server.thaw()
        web.terminate()
        web.wait(timeout=30)
        server.stop()
    assert all(screen.startswith("END Sorry, the service is busy.") for screen, _ in answers)
    assert max(seconds for _, seconds in answers) < 1.5, sorted(seconds for _, seconds in answers)
