"""How long the programme's report takes at national scale, and what its counts cost in Redis.

Run: .venv/bin/python -m bench.report_time [--facilities 1000] [--mothers 1500000]

A Redis server of its own (the system's redis-server, as in production; the embedded one when
none is installed) is filled with the counts a national year leaves (bot/reports/counters.py):
the mothers spread over `--facilities` clinics, a day's counts for the last 92 days and a
month's for twelve months, each field's count in proportion to what the programme does for
that many mothers (weekly SMS, a visit every six weeks, USSD sessions, follow-ups). Then the
report is built as `flask report` builds it, three times each, and the median kept:
a year in total, by county and by facility, and the last 60 days (read day by day).
The baseline, in the same run, is what a report from the records would have to do instead:
read every mother's contact (measured on 100,000 contacts, and scaled to `--mothers`).
"""

import argparse
import random
import shutil
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import redis

from bot import create_app
from bot.reports import counters, figures
from bot.store import contacts
from tests.redis_server import RedisServer

# A month's events per mother, roughly (weekly SMS, a visit in six weeks, a USSD session now
# and then); details as the counts would hold them.
PER_MOTHER_MONTH = {
    "sms_sent": 4.5, "sms_delivered": 4.2, "sms_failed:UserIsInactive": 0.2,
    "sms_failed:DeliveryFailure": 0.1, "ussd_sessions": 0.6, "ussd_completed": 0.4,
    "ussd_dropped:main/menu": 0.1, "ussd_dropped:enrol/due_date": 0.05,
    "ussd_dropped:pmtct/menu": 0.05, "reached_returning": 1.0, "reached_new": 0.05,
    "enrolled:pregnancy": 0.03, "enrolled:baby": 0.02, "opted_out": 0.005,
    "visits_booked": 0.7, "visits_kept": 0.6, "visits_missed": 0.1,
    "missed_followed_up:24-48": 0.05, "missed_followed_up:48-72": 0.03,
    "callbacks_closed": 0.05, "callbacks_in_time": 0.04, "urgent_answered": 0.005,
    "urgent_in_2_hours": 0.004, "development_checks": 0.05, "referrals_suggested": 0.005,
    "enrolment_recovered": 0.005,
}
LANGUAGES = {"en": 0.35, "sw": 0.65}
TODAY = date(2026, 12, 31)


def fill(db, facilities, mothers):
    """Write the counts a year leaves; return the facility codes."""
    codes = [f"{10000 + n}" for n in range(facilities)]
    each = mothers / facilities
    rng = random.Random(7)
    pipe = db.pipeline(transaction=False)
    pipe.sadd(counters.FACILITIES, *codes)
    pipe.sadd(counters.LANGUAGES, *LANGUAGES)
    periods = [(counters.month_key(date(2026, m, 1), ""), 1.0) for m in range(1, 13)]
    periods += [(counters.day_key(TODAY - timedelta(days=d), ""), 1 / 30) for d in range(92)]
    for prefix, share in periods:
        for code in codes:
            counts = {name: max(1, round(rate * each * share * rng.uniform(0.8, 1.2)))
                      for name, rate in PER_MOTHER_MONTH.items()
                      if rate * each * share >= 0.5 or rng.random() < rate * each * share}
            if counts:
                pipe.hset(prefix + counters.facility_scope(code), mapping=counts)
        for scope, part in [(counters.language_scope(code), part)
                            for code, part in LANGUAGES.items()] + [(counters.ALL_SCOPE, 1)]:
            pipe.hset(prefix + scope, mapping={
                name: round(rate * mothers * share * part) for name, rate in PER_MOTHER_MONTH.items()})
        pipe.execute()
    return codes


def timed(work, times=3):
    runs = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def baseline(db, mothers, sample=100_000):
    """Seconds to read `sample` contacts (as a recount from the records must), scaled."""
    pipe = db.pipeline(transaction=False)
    for n in range(sample):
        pipe.hset(contacts.key(f"+2547{30000000 + n:08d}"), mapping={
            "language": "sw", "enrolled": "yes", "facility": f"{10000 + n % 1000}",
            "stage": "baby", "enrolled_on": "2026-03-01", "reached": "2026-12"})
        if n % 5000 == 4999:
            pipe.execute()
    pipe.execute()

    def read_all():
        names = list(db.scan_iter(match="contact:*", count=5000))
        reader = db.pipeline(transaction=False)
        for start in range(0, len(names), 5000):
            for name in names[start:start + 5000]:
                reader.hgetall(name)
            reader.execute()
    return timed(read_all, 1) * mothers / sample


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--facilities", type=int, default=1000)
    parser.add_argument("--mothers", type=int, default=1_500_000)
    parser.add_argument("--redis-server", default=shutil.which("redis-server"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder), args.redis_server or None).start()
        try:
            db = redis.Redis.from_url(server.url, decode_responses=True)
            empty = db.info("memory")["used_memory"]
            started = time.perf_counter()
            fill(db, args.facilities, args.mothers)
            filled = time.perf_counter() - started
            used = db.info("memory")["used_memory"] - empty
            app = create_app({"REDIS_URL": server.url, "TESTING": True})
            app.instance_path = str(Path(folder) / "instance")
            year, recent = (date(2026, 1, 1), TODAY), (TODAY - timedelta(days=59), TODAY)
            with app.app_context():
                results = {
                    "a year, in total": timed(lambda: figures.build(db, *year, today=TODAY)),
                    "a year, by county": timed(lambda: figures.build(db, *year, "county", TODAY)),
                    "a year, by facility": timed(lambda: figures.build(db, *year, "facility",
                                                                       TODAY)),
                    "a year, by language": timed(lambda: figures.build(db, *year, "language",
                                                                       TODAY)),
                    "the last 60 days, in total": timed(lambda: figures.build(db, *recent,
                                                                              today=TODAY)),
                }
                check = figures.build(db, *year, today=TODAY)
            sent = next(r.values["All"] for r in check.rows if r.name == "sms_sent")
            per_day = used / (args.facilities * (92 + 12))
            print(f"{args.facilities} facilities, {args.mothers:,} mothers: counts for 92 days and "
                  f"12 months written in {filled:.0f} s; {used / 2**20:.0f} MiB of Redis "
                  f"(about {per_day:.0f} bytes a facility a day or month)")
            print(f"SMS sent in the year's report: {sent:,}")
            print("| report | seconds (median of 3) |")
            print("| --- | --- |")
            for name, seconds in results.items():
                print(f"| {name} | {seconds:.2f} |")
            print(f"| baseline: reading every mother's contact instead | {baseline(db, args.mothers):.1f} |")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
