"""SMS callbacks kept while Redis was away come back on their own: every web process and worker
replays the spool in the background within seconds, with no further callback needed. What waits
on disk is readable by the service's user alone, in a folder every node may share."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import redis

from bot.cli.serve import web_command
from bot.store import followups

from .redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "spool-token"


def _post(port, path, form):
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?token={TOKEN}", data=data,
                                timeout=10) as answer:
        return answer.status, answer.read().decode()


def _wait(check, seconds, what):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _question(n):
    return {"from": f"+25471200{n:04d}", "to": "22384", "id": f"spooled-{n}",
            "text": "Can I give my baby water at 3 months?", "date": "2026-12-01 10:00:00",
            "linkId": "", "networkCode": "63902"}


def _open_followups(url):
    return redis.Redis.from_url(url, decode_responses=True).zcard(followups.OPEN)


def test_a_web_node_replays_its_spool_once_redis_is_back_without_more_traffic(tmp_path):
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    spool_dir, port = tmp_path / "shared-spool", free_port()
    env = dict(os.environ, REDIS_URL=server.url, WEBHOOK_TOKEN=TOKEN, SPOOL_DIR=str(spool_dir),
               REDIS_TIMEOUT="0.3")
    web = subprocess.Popen(web_command("127.0.0.1", port, 1), cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        _wait(lambda: _answers(port), 30, "the web node did not start")
        server.stop()
        for n in range(3):  # answered 200 while Redis is away: kept on disk
            assert _post(port, "/sms/incoming", _question(n)) == (200, "OK")
        kept = spool_dir / "callbacks.jsonl"
        assert stat.S_IMODE(os.stat(spool_dir).st_mode) == 0o700
        assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
        lines = [json.loads(line) for line in kept.read_text().splitlines()]
        assert {frozenset(line["form"]) - {"claim"} for line in lines} == {
            frozenset(_question(0))}  # the callback's fields, nothing more
        server.start()  # same port and data; no callback comes after this
        back = time.monotonic()
        _wait(lambda: _open_followups(server.url) == 3, 15, "the spool was not replayed")
        assert time.monotonic() - back < 10
        assert not kept.exists()
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=20)
        server.stop()


def test_a_worker_replays_what_a_node_kept_in_the_shared_spool(tmp_path):
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    spool_dir = tmp_path / "shared-spool"
    env = dict(os.environ, REDIS_URL=server.url, SPOOL_DIR=str(spool_dir), WEBHOOK_TOKEN=TOKEN)
    worker = subprocess.Popen([sys.executable, "worker.py", "sms"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        time.sleep(1)  # the worker is up and waiting; then another node's callback is kept
        spool_dir.mkdir(mode=0o700, exist_ok=True)
        (spool_dir / "callbacks.jsonl").write_text(
            json.dumps({"kind": "incoming", "form": _question(7)}) + "\n")
        _wait(lambda: _open_followups(server.url) == 1, 15, "the worker did not replay it")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        server.stop()


def _answers(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
            return True
    except OSError:
        return False
