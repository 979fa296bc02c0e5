"""Jobs the RQ worker runs. Module-level functions that take plain data.

The app is built once per worker process, on the first job, never at import.
A job raises when trying again can help, so RQ's Retry takes over; what can
never succeed (a blacklisted number, bad credentials) is recorded, not retried.
"""

import json
import logging
import time as clock
import uuid
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from . import content_service, retention, store
from .reminders import dispatch, due_list
from .reminders.timing import Rules
from .sms import outbound, requests_log
from .sms.gateway import GatewayError, gateway_for
from .store import mentor_actions

log = logging.getLogger(__name__)
_app = None
BATCH_DAYS = 7  # a batch waits this long for Redis, AT or a worker to come back
DISPATCH_RETRY = Retry(max=3, interval=[30, 90, 240])  # seconds, when AT is down or throttling
RESULT_SECONDS = 86400
"""How long RQ keeps a finished job and its result: a day, enough to look at yesterday's runs."""
FAILED_DAYS = 30
"""How long RQ keeps a failed job (RQ's own default is a year: about 2 KB a job, for ever)."""
KEEP = {"result_ttl": RESULT_SECONDS, "failure_ttl": FAILED_DAYS * 86400}
DISPATCH_PREFIX = "reminders-dispatch-"  # then the slot and the job: see dispatch_job_id
SWEEP_PREFIX = "retention-sweep-"  # then the night: retention-sweep-20261125
SWEEP_AT = time(2, 30)  # the nightly retention sweep, when no SMS goes out (programme time)
REQUEST_SECONDS = 15
"""The longest one request to AT can take: the gateway's connect and read time-outs (3 + 9 s)."""


class SendAgain(Exception):
    """Some recipients failed for a reason that may pass (AT 5xx, 429, time-out)."""


def use_app(app):
    """Run jobs with this app (the worker's own, or a test's)."""
    global _app
    _app = app


def app():
    if _app is None:
        from . import create_app

        use_app(create_app())
    return _app


def queue_sms(items, connection, retry_seconds):
    """Put SMS on the worker's queue; `items` are Outgoing, retried after each wait given.

    The job carries only an id: RQ logs a job's arguments, and logs must hold
    neither phone numbers nor message texts.
    """
    if not items:
        return None
    batch_id = uuid.uuid4().hex
    # Every SMS gets a key, replies included, so a job re-run after its worker was
    # killed mid-request never sends the same message twice.
    now = clock.time()  # a send refuses what was queued before she was forgotten
    items = [replace(item, key=item.key or outbound.queued_key(batch_id, n), queued_at=now)
             for n, item in enumerate(items)]
    connection.set(_batch_key(batch_id), json.dumps([item.__dict__ for item in items]),
                   ex=BATCH_DAYS * 86400)
    retry = Retry(max=len(retry_seconds), interval=list(retry_seconds))
    # A batch sends at most one request per SMS: give it the time they could take, never less
    # than RQ's own 3 minutes, so a slow AT does not stop a batch in the middle of a request.
    timeout = max(180, 60 + REQUEST_SECONDS * len(items))
    Queue("sms", connection=connection).enqueue(send_sms, batch_id, retry=retry, job_timeout=timeout,
                                                description=f"send SMS batch {batch_id}", **KEEP)
    return batch_id


def _batch_key(batch_id):
    return f"sms:batch:{batch_id}"


def send_sms(batch_id):
    """Send a queued batch of SMS; raise SendAgain if some should be retried."""
    current = app()
    with current.app_context():
        db = store.redis()
        raw = db.get(_batch_key(batch_id))
        if raw is None:
            log.warning("SMS batch %s is gone (sent long ago, or forgotten)", batch_id)
            return {"sent": 0, "failed": 0}
        items = json.loads(raw)
        gateway = gateway_for(current.config, db)
        try:
            outcomes = outbound.send(db, gateway, [outbound.Outgoing(**i) for i in items],
                                     current.config["SMS_BATCH_SIZE"], current.config["PHONE_REGION"])
        except GatewayError as err:
            if err.retryable:
                raise SendAgain(str(err)) from None
            log.error("SMS not sent and not retried: %s", err)
            return {"sent": 0, "failed": len(items), "reason": str(err)}
    again = [o for o in outcomes if o.retryable]
    if again:
        raise SendAgain(f"{len(again)} recipient(s) to try again")
    store.redis(current).delete(_batch_key(batch_id))
    return {"sent": sum(o.sent for o in outcomes), "failed": sum(not o.sent for o in outcomes)}


def dispatch_jobs(config):
    """How many jobs a dispatch is split into (DISPATCH_JOBS, kept within 1 and the parts)."""
    wanted = int(config["DISPATCH_JOBS"])
    jobs = min(max(wanted, 1), due_list.PARTS)
    if jobs != wanted:
        log.warning("DISPATCH_JOBS=%s is out of range; using %s (1 to %s)", wanted, jobs,
                    due_list.PARTS)
    return jobs


def dispatch_timeout(config):
    """Seconds a dispatch job may run (DISPATCH_JOB_TIMEOUT_MINUTES) before RQ stops it."""
    return max(1, round(float(config["DISPATCH_JOB_TIMEOUT_MINUTES"]) * 60))


def schedule_dispatch(connection, when, every_minutes, jobs=1, only=None, *, timeout):
    """Have the worker's scheduler run a dispatch at the slot of `when`: `jobs` jobs, or only
    job number `only` of them, each stopped after `timeout` seconds (`dispatch_timeout`).
    Returns the slot.

    RQ's own limit (3 minutes) would stop a national send in the middle of a request to AT.
    A job booked already, whether it waits, runs or is done, is left as it is (RQ would book
    it afresh and run it again): whoever books a slot (a dispatch, a worker starting, the
    chain check) books it once.
    """
    minute = (when.minute // every_minutes) * every_minutes
    slot = when.replace(minute=minute, second=0, microsecond=0)
    if slot < when:
        slot += timedelta(minutes=every_minutes)
    queue = Queue("reminders", connection=connection)
    for job in range(jobs) if only is None else [only]:
        _book_once(queue, slot, dispatch_reminders, job, jobs,
                   job_id=dispatch_job_id(slot, job, jobs),
                   description=f"dispatch due reminders, part {job + 1} of {jobs}",
                   retry=DISPATCH_RETRY, job_timeout=timeout, **KEEP)
    return slot


def dispatch_job_id(slot, job, jobs):
    """`reminders-dispatch-202611241005-1of2`: the slot (programme time) and which job."""
    return f"{DISPATCH_PREFIX}{slot.strftime('%Y%m%d%H%M')}-{job + 1}of{jobs}"


def dispatch_job_of(job_id):
    """(job, jobs) of a dispatch job's id, None for another job."""
    if not job_id.startswith(DISPATCH_PREFIX):
        return None
    number, _, count = job_id.rpartition("-")[2].partition("of")
    if not (number.isdigit() and count.isdigit()):
        return None
    return int(number) - 1, int(count)


def _book_once(queue, when, function, *args, **options):
    try:
        return queue.enqueue_at(when, function, *args, unique=True, **options)
    except DuplicateJobError:
        return None


def next_slot(now, every_minutes):
    """The first dispatch slot after `now`: 10:00:30 (or a late 10:03) with every 5 -> 10:05.

    Booking `now + every` instead and rounding it up to a slot skipped one: the chain
    ran every 2 x DISPATCH_EVERY_MINUTES.
    """
    minute = (now.minute // every_minutes) * every_minutes
    return now.replace(minute=minute, second=0, microsecond=0) + timedelta(minutes=every_minutes)


def dispatch_reminders(job=0, jobs=1):
    """Book this job's next run, then send every reminder due now in this job's parts.

    The next run is booked first, so a job killed mid-send (its worker killed, its machine
    gone) leaves its chain booked. Each job books only its own next run, so the jobs of one
    dispatch run side by side on as many workers. If DISPATCH_JOBS changed meanwhile, the
    first job books the new number of jobs and the others none. A run that finds its parts
    still being sent by an earlier one leaves them to it (bot/reminders/due_list.py).
    """
    current = app()
    every = int(current.config["DISPATCH_EVERY_MINUTES"])
    now = datetime.now(ZoneInfo(current.config["BOT_TIMEZONE"]))
    configured = dispatch_jobs(current.config)
    if configured == jobs or job == 0:
        schedule_dispatch(store.queue_connection(current), next_slot(now, every), every,
                          configured, only=job if configured == jobs else None,
                          timeout=dispatch_timeout(current.config))
    with current.app_context():
        db = store.redis()
        try:
            report = dispatch.dispatch(db, content_service.current(current),
                                       gateway_for(current.config, db), now,
                                       Rules.from_config(current.config),
                                       current.config["SMS_BATCH_SIZE"], job, jobs)
        except GatewayError as err:
            if err.retryable:
                raise SendAgain(str(err)) from None  # the due stay due; the next dispatch sends
            log.error("Reminders not sent: %s", err)
            return {"error": str(err)}
    return report.__dict__


def schedule_sweep(connection, now):
    """Have the worker run the retention sweep at the next SWEEP_AT; booked once a night."""
    when = datetime.combine(now.date(), SWEEP_AT, now.tzinfo)
    if when <= now:
        when += timedelta(days=1)
    _book_once(Queue("default", connection=connection), when, sweep_records,
               job_id=f"{SWEEP_PREFIX}{when.strftime('%Y%m%d')}",
               description="prune sent marks, visits and Mentor Mothers' records past keeping", **KEEP)
    return when


def sweep_records():
    """Book the next night's sweep, then prune every mother's old sent marks and visits."""
    current = app()
    now = datetime.now(ZoneInfo(current.config["BOT_TIMEZONE"]))
    schedule_sweep(store.queue_connection(current), now)  # first: a killed sweep keeps its chain
    with current.app_context():
        gone = retention.sweep(store.redis(), now, int(current.config["VISIT_KEEP_DAYS"]),
                               float(current.config["FOLLOWUP_KEEP_DAYS"]))
        gone += mentor_actions.prune(store.redis(), now.timestamp(),
                                     current.config["MENTOR_ACTIONS_KEEP_DAYS"])
    return {"pruned": gone}


def settle_requests():
    """Settle the bulk requests AT may have taken without answering (bot/sms/requests_log.py).

    Run by every worker between jobs (its clean-up pass), so a request left by a worker
    killed mid-call is settled by whichever survives; one at a time, by a lock in Redis.
    """
    current = app()
    try:
        with current.app_context():
            counts = requests_log.reconcile(
                store.redis(), float(current.config["SMS_UNCONFIRMED_MINUTES"]) * 60,
                outbound.DONE_DAYS)
    except Exception as err:  # noqa: BLE001 (the worker must go on; tried again next pass)
        # Only the kind of error: a message could quote a record, with her number in it.
        log.warning("Unconfirmed SMS requests not settled now: %s", type(err).__name__)
        return None
    if counts:
        log.info("Unconfirmed SMS settled: %s reported delivered, %s to send again, %s kept",
                 counts["reported"], counts["sent_again"], counts["kept"])
    return counts
