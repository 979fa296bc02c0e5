"""A bulk request AT may have taken without answering is neither sent twice nor lost: its claims
stay, and it is settled later by delivery reports, or by the rules in bot/sms/requests_log.py.
Real worker processes, the real SDK and the fake AT, which counts what arrives."""

import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus

from bot import jobs
from bot.reminders import dispatch, due_list
from bot.sms import delivery, log, outbound, requests_log
from bot.sms.gateway import AfricasTalkingGateway, GatewayError
from bot.supervisor.job_worker import JobWorker

from .fake_at import API_KEY, USERNAME
from .sending_helpers import (
    RULES,
    end,
    enrol_due_now,
    noon_zone,
    sent_pairs,
    start_worker,
    wait_for,
    worker_env,
)
from .test_reminders_dispatch import CONTENT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="a job's process ends with its worker on Linux only")
PHONES = [f"+2547150{n:05d}" for n in range(8)]


def _report(db, phone, message_id="ATXid_late"):
    """A delivery report as the webhook stores it."""
    return delivery.record(db, {"id": message_id, "status": "Success", "phoneNumber": phone})


def test_an_answer_after_the_read_timeout_is_not_sent_again(db, at, redis_url):
    """AT takes the request but answers after the SDK gave up (9 s): the retry sends nothing."""
    connection = redis.Redis.from_url(redis_url)
    phones = PHONES[:3]
    at.plan, at.slow_seconds = ["slow"], 10.5
    batch = jobs.queue_sms([outbound.Outgoing(p, "Your results are ready.", "reply") for p in phones],
                           connection, [0, 0])
    (job_id,) = Queue("sms", connection=connection).get_job_ids()
    worker = start_worker(worker_env(redis_url, at, "Africa/Nairobi"), "sms")
    try:
        job = Job.fetch(job_id, connection)
        wait_for("the batch is done", lambda: job.get_status(refresh=True) == JobStatus.FINISHED
                 and len(at.requests) == 1, 40)
        assert at.arrivals == 1  # the retry found every claim kept: nothing sent twice
        assert sorted(at.recipients()) == sorted(phones)
        assert not db.exists(f"sms:batch:{batch}")
        assert requests_log.waiting(db) == 1  # to be settled by delivery reports
    finally:
        end(worker)
        connection.close()
    for phone in phones:
        assert _report(db, phone) is False  # no record of its id: the answer was lost
    counts = requests_log.reconcile(db, 0, outbound.DONE_DAYS)
    assert counts == {"reported": 3} and requests_log.waiting(db) == 0
    assert all(db.hget(outbound.done_key(p), outbound.queued_key(batch, n)).startswith("reported:")
               for n, p in enumerate(phones))


@pytest.mark.parametrize("taken", [True, False], ids=["AT-took-it", "AT-never-got-it"])
def test_a_worker_killed_during_the_call_sends_each_sms_once(db, at, redis_url, taken):
    """The worker is killed while AT holds its second request (4 mothers, one text). Had AT
    taken it, their delivery reports come and it is not sent again; had it not, reports that
    arrive for other SMS show that theirs would have come, and the next dispatch sends it."""
    zone = noon_zone()
    enrol_due_now(db, PHONES, zone)
    at.delay, at.plan = 1.0, ["ok", "ok" if taken else "lost"]
    connection = redis.Redis.from_url(redis_url)
    now = datetime.now(ZoneInfo(zone))
    jobs.schedule_dispatch(connection, now.replace(minute=now.minute // 5 * 5, second=0,
                                                   microsecond=0), 5, 1, timeout=600)
    worker = start_worker(worker_env(redis_url, at, zone, SMS_BATCH_SIZE=4), "reminders")
    try:
        wait_for("the second request reaches AT", lambda: at.arrivals >= 2, 30)
        end(worker)  # SIGKILL, the worker, its job and its scheduler
    finally:
        end(worker)
    first = at.requests[0]
    wait_for("AT is done with the second request", lambda: len(at.requests) == 1 + taken, 5)
    (left,) = db.zrange(requests_log.OPEN, 0, -1)
    assert db.hget(requests_log.key(left), "state") == "sending"  # killed mid-call
    if taken:  # AT sends the reports of the request whose answer never came
        for phone in at.requests[1]["to"].split(","):
            _report(db, phone)
    else:  # reports arrive (for an SMS answered before): the callback is set up
        phone = first["to"].split(",")[0]
        message_id = log.messages(db, phone, 1)[0]["id"]
        assert _report(db, phone, message_id) is True
    # A surviving worker settles it at its clean-up pass (the first comes as it starts), once
    # the request is SMS_UNCONFIRMED_MINUTES (here 3 s) old.
    started = float(db.hget(requests_log.key(left), "started"))
    time.sleep(max(0.0, started + 3.5 - time.time()))
    survivor = start_worker(worker_env(redis_url, at, zone, SMS_UNCONFIRMED_MINUTES=0.05), "sms")
    try:
        wait_for("the request is settled", lambda: requests_log.waiting(db) == 0, 20)
    finally:
        end(survivor)
    (_, counts), = log.totals(db, 1)
    assert counts[f"unconfirmed:{'reported' if taken else 'sent_again'}"] == "4"
    for part in range(due_list.PARTS):  # the killed dispatch's claims lapse (CLAIM_SECONDS)
        db.delete(f"reminders:dispatching:{part}")
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url)
    at.delay = 0
    dispatch.dispatch(db, CONTENT, gateway, datetime.now(ZoneInfo(zone)), RULES, 4)
    sent = sent_pairs(at)
    assert len(sent) == len(set(sent)) == 2 * len(PHONES)  # each SMS to each mother, once
    assert {phone for phone, _ in sent} == set(PHONES)
    connection.close()


def test_with_no_delivery_reports_an_unconfirmed_reminder_stays_sent_at_most_once(db, at,
                                                                                   runner):
    """Nothing tells a lost SMS from a sent one without reports: kept, counted, never twice."""
    zone = noon_zone()
    enrol_due_now(db, PHONES[:2], zone)
    at.plan = ["lost"]
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))
    now = datetime.now(ZoneInfo(zone))
    with pytest.raises(GatewayError) as raised:
        dispatch.dispatch(db, CONTENT, gateway, now, RULES, 500)
    assert raised.value.maybe_sent  # the connection dropped once the request was written
    assert runner.invoke(args=["sms", "unconfirmed"]).output.startswith(
        "settled: 0 reported delivered, 0 to send again, 0 kept")  # within its wait
    settled = runner.invoke(args=["sms", "unconfirmed", "--now"])
    assert settled.output == ("settled: 0 reported delivered, 0 to send again, 2 kept as sent "
                              "(no report); 0 request(s) still waiting\n")
    (_, counts), = log.totals(db, 1)
    assert counts["unconfirmed:kept"] == "2"
    assert "unanswered by AT: kept as sent 2" in runner.invoke(args=["sms", "totals"]).output
    dispatch.dispatch(db, CONTENT, gateway, now, RULES, 500)
    assert len(sent_pairs(at)) == 2  # the other text only: the unconfirmed one is not resent


def test_a_request_at_refused_gives_its_claims_back_at_once(db, at):
    """429 or 5xx: AT certainly did not take it; nothing waits to be settled."""
    zone = noon_zone()
    enrol_due_now(db, PHONES[:2], zone)
    at.plan = ["503"]
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))
    now = datetime.now(ZoneInfo(zone))
    with pytest.raises(GatewayError) as raised:
        dispatch.dispatch(db, CONTENT, gateway, now, RULES, 500)
    assert not raised.value.maybe_sent and requests_log.waiting(db) == 0
    dispatch.dispatch(db, CONTENT, gateway, now, RULES, 500)
    assert len(sent_pairs(at)) == 4 == len(set(sent_pairs(at)))


def test_a_refused_connection_is_certainly_not_sent():
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url="http://127.0.0.1:9/version1",
                                    timeout=(1, 1))
    with pytest.raises(GatewayError) as raised:
        gateway.send("hello", ["+254715000001"])
    assert raised.value.retryable and not raised.value.maybe_sent


def test_every_worker_settles_requests_between_jobs(sms_app, db):
    """The worker's clean-up pass settles a request left by a worker killed long ago."""
    sms_app.config["SMS_UNCONFIRMED_MINUTES"] = 1
    claim = f"{outbound.SENDING}:abc:{int(time.time())}"
    pipe = db.pipeline()
    requests_log.open_request(pipe, "abc", [outbound.Outgoing(PHONES[0], "x", key="k1")], claim,
                              time.time() - 120)
    pipe.hset(outbound.done_key(PHONES[0]), "k1", claim)
    pipe.execute()
    JobWorker([Queue("default", connection=db)], connection=db).run_maintenance_tasks()
    assert requests_log.waiting(db) == 0
    assert db.hget(outbound.done_key(PHONES[0]), "k1").startswith("unconfirmed:")
