"""`flask --app wsgi serve`: run the whole bot on one machine.

Starts the embedded Redis (unless REDIS_URL is set), the web app under
gunicorn and the RQ workers (one per dispatch job, DISPATCH_JOBS), and stops
them together on Ctrl-C. In production the Procfile runs the same two kinds of
process separately.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import jobs, store


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web processes.")
def serve(host, port, workers):
    """Run the web app and the reminder workers until Ctrl-C."""
    embedded = not (current_app.config.get("REDIS_URL") or current_app.config.get("REDIS_SENTINELS"))
    env = dict(os.environ, REDIS_URL=store.redis_url(current_app))
    # Both web processes must sign console logins with the same key.
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    token = _webhook_token(env)
    # The web processes add up their /metrics counts in one folder, emptied for each run.
    env.setdefault("PROMETHEUS_MULTIPROC_DIR", _metrics_folder(current_app.instance_path))
    root = os.path.dirname(current_app.root_path)
    procs = [subprocess.Popen(web_command(host, port, workers), env=env, cwd=root)]
    procs += [subprocess.Popen([sys.executable, "worker.py"], env=env, cwd=root)
              for _ in range(jobs.dispatch_jobs(current_app.config))]
    signal.signal(signal.SIGTERM, _stop)  # a service manager's stop works as Ctrl-C does
    click.echo(f"Mentor Mother bot on http://{host}:{port} (USSD: POST /ussd). Ctrl-C stops it.")
    click.echo(f"Try it: WEBHOOK_TOKEN={token} flask --app wsgi ussd --url http://{host}:{port}")
    try:
        while all(p.poll() is None for p in procs):
            try:
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if embedded:  # it saves its data on the way down
        store.embedded.stop_server(Path(current_app.instance_path) / "redis")
    failed = [p for p in procs if p.returncode not in (0, -signal.SIGTERM, None)]
    raise SystemExit(1 if failed else 0)


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


def _metrics_folder(instance_path):
    folder = Path(instance_path) / "metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return str(folder)


def _stop(signum, frame):
    raise KeyboardInterrupt
