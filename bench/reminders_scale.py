"""How much Redis one enrolled mother costs, and how fast reminders go out.

Run: .venv/bin/python -m bench.reminders_scale [--contacts 20000]

It starts a Redis server of its own (so nothing else is counted), enrols
N contacts as the programme would (half pregnant, half with a baby; half with
an imported clinic visit), files them for reminders, and reads Redis's
used_memory before and after: bytes per contact, projected to 1.5 million.
Then every contact is made due for her weekly message at once and a dispatch
sends them through the official SDK to a local fake Africa's Talking server,
split into jobs run at the same time in processes of their own as the workers
run them (--jobs, 2 by default as DISPATCH_JOBS), with bulk grouping (one
request per identical text, 500 per batch) and, on a sample, without it (one
request per recipient): the ratio is what grouping buys.

With `--weeks N` it runs bench/memory_year.py instead: the same mothers through N weeks of
messages with the retention rules applied, and Redis per mother at the end.
"""

import argparse
import multiprocessing
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from bench.machine import Steal
from bot.content import load_content
from bot.reminders import dispatch, due_list
from bot.reminders.timing import Rules
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, visits
from tests.fake_at import API_KEY, USERNAME, FakeAT
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Africa/Nairobi")
RULES = Rules.from_config({"SEND_FROM": "08:00", "SEND_UNTIL": "18:00",
                           "REMINDER_DAY_BEFORE_AT": "10:00", "REMINDER_MORNING_AT": "08:00",
                           "STAGE_MESSAGE_WEEKDAY": 1, "STAGE_MESSAGE_AT": "10:00",
                           "MISSED_VISIT_AFTER_DAYS": 2})
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=TZ)  # a Tuesday, 10:00: weekly message time


def enrol(db, content, count, first=0, filed=True):
    """Enrol `count` mothers, numbered from `first`; file each under her next reminder unless
    `filed` is false (the caller files them itself). Returns their numbers."""
    rng = random.Random(7)
    phones = []
    for start in range(first, first + count, 1000):
        pipe = db.pipeline(transaction=False)
        for n in range(start, min(start + 1000, first + count)):
            phone = f"+2547{10000000 + n:08d}"
            phones.append(phone)
            fields = {"language": rng.choice(["en", "sw"]), "enrolled": "yes",
                      "consent_sms": "yes", "enrolled_on": "2026-06-01",
                      "clinic": "Mathare North Health Centre", "enrol_offered": "yes",
                      "updated_at": "1795000000"}
            if n % 2:
                fields.update(stage="pregnancy",
                              due_date=(NOW.date() + timedelta(days=rng.randint(14, 250))).isoformat())
            else:
                fields.update(stage="baby",
                              birth_date=(NOW.date() - timedelta(days=rng.randint(7, 700))).isoformat())
            pipe.hset(contacts.key(phone), mapping=fields)
            if n % 4 < 2:
                visits.add(pipe, phone, NOW.date() + timedelta(days=rng.randint(2, 60)),
                           "anc" if n % 2 else "immunisation", "09:00", "Mathare North", "import")
        pipe.execute()
    for start in range(0, len(phones) if filed else 0, dispatch.CHUNK):
        chunk = phones[start:start + dispatch.CHUNK]
        plans = dispatch.plan_for(db, content, NOW - timedelta(days=1), RULES, chunk)
        due_list.file(db, {p: plan.next_at for p, _, plan in plans})
    return phones


def _job(url, at_url, content, batch, job, jobs, results):
    """One dispatch job in a process of its own, as one RQ worker runs it."""
    db = redis.Redis.from_url(url, decode_responses=True)
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at_url)
    cpu = time.process_time()
    report = dispatch.dispatch(db, content, gateway, NOW, RULES, batch, job, jobs)
    results.put((job, report.sent, report.contacts, time.process_time() - cpu,
                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def timed_dispatch(url, at_url, content, phones, batch, jobs):
    """Make `phones` due and run `jobs` dispatch jobs at once; return (totals, seconds)."""
    due_list.file(redis.Redis.from_url(url, decode_responses=True),
                  {p: NOW - timedelta(seconds=1) for p in phones})
    fork = multiprocessing.get_context("fork")
    results = fork.Queue()
    workers = [fork.Process(target=_job, args=(url, at_url, content, batch, n, jobs, results))
               for n in range(jobs)]
    started, steal = time.perf_counter(), Steal()
    for worker in workers:
        worker.start()
    found = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    totals = {"sent": sum(r[1] for r in found), "contacts": sum(r[2] for r in found),
              "cpu": [round(r[3], 1) for r in sorted(found)],
              "rss_mib": max(r[4] for r in found) // 1024, "steal": steal.line()}
    return totals, seconds


class _FakeATProcess:
    """The fake AT server in its own process (bench/fake_at_server.py)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "bench.fake_at_server"],
                                        cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def count(self):
        return "n/a (separate process)"

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--ungrouped", type=int, default=1_000, help="sample sent one by one")
    parser.add_argument("--separate-at", action="store_true",
                        help="run the fake AT server in a process of its own")
    parser.add_argument("--jobs", type=int, default=2,
                        help="dispatch jobs run at once, each in its own process (DISPATCH_JOBS)")
    parser.add_argument("--weeks", type=int, default=0,
                        help="simulate N weeks of messages and report memory (bench/memory_year.py)")
    args = parser.parse_args()
    if args.weeks:
        from bench import memory_year

        memory_year.main(["--contacts", str(args.contacts), "--weeks", str(args.weeks)])
        return
    content = load_content(ROOT / "flows", ROOT / "locales")
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder)).start()
        at = _FakeATProcess() if args.separate_at else FakeAT().start()
        db = redis.Redis.from_url(server.url, decode_responses=True)
        try:
            base = db.info("memory")["used_memory"]
            phones = enrol(db, content, args.contacts)
            per_contact = (db.info("memory")["used_memory"] - base) / len(phones)
            filed = due_list.size(db)
            before_send = db.info("memory")["used_memory"]
            grouped, grouped_s = timed_dispatch(server.url, at.url, content, phones, 500,
                                                args.jobs)
            per_sms = (db.info("memory")["used_memory"] - before_send) / grouped["sent"]
            requests_grouped = grouped["sent"] and at.count()
            sample = enrol(db, content, args.ungrouped, first=10_000_000)
            single, single_s = timed_dispatch(server.url, at.url, content, sample, 1, args.jobs)
        finally:
            at.stop()
            server.stop()
    rate, single_rate = grouped["sent"] / grouped_s, single["sent"] / single_s
    print(f"contacts enrolled and filed: {len(phones)} ({filed} with a next reminder)")
    print(f"Redis bytes per contact (contact, visits, reminder index): {per_contact:.0f}")
    print(f"projection for 1.5 million contacts: {per_contact * 1.5e6 / 2**30:.2f} GiB")
    print(f"Redis bytes per SMS sent (message record, her log, sent marker): {per_sms:.0f}")
    kept = 2 * 35 / 7  # about two SMS a week, records kept 35 days
    print(f"steady state with {kept:.0f} message records each: "
          f"{(per_contact + kept * per_sms) * 1.5e6 / 2**30:.1f} GiB for 1.5 million")
    print(f"dispatch in {args.jobs} job(s) at once, grouped (500 per request): "
          f"{grouped['sent']} SMS in {grouped_s:.1f} s = {rate:.0f}/s, {requests_grouped} requests")
    print(f"  CPU seconds per job: {grouped['cpu']}; largest job's memory: "
          f"{grouped['rss_mib']} MiB; {grouped['steal']}")
    print(f"dispatch in {args.jobs} job(s), one request per SMS: {single['sent']} SMS in "
          f"{single_s:.1f} s = {single_rate:.0f}/s")
    print(f"  {single['steal']}")
    print(f"grouping speed-up in this run: {rate / single_rate:.1f}x")
    print(f"a national weekly send (1.5 million) at the grouped rate: "
          f"{1.5e6 / rate / 60:.0f} minutes")


if __name__ == "__main__":
    main()
