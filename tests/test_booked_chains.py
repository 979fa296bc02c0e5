"""The chain check books the next dispatch of a job whose chain was lost, and the next sweep; it
never books a slot twice, nor again a job that waits, runs or is done."""

from datetime import datetime
from zoneinfo import ZoneInfo

from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus

from bot import jobs, store
from bot.supervisor import chains

ZONE = ZoneInfo("Africa/Nairobi")
CONFIG = {"DISPATCH_EVERY_MINUTES": 5, "DISPATCH_JOBS": 2, "DISPATCH_JOB_TIMEOUT_MINUTES": 60}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def _booked(connection, queue="reminders"):
    return sorted(Queue(queue, connection=connection).scheduled_job_registry.get_job_ids())


def test_a_lost_chain_is_booked_at_the_very_next_slot_once(sms_app):
    connection = store.queue_connection(sms_app)
    assert chains.keep_booked(connection, CONFIG, at("2026-11-24T10:03:10")) == [
        "reminders-dispatch-202611241005-1of2", "reminders-dispatch-202611241005-2of2",
        "retention-sweep-20261125"]
    assert _booked(connection) == ["reminders-dispatch-202611241005-1of2",
                                   "reminders-dispatch-202611241005-2of2"]
    assert _booked(connection, "default") == ["retention-sweep-20261125"]
    # Checked again (by this worker or another): every chain has its next run, nothing is added.
    assert chains.keep_booked(connection, CONFIG, at("2026-11-24T10:04:10")) == []
    assert chains.keep_booked(connection, CONFIG, at("2026-11-24T10:04:10")) == []
    assert len(_booked(connection)) == 2 and len(_booked(connection, "default")) == 1


def test_only_the_job_whose_chain_was_lost_is_booked(sms_app):
    connection = store.queue_connection(sms_app)
    jobs.schedule_dispatch(connection, at("2026-11-24T10:05"), 5, 2, only=1, timeout=3600)  # 2 of 2 waits
    assert chains.keep_booked(connection, CONFIG, at("2026-11-24T10:01"))[:1] == [
        "reminders-dispatch-202611241005-1of2"]
    assert _booked(connection) == ["reminders-dispatch-202611241005-1of2",
                                   "reminders-dispatch-202611241005-2of2"]


def test_a_job_waiting_for_a_worker_or_of_an_earlier_split_is_left_to_book_its_next(sms_app):
    connection = store.queue_connection(sms_app)
    queue = Queue("reminders", connection=connection)
    queue.enqueue(jobs.dispatch_reminders, 0, 2, job_id="reminders-dispatch-202611241000-1of2")
    assert chains.keep_booked(connection, CONFIG, at("2026-11-24T10:01")) == [
        "reminders-dispatch-202611241005-2of2", "retention-sweep-20261125"]
    queue.empty()
    connection.delete(queue.scheduled_job_registry.key)
    # A first job of DISPATCH_JOBS=3 books both jobs of the current 2 when it runs.
    jobs.schedule_dispatch(connection, at("2026-11-24T10:05"), 5, 3, only=0, timeout=3600)
    assert chains.keep_booked(connection, CONFIG, at("2026-11-24T10:01")) == []


def test_a_running_dispatch_job_is_left_to_book_its_next(sms_app):
    connection = store.queue_connection(sms_app)
    config = dict(CONFIG, DISPATCH_JOBS=1)
    queue = Queue("reminders", connection=connection)
    running = queue.enqueue("tests.jobs_for_tests.check_chains", config, "2026-11-24T10:01:00+03:00",
                            job_id="reminders-dispatch-202611241000-1of1")
    SimpleWorker([queue], connection=connection).work(burst=True)
    assert running.get_status(refresh=True) == JobStatus.FINISHED
    assert running.return_value() == ["retention-sweep-20261125"]  # no dispatch: it runs
    assert _booked(connection) == []


def test_a_slot_booked_again_after_it_ran_does_not_run_again(sms_app):
    connection = store.queue_connection(sms_app)
    sms_app.config.update(DISPATCH_JOBS=1, DISPATCH_EVERY_MINUTES=5)
    slot = jobs.schedule_dispatch(connection, at("2026-11-24T10:00"), 5, 1, timeout=3600)  # long past: due
    queue = Queue("reminders", connection=connection)
    SimpleWorker([queue], connection=connection).work(burst=True, with_scheduler=True)
    done = Job.fetch(jobs.dispatch_job_id(slot, 0, 1), connection=connection)
    assert done.get_status() == JobStatus.FINISHED
    booked_by_it = _booked(connection)
    assert len(booked_by_it) == 1 and booked_by_it != [done.id]  # its own next run
    jobs.schedule_dispatch(connection, at("2026-11-24T10:00"), 5, 1, timeout=3600)  # a worker starting, say
    assert done.get_status(refresh=True) == JobStatus.FINISHED  # not booked to run again
    assert _booked(connection) == booked_by_it
    jobs.schedule_sweep(connection, at("2026-11-24T10:00"))
    jobs.schedule_sweep(connection, at("2026-11-24T11:00"))
    assert _booked(connection, "default") == ["retention-sweep-20261125"]
