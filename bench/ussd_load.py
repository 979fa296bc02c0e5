"""USSD under load: the full step (session load, engine step, session save) against bare Flask.

Run: .venv/bin/python -m bench.ussd_load  (needs wrk: apt-get install wrk)

Both apps are served by gunicorn with the same settings (2 sync workers on this
2-core machine) on loopback; wrk (a separate C program, not a Python loop)
drives them with bench/ussd.lua, which plays callers dialling and answering
from new numbers. First each is driven as fast as it goes (peak), then the bot
is driven at half its own peak rate to read its latency there. Redis is a
server of the benchmark's own. Figures are compared within one run only.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from tests.redis_server import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "ussd.lua"


def serve(target, port, env):
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                             f"127.0.0.1:{port}", "--log-level", "warning", target],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def wrk(port, seconds, connections, pause_ms=0):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                          str(SCRIPT), f"http://127.0.0.1:{port}", "--", str(pause_ms)],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "p50": _ms(out, "50%"), "p99": _ms(out, "99%"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def _ms(out, label):
    value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder)).start()
        env = dict(os.environ, REDIS_URL=server.url, LOG_LEVEL="WARNING",
                   CONTENT_RELOAD_SECONDS="0")
        bot_port, bare_port = free_port(), free_port()
        procs = [serve("wsgi:app", bot_port, env), serve("bench.bare_app:app", bare_port, env)]
        try:
            wait_for(bot_port)
            wait_for(bare_port)
            wrk(bot_port, 2, args.connections)  # warm up both
            wrk(bare_port, 2, args.connections)
            db = redis.Redis.from_url(server.url)
            db.flushdb()
            before = db.info("memory")["used_memory"]
            bot = wrk(bot_port, args.seconds, args.connections)
            sessions = len(db.keys("ussd:session:*"))
            per_session = (db.info("memory")["used_memory"] - before) / max(sessions, 1)
            bare = wrk(bare_port, args.seconds, args.connections)
            half = bot["rate"] / 2
            paced = wrk(bot_port, args.seconds, args.connections,
                        pause_ms=max(int(args.connections * 1000 / half), 1))
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
            server.stop()
    print(f"bare Flask (gunicorn, 2 workers): {bare['rate']:.0f} req/s, "
          f"p50 {bare['p50']:.2f} ms, p99 {bare['p99']:.2f} ms")
    print(f"bot USSD step (same):             {bot['rate']:.0f} req/s, "
          f"p50 {bot['p50']:.2f} ms, p99 {bot['p99']:.2f} ms, non-2xx {bot['non_2xx']}")
    print(f"ratio bot/bare: {bot['rate'] / bare['rate']:.2f} (target >= 0.5)")
    print(f"bot at half its peak ({paced['rate']:.0f} req/s): p50 {paced['p50']:.2f} ms, "
          f"p99 {paced['p99']:.2f} ms (target p99 < 20 ms)")
    print(f"Redis per live USSD session: {per_session:.0f} bytes ({sessions} sessions)")


if __name__ == "__main__":
    main()
