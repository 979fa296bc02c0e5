"""GET /metrics: Prometheus figures for the operations team.

Two kinds of figure. Counted in each process as requests are served: HTTP
requests and their time, USSD screens by outcome. Under gunicorn each worker
is its own process, so when PROMETHEUS_MULTIPROC_DIR names a folder (`serve`
sets one) every process writes its counts there and a scrape adds them up,
whichever worker answers it. Read from Redis at scrape time, so they are the
same on every node: SMS sent, delivered and failed today, jobs waiting in each
queue, reminders due now, and this node's spool of callbacks kept while Redis
was away. No figure carries a number, a name or a text.

/metrics answers only with the METRICS_TOKEN (as a Bearer token), or, when no
token is set, only to the machine itself (127.0.0.1), so a public node does not
tell the world how many mothers it serves.
"""

import hmac
import ipaddress
import os
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from rq import Queue
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from .. import content_service, store
from ..reminders import due_list
from ..sms import log as sms_log
from ..sms import spool

blueprint = Blueprint("metrics", __name__)
QUEUES = ("sms", "reminders")
# USSD must answer within AT's limit (about 1 s is what a caller notices): buckets around it.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter("bot_http_requests_total", "HTTP requests answered, by endpoint and status.",
                   ["endpoint", "status"])
REQUEST_SECONDS = Histogram("bot_http_request_seconds", "Time to answer an HTTP request.",
                            ["endpoint"], buckets=BUCKETS)
USSD_SCREENS = Counter("bot_ussd_screens_total", "USSD screens answered, by outcome: continue "
                       "(CON), end (END), unavailable (Redis away), error, refused (4xx).",
                       ["outcome"])


def record(endpoint, status, seconds, body=b""):
    """Count one answered request (called after each request)."""
    endpoint = endpoint or "unknown"
    REQUESTS.labels(endpoint, str(status)).inc()
    REQUEST_SECONDS.labels(endpoint).observe(seconds)
    if endpoint == "ussd.ussd":
        USSD_SCREENS.labels(ussd_outcome(status, body, g.get("ussd_outcome"))).inc()


def ussd_outcome(status, body, noted):
    if status >= 400:
        return "refused"
    if noted:
        return noted  # the view said why it ended the session (Redis away, an error)
    return "continue" if body.startswith(b"CON ") else "end"


@blueprint.get("/metrics")
def metrics():
    if not _allowed():
        return Response("Forbidden: /metrics needs METRICS_TOKEN, or a request from this "
                        "machine.\n", status=403, mimetype="text/plain")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for metric in (REQUESTS, REQUEST_SECONDS, USSD_SCREENS):
            registry.register(metric)
    registry.register(Figures(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _allowed():
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


class Figures:
    """The figures read from Redis (and this node's spool) when Prometheus asks."""

    def __init__(self, app):
        self.app = app

    def collect(self):
        up = GaugeMetricFamily("bot_redis_up", "1 when Redis answered this scrape.")
        started = time.perf_counter()
        try:
            found = list(self._from_redis())
            up.add_metric([], 1)
        except store.Errors:
            found = []
            up.add_metric([], 0)
        yield up
        yield from found
        yield self._spool()
        version = GaugeMetricFamily("bot_content_version_info", "The flows and texts served.",
                                    labels=["version"])
        version.add_metric([content_service.version(self.app)], 1)
        yield version
        took = GaugeMetricFamily("bot_metrics_read_seconds", "Time to read the Redis figures.")
        took.add_metric([], time.perf_counter() - started)
        yield took

    def _from_redis(self):
        db = store.redis(self.app)
        today = datetime.now(UTC).date()  # the day the daily totals are kept under
        counts = db.hgetall(sms_log.day_key(today))
        sms = GaugeMetricFamily("bot_sms_today", "SMS today (UTC date) by status: sent, "
                                "delivered, undelivered (final failure reported by AT).",
                                labels=["status"])
        for status in ("sent", "delivered"):
            sms.add_metric([status], int(counts.get(status, 0)))
        sms.add_metric(["undelivered"], sum(int(v) for k, v in counts.items()
                                            if k.startswith("undelivered:")))
        sms.add_metric(["not_sent"], sum(int(v) for k, v in counts.items()
                                         if k.startswith("failed:")))
        yield sms
        yield self._queues(db)
        due = GaugeMetricFamily("bot_reminders_due", "Mothers whose reminder is due now and "
                                "not yet sent (a dispatch in progress brings it to 0).")
        now = time.time()
        pipe = db.pipeline(transaction=False)
        for part in range(due_list.PARTS):
            pipe.zcount(due_list.key(part), "-inf", now)
        due.add_metric([], sum(pipe.execute()))
        yield due

    def _queues(self, db):
        # Plain reads of RQ's keys: its own counts tidy the registries as they count, which a
        # scrape every few seconds must not do.
        jobs = GaugeMetricFamily("bot_queue_jobs", "RQ jobs by queue and state.",
                                 labels=["queue", "state"])
        pipe = db.pipeline(transaction=False)
        for name in QUEUES:
            pipe.llen(Queue.redis_queue_namespace_prefix + name)
            for registry in (StartedJobRegistry, FailedJobRegistry, ScheduledJobRegistry):
                pipe.zcard(registry.key_template.format(name))
        counts = iter(pipe.execute())
        for name in QUEUES:
            for state in ("queued", "started", "failed", "scheduled"):
                jobs.add_metric([name, state], next(counts))
        return jobs

    def _spool(self):
        lines = 0
        for path in spool.folder(self.app).glob("*.jsonl"):
            if path.name != spool.UNREADABLE:
                with open(path, "rb") as file:
                    lines += sum(1 for _ in file)
        kept = GaugeMetricFamily("bot_spool_callbacks", "Callbacks this node kept on disk while "
                                 "Redis was away, not yet replayed.")
        kept.add_metric([], lines)
        return kept
