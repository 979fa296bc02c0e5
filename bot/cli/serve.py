"""`flask --app wsgi serve`: run the whole bot on one machine.

Starts the embedded Redis (unless REDIS_URL is set), the web app under
gunicorn and the RQ workers (one per dispatch job, DISPATCH_JOBS), keeps each of
them running (bot/supervisor/ says how) and stops them together on Ctrl-C. In
production the Procfile runs the same two kinds of process separately, under a
process manager, with a managed Redis.
"""

import os
import secrets
import shutil
import signal
import sys
import time
from pathlib import Path

import click
import redis as redis_lib
from flask import current_app
from flask.cli import with_appcontext

from .. import jobs, store
from ..store import sentinel
from ..supervisor.children import ChildProcess, EmbeddedRedis, WorkerProcess

STOP_SECONDS = 10  # how long the parts have to finish what they are doing on Ctrl-C
TICK_SECONDS = 0.5  # how often each part is looked at
WEB_CANNOT_START = (3, 4)  # gunicorn's exit codes for "a worker cannot boot", "the app cannot load"


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web processes.")
def serve(host, port, workers):
    """Run the web app and the reminder workers until Ctrl-C, starting again any that stops."""
    stop_requested = _stop_on_signals()
    # Before redis_url() starts it and sets REDIS_URL; behind Sentinel there is none to start.
    embedded = not (current_app.config.get("REDIS_URL") or current_app.config.get("REDIS_SENTINELS"))
    env = dict(os.environ, REDIS_URL=store.redis_url(current_app))
    # Both web processes must sign console logins with the same key.
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    token = _webhook_token(env)
    # The web processes add up their /metrics counts in one folder, emptied for each run.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", _metrics_folder(current_app.instance_path))
    connection = _connection(env)
    web, parts = _parts(env, connection, host, port, workers, embedded)
    _tick(parts)  # the first look at each part starts it
    click.echo(f"Mentor Mother bot on http://{host}:{port} (USSD: POST /ussd). Ctrl-C stops it.")
    click.echo(f"Try it: WEBHOOK_TOKEN={token} flask --app wsgi ussd --url http://{host}:{port}")
    while not stop_requested() and not web.given_up:
        time.sleep(TICK_SECONDS)
        _tick(parts)
    codes = _stop(parts)
    connection.close()
    failed = web.given_up or any(code not in (0, -signal.SIGTERM) for code in codes)
    raise SystemExit(1 if failed else 0)


def _connection(env):
    """serve's own client, to hand back a dead worker's jobs (through the Sentinels if set)."""
    options = {"socket_connect_timeout": 2, "socket_timeout": 5}
    if current_app.config.get("REDIS_SENTINELS"):
        return sentinel.master(current_app, **options)
    return redis_lib.Redis.from_url(env["REDIS_URL"], **options)


def _metrics_folder(instance_path):
    folder = Path(instance_path) / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return str(folder)


def _parts(env, connection, host, port, workers, embedded):
    """The web app, and everything serve keeps running in the order it starts them."""
    root = os.path.dirname(current_app.root_path)
    web = ChildProcess("The web app (gunicorn)", web_command(host, port, workers), env, root,
                       hopeless_codes=WEB_CANNOT_START)
    web.given_up_note = "Stopping everything: the bot cannot answer without it."
    parts = [EmbeddedRedis(Path(current_app.instance_path) / "redis")] if embedded else []
    parts.append(web)
    parts += [WorkerProcess(f"Worker {n + 1}", [sys.executable, "worker.py"], env, root, connection)
              for n in range(jobs.dispatch_jobs(current_app.config))]
    return web, parts


def _tick(parts):
    now = time.monotonic()
    for part in parts:
        part.tick(now, _say)


def _stop(parts):
    """Stop the processes (they finish their work first), then the embedded Redis; return exit codes."""
    processes = [part for part in parts if isinstance(part, ChildProcess)]
    for part in processes:
        part.ask_to_stop()
    deadline = time.monotonic() + STOP_SECONDS
    codes = [part.wait_stopped(deadline, _say) for part in processes]
    for part in parts:
        if isinstance(part, EmbeddedRedis):  # it saves its data on the way down
            part.stop()
    return codes


def web_command(host, port, workers):
    """The gunicorn command line: gevent workers (bot/web_server.py), an access log without numbers."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:bot.web_server",
            "--workers", str(workers), "--bind", f"{host}:{port}",
            "--logger-class", "bot.privacy.MaskedGunicornLogger", "--access-logfile", "-",
            "--access-logformat", "%(m)s %(U)s %(s)s %(L)ss", "wsgi:app"]


def _webhook_token(env):
    """The run's WEBHOOK_TOKEN: the one set, else (development only) a new one, printed."""
    if not env.get("WEBHOOK_TOKEN", "").strip():
        # Never open webhooks, even on a laptop: a made-up token, shared by the web processes.
        env["WEBHOOK_TOKEN"] = secrets.token_urlsafe(24)
        current_app.config["WEBHOOK_TOKEN"] = env["WEBHOOK_TOKEN"]
        click.echo(f"WEBHOOK_TOKEN was unset; this run's token is {env['WEBHOOK_TOKEN']}")
    return env["WEBHOOK_TOKEN"]


def _stop_on_signals():
    """Have Ctrl-C, a service manager's stop (SIGTERM) and a closed terminal ask serve to stop."""
    requested = []

    def request(signum, frame):
        requested.append(signum)

    # SIGHUP too: the parts have process groups of their own, so a closed terminal reaches
    # only serve, which must not leave them running.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), request)
    return lambda: bool(requested)


def _say(line):
    click.echo(line, err=True)
