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

from . import content_service, retention, store
from .reminders import dispatch, due_list
from .reminders.timing import Rules
from .sms import outbound
from .sms.gateway import GatewayError, gateway_for

log = logging.getLogger(__name__)
_app = None
BATCH_DAYS = 7  # a batch waits this long for Redis, AT or a worker to come back
DISPATCH_RETRY = Retry(max=3, interval=[30, 90, 240])  # seconds, when AT is down or throttling
RESULT_SECONDS = 86400
"""How long RQ keeps a finished job and its result: a day, enough to look at yesterday's runs."""
FAILED_DAYS = 30
"""How long RQ keeps a failed job (RQ's own default is a year: about 2 KB a job, for ever)."""
KEEP = {"result_ttl": RESULT_SECONDS, "failure_ttl": FAILED_DAYS * 86400}
SWEEP_AT = time(2, 30)  # the nightly retention sweep, when no SMS goes out (programme time)


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
    Queue("sms", connection=connection).enqueue(send_sms, batch_id, retry=retry,
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


def schedule_dispatch(connection, when, every_minutes, jobs=1, only=None):
    """Have the worker's scheduler run a dispatch at the slot of `when`: `jobs` jobs, or only
    job number `only` of them. Idempotent per slot and job; returns the slot."""
    minute = (when.minute // every_minutes) * every_minutes
    slot = when.replace(minute=minute, second=0, microsecond=0)
    if slot < when:
        slot += timedelta(minutes=every_minutes)
    queue = Queue("reminders", connection=connection)
    for job in range(jobs) if only is None else [only]:
        queue.enqueue_at(slot, dispatch_reminders, job, jobs,
                         job_id=f"reminders-dispatch-{slot.strftime('%Y%m%d%H%M')}-{job + 1}of{jobs}",
                         description=f"dispatch due reminders, part {job + 1} of {jobs}",
                         retry=DISPATCH_RETRY, **KEEP)
    return slot


def next_slot(now, every_minutes):
    """The first dispatch slot after `now`: 10:00:30 (or a late 10:03) with every 5 -> 10:05.

    Booking `now + every` instead and rounding it up to a slot skipped one: the chain
    ran every 2 x DISPATCH_EVERY_MINUTES.
    """
    minute = (now.minute // every_minutes) * every_minutes
    return now.replace(minute=minute, second=0, microsecond=0) + timedelta(minutes=every_minutes)


def dispatch_reminders(job=0, jobs=1):
    """Send every reminder due now in this job's parts, then book its next run.

    Each job books only its own next run, so the jobs of one dispatch run side by
    side on as many workers. If DISPATCH_JOBS changed meanwhile, the first job
    books the new number of jobs and the others none.
    """
    current = app()
    every = int(current.config["DISPATCH_EVERY_MINUTES"])
    now = datetime.now(ZoneInfo(current.config["BOT_TIMEZONE"]))
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
        finally:
            configured = dispatch_jobs(current.config)
            if configured == jobs or job == 0:
                schedule_dispatch(store.queue_connection(current), next_slot(now, every),
                                  every, configured, only=job if configured == jobs else None)
    return report.__dict__


def schedule_sweep(connection, now):
    """Have the worker run the retention sweep at the next SWEEP_AT; idempotent per night."""
    when = datetime.combine(now.date(), SWEEP_AT, now.tzinfo)
    if when <= now:
        when += timedelta(days=1)
    Queue("default", connection=connection).enqueue_at(
        when, sweep_records, job_id=f"retention-sweep-{when.strftime('%Y%m%d')}",
        description="prune sent marks and visits past keeping", **KEEP)
    return when


def sweep_records():
    """Prune every mother's old sent marks and visits, then book the next night's sweep."""
    current = app()
    now = datetime.now(ZoneInfo(current.config["BOT_TIMEZONE"]))
    with current.app_context():
        try:
            gone = retention.sweep(store.redis(), now, int(current.config["VISIT_KEEP_DAYS"]))
        finally:
            schedule_sweep(store.queue_connection(current), now)
    return {"pruned": gone}
