"""gunicorn's access log, as the Procfile and `serve` run it, holds no full number and no token."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.cli.serve import web_command

from .redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "hook-secret-4f2a9c"
REQUESTS = [("PUT", "/api/contacts/0712345678"), ("GET", "/api/contacts/%2B254712345678"),
            ("POST", f"/ussd?token={TOKEN}"), ("GET", f"/api/followups?phone=254712345678&token={TOKEN}")]


def _procfile_web(port, log):
    """The Procfile's web line, run here: its own gunicorn, its access log to a file."""
    line = (ROOT / "Procfile").read_text().splitlines()[0].removeprefix("web:")
    line = line.replace("${PORT:-5000}", str(port)).replace("0.0.0.0", "127.0.0.1")
    line = line.replace(" gunicorn ", f" {sys.executable} -m gunicorn --access-logfile {log} ", 1)
    return ["sh", "-c", "exec env" + line]


def _serve_web(port, log):
    return web_command("127.0.0.1", port, 1)


def _call(port, method, path):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=b"" if method != "GET" else None,
                                     headers={"Referer": f"http://x/?token={TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            answer.read()
    except urllib.error.HTTPError as err:
        err.close()


@pytest.mark.parametrize("command", [_procfile_web, _serve_web], ids=["Procfile", "serve"])
def test_access_log_masks_numbers_and_tokens(redis_url, tmp_path, command):
    port, log = free_port(), tmp_path / "access.log"
    env = dict(os.environ, REDIS_URL=redis_url, WEBHOOK_TOKEN=TOKEN, API_REQUESTS_PER_MINUTE="0",
               SECRET_KEY="k" * 64)
    proc = subprocess.Popen(command(port, log), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _call(port, "GET", "/console/login")
                break
            except OSError:
                time.sleep(0.2)
        for method, path in REQUESTS:
            _call(port, method, path)
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    written = (log.read_text() if log.exists() else "") + output
    assert "/api/contacts/*******678" in written, written  # the requests were logged, masked
    assert "/api/contacts/*********678" in written
    if command is _procfile_web:  # gunicorn's own format writes the query string and referer
        assert "token=[hidden]" in written
    for secret in ("0712345678", "254712345678", TOKEN):
        assert secret not in written, written
