"""Redis: the one place the bot keeps contacts, sessions and queues.

`redis()` gives the app's client (short timeouts, so a hung Redis cannot hold
a USSD caller); `queue_connection()` gives the plain-bytes client RQ needs,
with no read timeout because RQ blocks on purpose while it waits for jobs.
With REDIS_SENTINELS set, every client asks the Sentinels which server is the
master, and asks again when it stops answering (a failover), instead of
using REDIS_URL's one address.
"""

from pathlib import Path

import redis as redis_lib
from flask import current_app
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as BrokenConnection
from redis.retry import Retry

from . import sentinel
from .embedded import ensure_server

Errors = (redis_lib.exceptions.RedisError, OSError)  # what "Redis is unreachable" looks like


def redis_url(app):
    """Return the configured URL, starting the embedded server when none is set."""
    url = app.config.get("REDIS_URL")
    if not url and app.config.get("REDIS_SENTINELS"):
        return ""  # the Sentinels say where the master is
    if not url:
        url = ensure_server(Path(app.instance_path) / "redis")
        app.config["REDIS_URL"] = url
    return url


def redis(app=None):
    """Return the app's Redis client (text in and out)."""
    return _quick_client(app, "redis", decode=True)


def enqueue_connection(app=None):
    """Return the app's bytes client with the same short timeouts, for queueing jobs."""
    return _quick_client(app, "redis_queue", decode=False)


def _quick_client(app, name, decode):
    """One cached client per app: short timeouts, one quick retry (a restarted Redis
    leaves stale connections behind), never a wait that keeps a caller hanging.

    Only a broken connection is retried, never a time-out: a command that timed out
    may have run, and sending it again would count a text twice or add it twice."""
    app = app or current_app._get_current_object()
    client = app.extensions.get(name)
    if client is None:
        timeout = app.config["REDIS_TIMEOUT"]
        client = _connect(app, decode_responses=decode, socket_timeout=timeout,
                          socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 1, (BrokenConnection,)))
        app.extensions[name] = client
    return client


def queue_connection(app=None):
    """Return a Redis client for RQ (bytes, no read timeout)."""
    app = app or current_app._get_current_object()
    return _connect(app, socket_connect_timeout=5)


def _connect(app, **options):
    """A client for REDIS_URL, or for the master the Sentinels name."""
    if app.config.get("REDIS_SENTINELS"):
        return sentinel.master(app, **options)
    return redis_lib.Redis.from_url(redis_url(app), **options)
