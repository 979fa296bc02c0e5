"""One log line per request: method, path (numbers masked), status, duration.

With LOG_FORMAT=json every log line, these included, is one JSON object, for a
log collector; the masking filter (bot/privacy.py) runs on it as on any line.
Query strings are never logged: they carry the webhook token.
"""

import json
import logging
import re

from ..privacy import mask_log_text

log = logging.getLogger("bot.requests")
_DIGITS = re.compile(r"\d{8,}")
QUIET = ("health.healthz", "health.readyz", "metrics.metrics")  # polled every few seconds


def record(request, status, seconds):
    """Log one answered request (health checks and scrapes, polled all day, are left out)."""
    if request.endpoint in QUIET:
        return
    # Any long run of digits, even inside an id: a log reader cannot tell it from a number.
    path = _DIGITS.sub(lambda found: "*" * (len(found.group()) - 3) + found.group()[-3:],
                       mask_log_text(request.path))
    log.info("%s %s %s %.1fms", request.method, path, status, seconds * 1000,
             extra={"http": {"method": request.method, "path": path, "status": status,
                             "duration_ms": round(seconds * 1000, 1)}})


class JsonLines(logging.Formatter):
    """Each record as one JSON object: time, level, logger, message, and request fields."""

    def format(self, record):
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        if isinstance(getattr(record, "http", None), dict):
            line.update(record.http)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def use_format(name):
    """Give every root handler the LOG_FORMAT's formatter ('text' leaves them as they are)."""
    if name != "json":
        return
    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonLines())
