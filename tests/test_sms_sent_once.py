"""A queued SMS is sent once, even when its worker is killed mid-request and the job re-run."""

import os
import signal
import time

from bot import jobs, store
from bot.sms import outbound

PHONE = "+254712000041"


def _killed_mid_request(app, at, batch_id):
    """Run the job in a child process and kill it while AT is answering."""
    at.delay = 1.0
    child = os.fork()
    if child == 0:  # pragma: no cover (the child is killed before it returns)
        try:
            jobs.send_sms(batch_id)
        finally:
            os._exit(0)
    time.sleep(0.5)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    deadline = time.monotonic() + 5
    while at.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    at.delay = 0.0


def test_a_reply_is_not_sent_again_when_a_killed_job_is_re_run(sms_app, at):
    connection = store.enqueue_connection(sms_app)
    batch_id = jobs.queue_sms([outbound.Outgoing(PHONE, "Thank you, we got your question.")],
                              connection, [0])
    _killed_mid_request(sms_app, at, batch_id)
    assert at.recipients() == [PHONE]  # AT took it; the worker died before writing that down

    jobs.send_sms(batch_id)  # RQ re-runs the abandoned job

    assert at.recipients() == [PHONE]


def test_a_reply_is_sent_again_after_at_asks_to_try_again(sms_app, at, db):
    at.plan = ["500"]
    batch_id = jobs.queue_sms([outbound.Outgoing(PHONE, "Thank you, we got your question.")],
                              store.enqueue_connection(sms_app), [0])
    try:
        jobs.send_sms(batch_id)
    except jobs.SendAgain:
        pass
    else:
        raise AssertionError("AT answered 500: the job must ask to be tried again")
    assert at.recipients() == []
    jobs.send_sms(batch_id)
    assert at.recipients() == [PHONE]
    log_ids = db.lrange(f"sms:log:{PHONE}", 0, -1)
    assert [db.hget(f"sms:msg:{m}", "text") for m in log_ids] == ["Thank you, we got your question."]
