"""`flask --app wsgi serve` keeps the bot running when one of its parts is killed: a worker is
replaced (and its scheduler's work taken over), a job in flight runs again and sends its SMS once,
the embedded Redis comes back with what it had, the web app comes back. One serve runs the whole
module, in order (each test leaves it whole), and Ctrl-C stops it; each scenario is bounded to a few
seconds."""

import os
import signal
import sys
import time
from datetime import timedelta

import pytest
from rq import Queue
from rq.exceptions import SchedulerNotFound
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler

from bot import jobs
from bot.sms import outbound
from bot.store import embedded

from .fake_at import FakeAT
from .serve_process import Served, alive, command_line, descendants

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="watches processes through Linux's /proc")


@pytest.fixture(scope="module")
def at():
    server = FakeAT().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory, at):
    served = Served(tmp_path_factory.mktemp("serve"), at)
    try:
        served.wait_for("serve answers USSD", served.answers_ussd, 60)
        served.wait_for("three workers run (two for dispatches, one for replies)",
                        lambda: len(served.workers()) == 3, 30)
        yield served
    finally:
        served.stop()


def _send_one(served, at, phone):
    """Queue one SMS as a reply would be."""
    with served.connection() as connection:
        jobs.queue_sms([outbound.Outgoing(phone, "Test message from the serve test.")],
                       connection, [0, 0])


def _scheduler_pid(served):
    """The pid of the scheduler process holding the reminders' lock, once it has started: a worker
    takes the lock before its scheduler's own process writes its record."""
    with served.connection() as connection:
        holder = connection.get(RQScheduler.get_locking_key("reminders"))
        if holder is None:
            return None
        try:
            return RQScheduler.fetch(holder.decode(), connection).pid
        except SchedulerNotFound:
            return None


def test_a_killed_worker_is_replaced_and_its_scheduler_taken_over(served):
    served.wait_for("a worker's scheduler runs", lambda: _scheduler_pid(served), 30)
    victim = os.getpgid(_scheduler_pid(served))  # the worker whose scheduler moves delayed jobs on
    assert victim in [w.pid for w in served.workers()]
    os.kill(victim, signal.SIGKILL)
    served.wait_for("a new worker replaces it", lambda: len(served.workers()) == 3 and victim
                    not in [w.pid for w in served.workers()], 30)
    assert "stopped (killed by SIGKILL); starting it again" in served.output()
    assert served.answers_ussd()  # the web app was never stopped
    with served.connection() as connection:  # a dispatch booked for later, as the worker books them
        dispatch = Queue("reminders", connection=connection).enqueue_in(
            timedelta(seconds=1), jobs.dispatch_reminders, 0, 1, retry=jobs.DISPATCH_RETRY)
        served.wait_for("the booked reminder dispatch is done",
                        lambda: dispatch.get_status(refresh=True) == JobStatus.FINISHED, 20)


def test_a_job_whose_worker_is_killed_mid_send_runs_again_and_sends_once(served, at):
    phone = "+254712000484"
    at.delay = 2.0  # the worker waits for AT's answer
    before = at.arrivals
    _send_one(served, at, phone)
    served.wait_for("the SMS reaches AT", lambda: at.arrivals > before, 15)
    with served.connection() as connection:
        [job_id] = StartedJobRegistry("sms", connection=connection).get_job_ids()
        job = Job.fetch(job_id, connection=connection)
        runner = next(w for w in served.workers() if w.name == job.worker_name)
        os.kill(runner.pid, signal.SIGKILL)
        at.delay = 0.0
        served.wait_for("the job runs again and is done",
                        lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 15)
        assert not StartedJobRegistry("sms", connection=connection).get_job_ids()
    assert f"the job it was running ({job.description}) will run again." in served.output()
    served.wait_for("AT answered the first request", lambda: phone in at.recipients(), 10)
    assert at.recipients().count(phone) == 1  # the run after the kill did not send it again
    served.wait_for("a new worker replaces it", lambda: len(served.workers()) == 3, 30)


def test_a_killed_embedded_redis_comes_back_with_what_it_had(served, at):
    kept = "+254712000481"
    assert "Choose language" in served.ussd(kept, "kept", "")  # her session is saved
    pid = int((served.redis_folder / "redis.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    served.wait_for("USSD answers again", served.answers_ussd, 10)
    assert "Would you like free SMS" in served.ussd(kept, "kept", "1")  # she goes on from there
    assert int((served.redis_folder / "redis.pid").read_text()) != pid
    assert served.output().count("The embedded Redis stopped (its process is gone); starting it "
                                 "again") == 1
    _send_one(served, at, "+254712000482")  # the workers found it again
    served.wait_for("the SMS is sent", lambda: "+254712000482" in at.recipients(), 20)


def test_a_killed_web_app_is_started_again(served):
    web = next(p for p in descendants(served.process.pid)
               if "gunicorn" in command_line(p) and "worker.py" not in command_line(p))
    left = [p for p in descendants(web)]  # its own web processes
    os.kill(web, signal.SIGKILL)
    said = "The web app (gunicorn) stopped (killed by SIGKILL); starting it again"
    served.wait_for("serve notices", lambda: said in served.output(), 10)
    served.wait_for("USSD answers again", served.answers_ussd, 30)
    assert left and not [p for p in [web, *left] if alive(p)]  # none of them answers now


def test_ctrl_c_stops_every_part_and_leaves_nothing_running(served):
    deadline = time.monotonic() + 30  # parts killed by the tests above may still be coming back
    while True:
        below = descendants(served.process.pid)
        workers = [p for p in below if "worker.py" in command_line(p)]
        webs = [p for p in below if "gunicorn" in command_line(p)]
        if (len(workers) >= 3 and len(webs) == 2) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(workers) >= 3  # two for dispatches, one for replies
    assert len(webs) == 2  # with its web process
    assert served.stop(signum=signal.SIGINT) == 0, served.output()[-3000:]
    assert not [p for p in below if alive(p)]
    assert not embedded.running(served.redis_folder)  # it saved its data and stopped
