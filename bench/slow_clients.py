"""USSD latency while N slow or idle clients hold connections: gevent workers against sync.

Run: .venv/bin/python -m bench.slow_clients  (--clients 0,2,50,200,1000 --kind "slow headers")

Two web servers run side by side, each started by `serve`'s own command line
(web_command, two web processes): the one `serve` and the Procfile run now
(gevent workers, bot/web_server.py) and, as the baseline in the same run, the
same command with gunicorn's sync worker, as they ran before. For each number
of clients, N connections are opened to a server and held the way --kind says
(tests/slow_clients.py: a header line every 2 s, an idle keep-alive after one
request, or a silent connection); after a second, USSD first screens are posted
one after the other, each on a new connection as Africa's Talking does, and
timed. A request not answered within --timeout seconds counts as a time-out;
after two, the rest of that step is not tried.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.machine import Steal
from bench.ussd_load import CONTROL, wait_for
from bot.cli.serve import web_command
from bot.store.embedded import ensure_server, stop_server
from tests.redis_server import free_port
from tests.slow_clients import KINDS, SlowClients, ussd_screen

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-slow-clients"
SERVERS = {"gevent (serve, Procfile)": [], "sync (before)": ["--worker-class", "sync"]}


def start(port, env, extra):
    """web_command on `port`, with `extra` gunicorn options before the app."""
    command = web_command("127.0.0.1", port, 2)
    command[-1:-1] = [*extra, *CONTROL, "--log-level", "warning", "--access-logfile", "/dev/null"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def measure(port, clients, kind, requests, timeout):
    """Latencies of `requests` USSD first screens while `clients` connections are held."""
    with SlowClients(port, clients, kind) as held:
        time.sleep(1)
        seconds, timeouts = [], 0
        for number in range(requests):
            if timeouts == 2:  # the rest would time out too: not worth minutes of waiting
                break
            try:
                screen, took = ussd_screen(port, TOKEN, f"bench-{time.time_ns()}-{number}",
                                           timeout=timeout)
                assert screen.startswith("CON "), screen
                seconds.append(took)
            except OSError:
                timeouts += 1
        return {"seconds": seconds, "timeouts": timeouts, "dropped": held.dropped}


def line(name, clients, found, timeout):
    if not found["seconds"]:
        return (f"  {name:26} {clients:5} clients: {found['timeouts']} requests timed out "
                f"(> {timeout:g} s), none answered; the rest not tried")
    ms = sorted(1000 * s for s in found["seconds"])
    return (f"  {name:26} {clients:5} clients: median {statistics.median(ms):7.1f} ms, "
            f"slowest {ms[-1]:7.1f} ms, timed out {found['timeouts']}/"
            f"{found['timeouts'] + len(ms)}; clients dropped by the server {found['dropped']}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="0,2,50,200,1000", help="numbers of clients, comma-separated")
    parser.add_argument("--kind", choices=[*KINDS, "all"], default="slow headers")
    parser.add_argument("--requests", type=int, default=20, help="USSD requests timed at each step")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before a request counts "
                        "as timed out")
    args = parser.parse_args()
    counts = [int(part) for part in args.clients.split(",")]
    kinds = list(KINDS) if args.kind == "all" else [args.kind]
    with tempfile.TemporaryDirectory() as folder:
        url = ensure_server(Path(folder) / "redis")
        env = dict(os.environ, REDIS_URL=url, WEBHOOK_TOKEN=TOKEN, LOG_LEVEL="WARNING",
                   SECRET_KEY="bench-secret-key")
        ports = {name: free_port() for name in SERVERS}
        procs = [start(ports[name], env, extra) for name, extra in SERVERS.items()]
        steal = Steal()
        try:
            for port in ports.values():
                wait_for(port)
                measure(port, 0, "silent", 3, args.timeout)  # warm up
            for kind in kinds:
                print(f"USSD first screen beside clients of the kind '{kind}':")
                for clients in counts:
                    for name, port in ports.items():
                        found = measure(port, clients, kind, args.requests, args.timeout)
                        print(line(name, clients, found, args.timeout), flush=True)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(timeout=30)
            stop_server(Path(folder) / "redis")
        print(steal.line())
        # Other programs on the machine slow every figure; steal does not count them.
        print(f"Load average over the last minute: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
