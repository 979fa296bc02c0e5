"""The memory and time of a CSV export of a million rows, written as it is read.

Run: .venv/bin/python -m bench.export_memory [--rows 1000000]

A Redis server of its own (the system's redis-server; the embedded one when none is
installed) is filled with clinic visits (nine a mother, as a year of visits every six weeks),
then `exports.lines` writes them all to /dev/null as `flask export visits` does. Python's
own peak (tracemalloc) and the process's resident size are read; the baseline, in the same
run, is the same rows gathered into one list before writing, as an export that is not
streamed would hold them.
"""

import argparse
import resource
import shutil
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import redis

from bot import create_app
from bot.reports import exports
from bot.store import visits
from tests.redis_server import RedisServer

PER_MOTHER = 9
START = date(2026, 1, 5)


def fill(db, rows):
    pipe = db.pipeline(transaction=False)
    for n in range(rows):
        mother, visit = divmod(n, PER_MOTHER)
        visits.add(pipe, f"+2547{40000000 + mother:08d}", START + timedelta(days=42 * visit),
                   "anc" if visit < 5 else "immunisation", "09:00", "Mathare North", "import")
        if n % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()


def measure(work):
    tracemalloc.start()
    started = time.perf_counter()
    lines = work()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines, seconds, peak


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--redis-server", default=shutil.which("redis-server"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder), args.redis_server or None).start()
        try:
            db = redis.Redis.from_url(server.url, decode_responses=True)
            started = time.perf_counter()
            fill(db, args.rows)
            print(f"{args.rows:,} visits of {args.rows // PER_MOTHER:,} mothers written in "
                  f"{time.perf_counter() - started:.0f} s")
            app = create_app({"REDIS_URL": server.url, "TESTING": True})
            app.instance_path = str(Path(folder) / "instance")
            span = (START, START + timedelta(days=400))
            with app.app_context(), open("/dev/null", "w") as sink:
                def streamed():
                    count = 0
                    for line in exports.lines(db, "visits", *span):
                        sink.write(line)
                        count += 1
                    return count

                def held():
                    found = list(exports.lines(db, "visits", *span))
                    sink.write("".join(found))
                    return len(found)

                for name, work in (("streamed (as flask export and the console do)", streamed),
                                   ("baseline: every line held, then written", held)):
                    lines, seconds, peak = measure(work)
                    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                    print(f"| {name} | {lines - 1:,} rows | {seconds:.0f} s | "
                          f"{(lines - 1) / seconds:,.0f} rows/s | Python peak {peak / 2**20:.1f} MiB | "
                          f"process peak so far {rss:.0f} MiB |")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
