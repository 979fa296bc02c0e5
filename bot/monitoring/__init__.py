"""Watching the running service: health checks, Prometheus metrics and request logs.

`/healthz` says the process answers; `/readyz` says it can serve (Redis reachable,
content loaded); `/metrics` gives Prometheus the figures an operations team
watches. None of them needs a login, and none holds personal data: no number,
no name, no message text.
"""

import time

from flask import g, request

from . import health, metrics, request_log


def init_app(app):
    app.register_blueprint(health.blueprint)
    app.register_blueprint(metrics.blueprint)
    request_log.use_format(app.config["LOG_FORMAT"])

    @app.before_request
    def started():
        g.started = time.perf_counter()

    @app.after_request
    def finished(response):
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        body = response.get_data() if request.endpoint == "ussd.ussd" else b""
        metrics.record(request.endpoint, response.status_code, seconds, body)
        request_log.record(request, response.status_code, seconds)
        return response
