"""`flask --app wsgi serve` run for a test: its own instance folder, embedded Redis and port."""

import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import redis
from rq import Worker

from bot.store import embedded

from .fake_at import API_KEY, USERNAME
from .redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "serve-test-token"


class Served:
    def __init__(self, folder, at):
        self.folder, self.port = Path(folder), free_port()
        self.redis_folder = self.folder / "instance" / "redis"
        self.log = self.folder / "serve.log"
        env = dict(os.environ, REDIS_URL="", INSTANCE_PATH=str(self.folder / "instance"),
                   WEBHOOK_TOKEN=TOKEN, AT_USERNAME=USERNAME, AT_API_KEY=API_KEY, AT_API_URL=at.url,
                   SMS_RETRY_SECONDS="0,0,0", CONTENT_RELOAD_SECONDS="0")
        with open(self.log, "w") as out:  # a file: a pipe nobody reads would block the bot
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(self.port),
                 "--workers", "1"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def redis_url(self):
        return f"unix://{embedded.socket_path(self.redis_folder)}"

    def connection(self):
        return redis.Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)

    def output(self):
        return self.log.read_text(errors="replace")

    def ussd(self, phone, session, text):
        """POST one USSD screen; return the answer's body, or None when nothing answers."""
        body = urllib.parse.urlencode({"sessionId": session, "phoneNumber": phone,
                                       "serviceCode": "*384*123#", "text": text}).encode()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ussd?token={TOKEN}",
                                        body, 3) as answer:
                return answer.read().decode()
        except OSError:
            return None

    def answers_ussd(self):
        reply = self.ussd("+254712000499", f"probe-{time.monotonic()}", "")
        return bool(reply and reply.startswith("CON "))

    def workers(self):
        try:
            with self.connection() as connection:
                return Worker.all(connection=connection)
        except redis.RedisError:
            return []

    def wait_for(self, what, check, seconds):
        """Wait until check() is true; fail saying `what` and what serve said meanwhile."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"serve stopped (exit {self.process.returncode}) before: "
                                     f"{what}\n{self.output()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"not within {seconds} s: {what}\n{self.output()[-3000:]}")

    def stop(self, seconds=30, signum=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise AssertionError(f"serve did not stop within {seconds} s") from None


def descendants(pid):
    """Every process below `pid` (Linux /proc), children first."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        below = parents.get(todo.pop(0), [])
        found += below
        todo += below
    return found


def alive(pid):
    """Whether `pid` runs: a zombie nobody reaped does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
