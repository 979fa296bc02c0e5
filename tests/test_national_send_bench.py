"""The national-send benchmark's own parts: it runs the Procfile's commands, and its fake AT
counts a mother who got the same text twice (the run itself is bench/national_send.py)."""

import sys

from bench.fake_at_server import TallyingAT
from bench.national_send import procfile_command


def test_the_procfile_commands_are_run_as_written_with_the_port_filled_in():
    settings, web = procfile_command("web", {"PORT": "5123"})
    assert settings == {"BOT_ENV": "production"}
    assert web[0].endswith("gunicorn") and "0.0.0.0:5123" in web and web[-1] == "wsgi:app"
    assert procfile_command("worker", {})[1] == [sys.executable, "worker.py"]
    assert procfile_command("replies", {})[1] == [sys.executable, "worker.py", "sms"]


def test_the_tally_finds_the_same_text_sent_twice_to_one_number_only():
    at = TallyingAT()  # never started: its answers are called directly
    try:
        at._keep(["+254711000001", "+254711000002"], "Week 20", 1.0)
        at._keep(["+254711000002"], "Your visit is tomorrow", 2.0)
        assert at._duplicates() == []
        at._keep(["+254711000001", "+254711000003"], "Week 20", 3.0)
        assert at._duplicates() == [["+254711000001", "Week 20", 2]]
        assert at._arrivals("+254711000002") == [(1.0, "Week 20"), (2.0, "Your visit is tomorrow")]
    finally:
        at.server.server_close()


def test_a_dispatch_run_that_ended_without_a_report_is_named_with_how_it_ended(app, db):
    """What such a run sent is in no job's count: the benchmark must say so, not hide it."""
    from datetime import datetime

    from redis import Redis
    from rq import Queue, SimpleWorker

    from bench.national_send import job_reports
    from bot import jobs

    connection = Redis.from_url(app.config["REDIS_URL"])
    queue = Queue("dispatch-bench-test", connection=connection)
    slot = datetime(2026, 12, 1, 10, 0)
    queue.enqueue("tests.jobs_for_tests.report_sent", 1234, job_id=jobs.dispatch_job_id(slot, 0, 2))
    queue.enqueue("tests.jobs_for_tests.fail_mid_send", job_id=jobs.dispatch_job_id(slot, 1, 2))
    SimpleWorker([queue], connection=connection).work(burst=True)
    (first, sent, busy, runs, ended), (second, *_, failed) = job_reports(connection)
    assert first.endswith("-1of2") and (sent, busy, runs, ended) == (1234, 0, 1, [])
    assert second.endswith("-2of2") and len(failed) == 1
    assert failed[0].startswith("failed:") and "maximum timeout" in failed[0]
