"""Two web nodes in their own processes, each with its own checkout, on one Redis: a version
published once is served by both within seconds, and a call already going on keeps its version
even when her next screen reaches the other node."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bot import create_app

from .redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = '"Clinic, my health"', '"My clinic visits"'


def _checkout(folder, edited=False):
    shutil.copytree(ROOT / "flows", folder / "flows")
    shutil.copytree(ROOT / "locales", folder / "locales")
    if edited:
        path = folder / "locales" / "main.en.yml"
        path.write_text(path.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
    return folder


def _node(port, folder, redis_url):
    env = dict(os.environ, REDIS_URL=redis_url, WEBHOOK_TOKEN="", LOG_LEVEL="ERROR",
               CONTENT_RELOAD_SECONDS="0.2", FLOWS_DIR=str(folder / "flows"),
               LOCALES_DIR=str(folder / "locales"))
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind",
                             f"127.0.0.1:{port}", "--log-level", "error", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ussd(port, phone, session, text):
    body = urllib.parse.urlencode({"sessionId": session, "phoneNumber": phone,
                                   "serviceCode": "*384*123#", "text": text}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/ussd", body, 5) as answer:
        return answer.read().decode()


def _ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError):
        return {}


def _wait(condition, what, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"Not within {seconds} s: {what}")


def test_a_version_published_once_is_served_by_every_node(tmp_path):
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    ports = free_port(), free_port()
    nodes = [_node(port, _checkout(tmp_path / name), server.url)
             for port, name in zip(ports, ("a", "b"), strict=True)]
    try:
        for port in ports:
            _wait(lambda p=port: _ready(p).get("content_number") == 1, "both nodes serve version 1")
        phone = "+254712007001"
        for text in ("", "1"):
            _ussd(ports[0], phone, "s1", text)
        assert "5. Clinic, my health" in _ussd(ports[0], phone, "s1", "1*2")

        staff = create_app({"TESTING": True, "REDIS_URL": server.url,
                            "FLOWS_DIR": str(_checkout(tmp_path / "c", edited=True) / "flows"),
                            "LOCALES_DIR": str(tmp_path / "c" / "locales")})
        staff.instance_path = str(tmp_path / "instance")
        published = staff.test_cli_runner().invoke(args=["content", "publish", "--by", "amina"])
        assert "Published version 2" in published.output, published.output

        for port in ports:
            _wait(lambda p=port: _ready(p).get("content_number") == 2, "both nodes serve version 2",
                  seconds=10)
        assert len({_ready(port)["content_version"] for port in ports}) == 1
        # Her call goes on at the other node: still version 1, never a mix.
        assert "5. Clinic, my health" in _ussd(ports[1], phone, "s1", "1*2*00")
        other = "+254712007002"
        for text in ("", "1"):
            _ussd(ports[1], other, "s2", text)
        assert "5. My clinic visits" in _ussd(ports[1], other, "s2", "1*2")
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(10)
        server.stop()
