"""Jobs the RQ worker runs. Module-level functions that take plain data.

The app is built once per worker process, on the first job, never at import.
A job raises when trying again can help, so RQ's Retry takes over; what can
never succeed (a blacklisted number, bad credentials) is recorded, not retried.
"""

import logging

from rq import Queue, Retry

from . import store
from .sms import outbound
from .sms.gateway import GatewayError, gateway_for

log = logging.getLogger(__name__)
_app = None


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
    """Put SMS on the worker's queue; `items` are Outgoing, retried after each wait given."""
    if items:
        data = [item.__dict__ for item in items]
        retry = Retry(max=len(retry_seconds), interval=list(retry_seconds))
        Queue("sms", connection=connection).enqueue(send_sms, data, retry=retry)


def send_sms(items):
    """Send SMS (dicts of Outgoing's fields); raise SendAgain if some should be retried."""
    current = app()
    with current.app_context():
        db = store.redis()
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
    return {"sent": sum(o.sent for o in outcomes), "failed": sum(not o.sent for o in outcomes)}
