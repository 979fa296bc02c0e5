"""A national send as production runs it: no duplicates, and replies within seconds meanwhile.

Run: .venv/bin/python -m bench.national_send [--contacts 1500000]

It starts a Redis server of its own and the fake Africa's Talking server in a process of its
own (bench/fake_at_server.py --tally: it notes every recipient of every request, and when),
enrols N mothers (bench/reminders_scale.py's mothers) and files every one of them due now.
Then the Procfile's processes start as the Procfile says, with BOT_ENV=production: one `web`
(gunicorn), two `worker` and one `replies`, with DISPATCH_JOBS=2 and the programme's time zone
one where it is midday, so the send is inside its sending hours whatever the hour. The
workers book the dispatch themselves as they start (the slot of the coming minute), as they
do in production. Every second during the send a different enrolled mother texts HELP to
the web process's SMS webhook, and the time until the fake AT is asked to send her the
reply is measured. When no one is due any more and the slot's jobs are done, it reports the
SMS sent, the time from the slot to the last one, the bulk requests, the mothers who got
the same text twice (must be none), the reply times, the workers' peak memory and Redis's.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import redis
from rq import Worker
from rq.job import Job

from bench.machine import Steal
from bench.reminders_scale import enrol
from bot import jobs
from bot.content import load_content
from bot.reminders import due_list
from bot.sms import outbound
from tests.fake_at import API_KEY, USERNAME
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "national-send-token"
WORKERS = 2  # `worker` processes, as many as DISPATCH_JOBS
REPLY_LIMIT = 60  # seconds after which a HELP with no reply counts as unanswered
FILE_CHUNK = 50_000  # mothers filed due per round trip


def midday_zone():
    """A programme time zone in which it is about noon now, so the send is inside its sending
    hours (08:00-18:00) at any hour the benchmark runs (as tests/test_scheduler_takeover.py)."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is three hours ahead of UTC


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_command(name, env):
    """The Procfile's settings and command for process `name`, as the process manager runs
    it: `${PORT:-5000}` filled in from `env`, `python` and `gunicorn` this interpreter's."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if not line.startswith(f"{name}:"):
            continue
        line = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m[1], m[2]),
                      line.partition(":")[2])
        words = shlex.split(line)
        settings = {}
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            key, _, value = words.pop(0).partition("=")
            settings[key] = value
        bin_folder = Path(sys.executable).parent
        command = [sys.executable if w == "python" else
                   str(bin_folder / w) if i == 0 and (bin_folder / w).exists() else w
                   for i, w in enumerate(words)]
        return settings, command
    raise SystemExit(f"The Procfile has no {name} process")


class Processes:
    """The bot's processes this benchmark started, each in a session of its own, and their logs."""

    def __init__(self, folder):
        self.folder, self.started = folder, []

    def start(self, name, env):
        settings, command = procfile_command(name, env)
        log = open(self.folder / f"{name}-{len(self.started)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(command, cwd=ROOT, env={**env, **settings}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.started.append((name, process))
        return process

    def check(self):
        for name, process in self.started:
            if process.poll() is not None:
                raise SystemExit(f"the {name} process stopped (exit {process.returncode}); "
                                 f"see its log in {self.folder}")

    def stop(self):
        for _, process in self.started:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, process in self.started:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)
                process.wait()


def _signal(process, number):
    try:
        os.killpg(process.pid, number)  # the process and whatever it started
    except ProcessLookupError:
        pass


class PeakMemory:
    """The largest resident memory seen of each kind of process, its children included (RQ
    runs each job in a child process of the worker): sampled, so a short peak may be missed."""

    def __init__(self, processes):
        self.processes, self.peak = processes, {}

    def sample(self):
        children = _children()
        for name, process in self.processes.started:
            for pid in [process.pid, *_descendants(process.pid, children)]:
                self.peak[name] = max(self.peak.get(name, 0), _rss_kib(pid))

    def line(self):
        return ", ".join(f"{name} {kib // 1024} MiB" for name, kib in sorted(self.peak.items()))


def _children():
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(entry.name))
    return found


def _descendants(pid, children):
    for child in children.get(pid, []):
        yield child
        yield from _descendants(child, children)


def _rss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class TallyingAT:
    """The fake AT server in its own process, noting every recipient (bench/fake_at_server.py)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "bench.fake_at_server", "--tally"],
                                        cwd=ROOT, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def tally(self, phones=(), duplicates=False):
        form = {"phones": ",".join(phones), **({"duplicates": "1"} if duplicates else {})}
        request = urllib.request.Request(f"{self.url}/tally",
                                         data=urllib.parse.urlencode(form).encode())
        with urllib.request.urlopen(request, timeout=120) as answer:
            return json.load(answer)

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


def enrol_due(db, content, count, now):
    """Enrol `count` mothers and file every one due now; return (numbers, seconds)."""
    started = time.perf_counter()
    phones = enrol(db, content, count, filed=False)
    for start in range(0, len(phones), FILE_CHUNK):
        due_list.file(db, {p: now - timedelta(seconds=1) for p in phones[start:start + FILE_CHUNK]})
    return phones, time.perf_counter() - started


def text_the_bot(web_url, phone, words):
    """An incoming SMS, as AT posts it to the SMS webhook."""
    form = {"from": phone, "to": "22384", "text": words, "id": f"in-{phone}-{time.time()}",
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"), "linkId": "",
            "networkCode": "63902"}
    request = urllib.request.Request(f"{web_url}/sms/incoming?token={TOKEN}",
                                     data=urllib.parse.urlencode(form).encode())
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def wait_for(what, check, seconds, processes):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        processes.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"not within {seconds} s: {what}")
        time.sleep(0.2)
    return found


def _web_answers(url):
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def start_bot(processes, env, connection):
    """Start the Procfile's web, workers and replies worker; return (web URL, booked slot)."""
    port = free_port()
    processes.start("web", {**env, "PORT": str(port)})
    for _ in range(WORKERS):
        processes.start("worker", env)
    processes.start("replies", env)
    web_url = f"http://127.0.0.1:{port}"
    wait_for("the web process answers", lambda: _web_answers(web_url), 60, processes)
    wait_for("the workers listen", lambda: len(Worker.all(connection=connection)) == WORKERS + 1,
             60, processes)
    slots = wait_for("the workers book the dispatch", lambda: dispatch_jobs(connection), 30,
                     processes)
    return web_url, min(slots).replace(tzinfo=ZoneInfo(env["BOT_TIMEZONE"]))


def dispatch_jobs(connection):
    """{slot: [job ids]} of every dispatch job in Redis, whether booked, waiting, running or
    done. Each worker books the slot of the minute to come as it starts, so two workers
    started either side of a minute book two slots: the earlier one sends, the later one
    finds the due list's parts taken or no one due."""
    found = {}
    for name in connection.scan_iter(match=f"rq:job:{jobs.DISPATCH_PREFIX}*", count=1000):
        job_id = name.decode().removeprefix("rq:job:")
        if jobs.dispatch_job_of(job_id):
            slot = datetime.strptime(job_id.split("-")[2], "%Y%m%d%H%M")
            found.setdefault(slot, []).append(job_id)
    return found


def learn_replies(web_url, at, quiet_phones, processes):
    """The texts of the HELP reply, one per language: asked from mothers the dispatch does not
    send to, before the slot, so nothing else can be taken for a reply."""
    for phone in quiet_phones:
        text_the_bot(web_url, phone, "HELP")
    found = wait_for("the HELP replies to the mothers not due",
                     lambda: (t := at.tally(quiet_phones)["phones"]) and all(t.values()) and t,
                     REPLY_LIMIT, processes)
    return {arrivals[0][1] for arrivals in found.values()}


class ReplyTimes:
    """A HELP a second from a different mother; when the fake AT got each one's reply."""

    def __init__(self, web_url, at, phones, replies):
        self.web_url, self.at, self.replies = web_url, at, replies
        self.phones = iter(phones)
        self.asked, self.waited, self.unanswered = {}, [], []
        self.next_at = time.monotonic()

    def tick(self):
        """Ask if a second has passed since the last HELP; collect the replies come in."""
        if time.monotonic() >= self.next_at:
            phone = next(self.phones)
            self.asked[phone] = time.time()
            text_the_bot(self.web_url, phone, "HELP")
            self.next_at += 1
        self.collect()

    def collect(self):
        if not self.asked:
            return
        found = self.at.tally(list(self.asked))["phones"]
        for phone, arrivals in found.items():
            asked = self.asked[phone]
            got = [t for t, text in arrivals if text in self.replies and t >= asked]
            if got:
                self.waited.append(min(got) - asked)
                del self.asked[phone]
            elif time.time() - asked > REPLY_LIMIT:
                self.unanswered.append(phone)
                del self.asked[phone]

    def finish(self, processes):
        wait_for("the last HELP replies", lambda: (self.collect(), not self.asked)[1],
                 REPLY_LIMIT + 5, processes)

    def line(self):
        if not self.waited:
            return f"no reply timed ({len(self.unanswered)} unanswered)"
        waited = sorted(self.waited)
        p95 = waited[min(len(waited) - 1, round(0.95 * (len(waited) - 1)))]
        return (f"{len(waited)} HELP replies: median {statistics.median(waited):.2f} s, "
                f"95th percentile {p95:.2f} s, longest {waited[-1]:.2f} s; "
                f"{len(self.unanswered)} unanswered within {REPLY_LIMIT} s")


def send_is_over(db, connection, slot, zone):
    """No one is due any more and the slot's dispatch jobs are done."""
    if due_list.due(db, range(due_list.PARTS), datetime.now(zone), 1)[0]:
        return False
    for job in range(WORKERS):
        status = Job.fetch(jobs.dispatch_job_id(slot, job, WORKERS), connection=connection) \
            .get_status()
        if status not in ("finished", "failed"):
            return False
    return True


def job_reports(connection):
    """[(job id, SMS sent, parts left to another job, runs)] of the dispatch jobs that ran:
    a job run more than once (tried again, or handed back) would show here, and so would a run
    that ended without a report (its work-horse killed, a time limit): its SMS went out but
    are in no job's count, so each such run is named with how it ended."""
    found = []
    for ids in dispatch_jobs(connection).values():
        for job_id in ids:
            job = Job.fetch(job_id, connection=connection)
            report = job.return_value() or {}
            runs = job.results()
            ended = [f"{run.type.name.lower()}: {(run.exc_string or '').strip().splitlines()[-1:]}"
                     for run in runs if run.type.name != "SUCCESSFUL"]
            if report or runs:
                found.append((job_id, report.get("sent", 0), report.get("busy_parts", 0),
                              len(runs), ended))
    return sorted(found)


def weekly_marked(db, phones):
    """How many of these mothers have this week's message marked sent in Redis."""
    count = 0
    for start in range(0, len(phones), FILE_CHUNK):
        pipe = db.pipeline(transaction=False)
        for phone in phones[start:start + FILE_CHUNK]:
            pipe.hkeys(outbound.done_key(phone))
        count += sum(any(k.startswith("stage:") for k in keys) for keys in pipe.execute())
    return count


def bot_env(redis_url, at_url, zone):
    return {**os.environ, "PYTHONPATH": str(ROOT), "REDIS_URL": redis_url,
            "SECRET_KEY": "s" * 64, "WEBHOOK_TOKEN": TOKEN, "AT_USERNAME": USERNAME,
            "AT_API_KEY": API_KEY, "AT_API_URL": at_url, "BOT_TIMEZONE": zone,
            "DISPATCH_JOBS": str(WORKERS), "DISPATCH_EVERY_MINUTES": "1", "LOG_LEVEL": "WARNING"}


def run(args, folder):
    print(f"load average before the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)",
          flush=True)
    content = load_content(ROOT / "flows", ROOT / "locales")
    zone = ZoneInfo(midday_zone())
    server = RedisServer(folder, executable=args.redis_server).start()
    at = TallyingAT()
    processes = Processes(folder)
    db = redis.Redis.from_url(server.url, decode_responses=True)
    connection = redis.Redis.from_url(server.url)
    try:
        phones, enrol_s = enrol_due(db, content, args.contacts, datetime.now(zone))
        quiet = enrol(db, content, 2, first=args.contacts, filed=False)  # never due
        print(f"enrolled and filed due: {len(phones):,} mothers in {enrol_s:.1f} s "
              f"({len(phones) / enrol_s:,.0f}/s); Redis used_memory "
              f"{db.info('memory')['used_memory'] / 2**20:,.0f} MiB", flush=True)
        web_url, slot = start_bot(processes, bot_env(server.url, at.url, str(zone)), connection)
        replies = learn_replies(web_url, at, quiet, processes)
        print(f"processes up (web, {WORKERS} workers, replies); dispatch booked for "
              f"{slot:%H:%M} {zone}, in {slot.timestamp() - time.time():.0f} s", flush=True)
        report = watch_the_send(args, db, connection, at, processes, web_url, phones, replies,
                                slot, zone)
        report["weekly marked"] = weekly_marked(db, phones)
        report["redis MiB"] = db.info("memory")["used_memory"] / 2**20
        print_report(args, report, len(phones))
    finally:
        processes.stop()
        at.stop()
        db.close()
        connection.close()
        server.stop()


def watch_the_send(args, db, connection, at, processes, web_url, phones, replies, slot, zone):
    """HELP a second until the send is over (or the limit); return what was measured."""
    wait_for("the slot", lambda: time.time() >= slot.timestamp() - 1, 120, processes)
    stride = max(1, len(phones) // (args.limit + 600))  # a different mother every second
    probes = ReplyTimes(web_url, at, phones[::stride], replies)
    memory, steal = PeakMemory(processes), Steal()
    deadline, last_note = time.monotonic() + args.limit, time.monotonic()
    while not send_is_over(db, connection, slot, zone):
        processes.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"the send was not over within {args.limit} s (--limit)")
        probes.tick()
        memory.sample()
        if time.monotonic() - last_note > 30:
            sent = sum(n for text, n in at.tally()["texts"].items() if text not in replies)
            print(f"  {time.time() - slot.timestamp():.0f} s after the slot: {sent:,} SMS sent; "
                  f"{probes.line()}", flush=True)
            last_note = time.monotonic()
        time.sleep(0.05)
    over = time.time()
    ran = job_reports(connection)
    probes.finish(processes)
    tally = at.tally(duplicates=True)
    sent = {text: n for text, n in tally["texts"].items() if text not in replies}
    last = max(tally["last_at"][text] for text in sent) if sent else over
    answered = sum(n for text, n in tally["texts"].items() if text in replies)  # one a request
    return {"sent": sum(sent.values()), "seconds": last - slot.timestamp(),
            "requests": tally["requests"] - answered,
            "jobs": ran,
            "duplicates": tally["duplicates"], "probes": probes, "memory": memory.line(),
            "steal": steal.line()}


def print_report(args, report, mothers):
    seconds = report["seconds"]
    print(f"national send, {mothers:,} mothers due, {WORKERS} workers (DISPATCH_JOBS={WORKERS}):")
    print(f"  SMS sent: {report['sent']:,} in {report['requests']:,} bulk requests")
    print(f"  from the slot to the last one: {seconds:.1f} s = {report['sent'] / seconds:,.0f} SMS/s")
    print("  dispatch jobs that ran, as each reports itself (SMS sent; parts of the due list "
          "left to another job):")
    for job_id, sent, busy, runs, ended in report["jobs"]:
        print(f"    {job_id}: {sent:,} sent, {busy} parts left, run {runs} time(s)")
        for line in ended:  # a run with no report: what it sent is in no job's count
            print(f"      a run ended without a report, {line}")
    print(f"  mothers with this week's message marked sent: {report['weekly marked']:,} of "
          f"{mothers:,}")
    duplicates = report["duplicates"]
    print(f"  mothers who got the same text more than once: {len(duplicates)}"
          + (f" (for example {duplicates[0][0][:-4]}****, {duplicates[0][2]} times)"
             if duplicates else ""))
    print(f"  replies during the send: {report['probes'].line()}")
    print(f"  peak resident memory: {report['memory']}")
    print(f"  Redis used_memory at the end: {report['redis MiB']:,.0f} MiB")
    print(f"  {report['steal']}; load average at the end {os.getloadavg()[0]:.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_500_000)
    parser.add_argument("--limit", type=int, default=1800,
                        help="seconds after the slot to give up waiting for the send")
    parser.add_argument("--redis-server", default="redis-server",
                        help="the Redis server to run (the system's by default)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="national-send-"))
    try:
        run(args, folder)
    except KeyboardInterrupt:
        print("stopped; every process started was ended")
    except SystemExit:
        show_logs(folder)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def show_logs(folder):
    """The end of each process's log, as the temporary folder is about to go."""
    for log in sorted(folder.glob("*.log")):
        print(f"--- {log.name} (last lines)", file=sys.stderr)
        print("\n".join(log.read_text(errors="replace").splitlines()[-15:]), file=sys.stderr)


if __name__ == "__main__":
    main()
