"""Two `python worker.py` processes against a Redis server of the test's own, no `serve`: the
worker holding RQ's scheduler is killed (SIGKILL) in the middle of a dispatch job. The other
worker takes the scheduler over within a minute, a delayed SMS retry and the next dispatch slot
run on time after that, and the dispatch chain holds each next slot exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.scheduler import RQScheduler

from bot import create_app, jobs, store
from bot.reminders import due_list
from bot.sms import outbound

from .fake_at import API_KEY, USERNAME
from .redis_server import RedisServer
from .serve_process import alive
from .test_reminders_dispatch import enrol

ROOT = Path(__file__).resolve().parent.parent
TAKEOVER_LIMIT = 60  # seconds: what the bot promises
ON_TIME = 5  # seconds a due job may start late (the scheduler looks every second)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="a worker's processes end with it on Linux only")


def _midday_zone():
    """A programme time zone in which it is about noon now, whatever the hour: the dispatch
    sends inside its sending hours (08:00-18:00) at any time the suite runs."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return f"Etc/GMT{-offset:+d}"  # Etc/GMT-3 is three hours ahead of UTC


def _wait(what, check, seconds, processes=()):
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        for process in processes:
            assert process.poll() is None, f"a worker stopped (exit {process.returncode}): {what}"
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.1)


def _scheduler_worker(connection):
    """The worker (a process group leader) whose scheduler holds the reminders' lock, if any."""
    holder = connection.get(RQScheduler.get_locking_key("reminders"))
    if holder is None:
        return None
    try:
        return os.getpgid(RQScheduler.fetch(holder.decode(), connection).pid)
    except Exception:
        return None


def _booked_dispatches(connection):
    queue = Queue("reminders", connection=connection)
    return sorted(ScheduledJobRegistry(queue=queue).get_job_ids(cleanup=False))


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.mark.long  # up to a minute to reach a slot, a minute for the takeover, a minute more
def test_a_surviving_worker_takes_over_the_scheduler_and_the_chain_holds(redis_server, at,
                                                                           tmp_path):
    zone = ZoneInfo(_midday_zone())
    app = create_app({"TESTING": True, "REDIS_URL": redis_server.url, "WEBHOOK_TOKEN": ""})
    db, connection = store.redis(app), store.queue_connection(app)
    # Mothers due now, in the parts of both jobs of a dispatch: each job sends for a while.
    phones = [f"+2547120{n:05d}" for n in range(400)]
    phones = [[p for p in phones if due_list.part_of(p) in due_list.parts_for(job, 2)][:10]
              for job in range(2)]
    for phone in phones[0] + phones[1]:
        enrol(db, phone, stage="pregnancy", due_date="2027-03-16")
    due_list.file(db, {p: datetime.now(zone) - timedelta(minutes=1) for p in phones[0] + phones[1]})
    at.delay = 2.0  # each one-recipient request takes a while: each job sends for ~20 s
    env = dict(os.environ, REDIS_URL=redis_server.url, BOT_TIMEZONE=str(zone),
               AT_USERNAME=USERNAME, AT_API_KEY=API_KEY, AT_API_URL=at.url, SMS_BATCH_SIZE="1",
               DISPATCH_EVERY_MINUTES="1", DISPATCH_JOBS="2", CONTENT_RELOAD_SECONDS="0")
    workers = []

    def start(name):
        with open(tmp_path / f"{name}.log", "w") as out:
            workers.append(subprocess.Popen([sys.executable, "worker.py"], cwd=ROOT, env=env,
                                            stdout=out, stderr=subprocess.STDOUT,
                                            process_group=0))
        return workers[-1]

    try:
        # Both workers start (each booking the coming slot) well before that slot.
        if 60 - datetime.now(zone).second < 15:
            time.sleep(61 - datetime.now(zone).second)
        first = start("first")
        _wait("the first worker holds the scheduler",
              lambda: _scheduler_worker(connection) == first.pid, 20, workers)
        second = start("second")
        _wait("both workers listen", lambda: len(Worker.all(connection=connection)) == 2, 20,
              workers)
        booked = _booked_dispatches(connection)
        slot = datetime.strptime(booked[0].split("-")[2], "%Y%m%d%H%M").replace(tzinfo=zone)
        assert booked == [jobs.dispatch_job_id(slot, n, 2) for n in range(2)]
        assert datetime.now(zone) < slot  # booked by the workers as they started, not yet run
        started = StartedJobRegistry("reminders", connection=connection)
        _wait("at the slot each worker sends one job",
              lambda: len(started.get_job_ids(cleanup=False)) == 2 and at.arrivals >= 2, 75,
              workers)
        name = next(w.name for w in Worker.all(connection=connection) if w.pid == first.pid)
        [killed_job] = [job_id for job_id in started.get_job_ids(cleanup=False)
                        if Job.fetch(job_id, connection=connection).worker_name == name]

        scheduler_pid = RQScheduler.fetch(
            connection.get(RQScheduler.get_locking_key("reminders")).decode(), connection).pid
        os.kill(first.pid, signal.SIGKILL)  # its job's and scheduler's processes die with it
        killed = time.monotonic()
        first.wait(5)
        workers.remove(first)
        at.delay = 0.0
        _wait("the killed worker's scheduler ends with it", lambda: not alive(scheduler_pid), 5)

        # Its job never finished (nor ran a `finally`), yet the next slot is booked once a job.
        next_slot = slot + timedelta(minutes=1)
        expected = [jobs.dispatch_job_id(next_slot, n, 2) for n in range(2)]
        assert _booked_dispatches(connection) == expected
        assert killed_job in started.get_job_ids(cleanup=False)

        # A reply whose first try fails waits for the scheduler to be tried again.
        _wait("the second worker's dispatch job is done",
              lambda: started.get_job_ids(cleanup=False) == [killed_job], 30, workers)
        at.plan = ["500"]  # AT's answer to the next request: the reply's, nothing else sends
        retry_in = 50
        jobs.queue_sms([outbound.Outgoing("+254712000777", "Hello again", "reply")],
                       connection, [retry_in])
        retry_due = time.monotonic() + retry_in
        _wait("the reply's first try fails", lambda: not at.plan, 10, workers)
        assert "+254712000777" not in at.recipients()

        _wait("the second worker holds the scheduler",
              lambda: _scheduler_worker(connection) == second.pid, TAKEOVER_LIMIT + 5, workers)
        took = time.monotonic() - killed
        print(f"\nscheduler taken over {took:.1f} s after its holder was killed")
        assert took <= TAKEOVER_LIMIT

        _wait("the reply's retry reaches AT",
              lambda: "+254712000777" in at.recipients(), retry_in + 15, workers)
        late = time.monotonic() - retry_due
        assert late <= ON_TIME, f"the SMS retry ran {late:.1f} s late"

        for job_id in expected:  # the next slot runs on time, each job once
            job = Job(job_id, connection=connection)
            _wait(f"{job_id} is done", lambda job=job: job.get_status(refresh=True)
                  == JobStatus.FINISHED, 75, workers)
            began = Job.fetch(job_id, connection=connection).started_at.replace(tzinfo=UTC)
            assert began - next_slot <= timedelta(seconds=ON_TIME), f"{job_id} ran late"
        after = next_slot + timedelta(minutes=1)
        assert _booked_dispatches(connection) == [jobs.dispatch_job_id(after, n, 2)
                                                  for n in range(2)]
        sweeps = ScheduledJobRegistry("default", connection=connection).get_job_ids()
        assert len(sweeps) == 1 and sweeps[0].startswith(jobs.SWEEP_PREFIX)
    finally:
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            worker.wait(5)
        connection.close()
        db.close()
