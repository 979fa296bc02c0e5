"""End-of-session notifications from AT, kept for reporting.

We keep how sessions ended (status, duration, network, cost, error) and daily
counts by status; not the phone number and not the last screen's text, which
could say what she was reading.
"""

from .. import programme_time

STREAM = "ussd:events"
KEPT_FIELDS = ("sessionId", "serviceCode", "networkCode", "status", "cost", "durationInMillis",
               "hopsCount", "errorMessage", "date")
MAX_EVENTS = 200_000  # about a few months of a large programme's sessions


def record(pipe, form):
    """Queue the storage of one notification; unknown fields are ignored."""
    status = str(form.get("status") or "unknown")[:40]
    event = {name: str(form[name])[:200] for name in KEPT_FIELDS if form.get(name)}
    event["status"] = status
    pipe.xadd(STREAM, event, maxlen=MAX_EVENTS, approximate=True)
    day = programme_time.now().strftime("%Y-%m-%d")  # the day staff would name
    pipe.hincrby(f"ussd:stats:{day}", status, 1)
    pipe.expire(f"ussd:stats:{day}", 400 * 86400)
