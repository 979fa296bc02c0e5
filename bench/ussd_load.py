"""USSD under load: the full step (session load, engine step, session save) against bare Flask.

Run: .venv/bin/python -m bench.ussd_load  (needs wrk: apt-get install wrk)

Both apps are served by gunicorn with the same settings (2 workers on this
2-core machine: gevent ones as `serve` runs them, or sync ones, as before, with
--server sync) on loopback; wrk (a separate C program, not a Python loop)
drives them with bench/ussd.lua, which plays callers on two paths: dialling
and answering once from new numbers (the hardest mix), and a typical 12-screen
session. Redis is reached as in the default deployment: the embedded
server on a Unix socket, here in a folder of the benchmark's own (or
--redis-url, for a server elsewhere). These machines are noisy, so the two are
measured in alternating rounds and the ratio is the median of the rounds'
ratios. Then the bot is driven at half its own peak rate to read its latency.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis
from gunicorn.config import KNOWN_SETTINGS

from bench.machine import Steal
from bot.store.embedded import ensure_server, stop_server
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "ussd.lua"
# Newer gunicorns open a control socket in ~/.gunicorn; two servers side by side would share it.
CONTROL = [flag for setting in KNOWN_SETTINGS for flag in setting.cli or ()
           if flag == "--no-control-socket"]


# The worker `serve` and the Procfile run (bot/web_server.py), or the sync worker used before.
SERVERS = {"gevent": ["--config", "python:bot.web_server"], "sync": ["--worker-class", "sync"]}


def serve(target, port, env, workers, server="gevent"):
    return subprocess.Popen([sys.executable, "-m", "gunicorn", *SERVERS[server], "--workers",
                             str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                             *CONTROL, target], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def wrk(port, seconds, connections, pause_ms=0, mix="answer"):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                          str(SCRIPT), f"http://127.0.0.1:{port}", "--", str(pause_ms), mix],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, "p50": _ms(out, "50%"), "p99": _ms(out, "99%"),
            "non_2xx": int(errors.group(1)) if errors else 0}


def _ms(out, label):
    value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


MIXES = {"answer": "dial and answer once, every caller new (a number lookup and a contact write "
                    "every other request)",
         "walk": "a typical 12-screen session (menus, topics, back, main menu)"}


APPS = {"bot": "wsgi:app", "bare": "bench.bare_app:app", "two waits": "bench.bare_app:two_waits"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=6, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each app once a round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--redis-url", help="a Redis server to use instead of the embedded one")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for every app")
    parser.add_argument("--server", choices=SERVERS, default="gevent",
                        help="gunicorn's worker class, for every app (sync: as before)")
    parser.add_argument("--mix", choices=[*MIXES, "both"], default="both",
                        help="the callers' path (bench/ussd.lua)")
    args = parser.parse_args()
    mixes = list(MIXES) if args.mix == "both" else [args.mix]
    with tempfile.TemporaryDirectory() as folder:
        url = args.redis_url or ensure_server(Path(folder) / "redis")
        env = dict(os.environ, REDIS_URL=url, LOG_LEVEL="WARNING", CONTENT_RELOAD_SECONDS="0")
        ports = {name: free_port() for name in APPS}
        procs = [serve(target, ports[name], env, args.workers, args.server)
                 for name, target in APPS.items()]
        try:
            for port in ports.values():
                wait_for(port)
                wrk(port, 2, args.connections)  # warm up
            db = redis.Redis.from_url(url)
            results = {mix: _measure(args, ports, mix, db) for mix in mixes}
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=10)
            if not args.redis_url:
                stop_server(Path(folder) / "redis")
    for mix, (rounds, paced, per_session, sessions) in results.items():
        _report(mix, rounds, paced, per_session, sessions)


def _report(mix, rounds, paced, per_session, sessions):
    print(f"callers' path: {mix} ({MIXES[mix]})")
    for number, found in enumerate(rounds, 1):
        bot, bare, waits = found["bot"], found["bare"], found["two waits"]
        print(f"  round {number}: bare Flask {bare['rate']:.0f} req/s (p50 {bare['p50']:.2f} ms, "
              f"p99 {bare['p99']:.2f} ms); two waits {waits['rate']:.0f} req/s; bot "
              f"{bot['rate']:.0f} req/s (p50 {bot['p50']:.2f} ms, p99 {bot['p99']:.2f} ms, "
              f"non-2xx {bot['non_2xx']}); ratio {bot['rate'] / bare['rate']:.2f}; "
              f"{_stolen(found['steal'])}")
    for name, against in (("bot", "bare"), ("two waits", "bare"), ("bot", "two waits")):
        ratio = statistics.median(r[name]["rate"] / r[against]["rate"] for r in rounds)
        target = " (target >= 0.5)" if (name, against) == ("bot", "bare") else ""
        print(f"  ratio {name}/{against}, median of {len(rounds)} rounds: {ratio:.2f}{target}")
    print(f"  bot at half its peak ({paced['rate']:.0f} req/s): p50 {paced['p50']:.2f} ms, "
          f"p99 {paced['p99']:.2f} ms, non-2xx {paced['non_2xx']} (target p99 < 20 ms); "
          f"{_stolen(paced['steal'])}")
    print(f"  Redis per live USSD session: {per_session:.0f} bytes ({sessions} sessions)")


def _measure(args, ports, mix, db):
    """Rounds on one path, each app once a round, the order turned every round so none
    always runs first; then the bot paced at half its median peak."""
    db.flushdb()
    names = list(ports)
    rounds, per_session, sessions = [], 0, 0
    for number in range(args.rounds):
        order = names[number % len(names):] + names[:number % len(names)]
        steal = Steal()
        found = {}
        for name in order:
            counting = name == "bot" and number == 0  # Redis bytes per session, once
            before = db.info("memory")["used_memory"] if counting else 0
            found[name] = wrk(ports[name], args.seconds, args.connections, mix=mix)
            if counting:
                sessions = len(db.keys("ussd:session:*"))
                per_session = (db.info("memory")["used_memory"] - before) / max(sessions, 1)
        found["steal"] = steal.share()
        rounds.append(found)
    peak = statistics.median(r["bot"]["rate"] for r in rounds)
    steal = Steal()
    paced = wrk(ports["bot"], args.seconds, args.connections,
                pause_ms=max(int(args.connections * 1000 / (peak / 2)), 1), mix=mix)
    paced["steal"] = steal.share()
    return rounds, paced, per_session, sessions


def _stolen(share):
    return "host steal not known" if share is None else f"host steal {share:.0%}"


if __name__ == "__main__":
    main()
