"""The RQ worker with its scheduler: `python worker.py`.

It shares Redis with the web app (REDIS_URL, or the same embedded server) and
runs the jobs on the queues below. Reminder dispatch is a set of scheduled jobs
(DISPATCH_JOBS) on RQ's own scheduler: each job books its own next run as it
starts, starting a worker books the current slot, and every minute the worker
books the next slot of any job whose chain was lost (bot/supervisor/chains.py).
Any worker takes over RQ's scheduler within a minute of its holder dying
(bot/supervisor/scheduler.py). Run as many workers as DISPATCH_JOBS for the jobs
to send side by side.
A job whose worker died runs again (bot/supervisor/abandoned_jobs.py says how).
A nightly sweep prunes old sent marks and visits (bot/retention) and books the next.
"""

import logging
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from rq import Queue

from bot import create_app, jobs, store
from bot.channels.sms import handlers
from bot.errors import InvalidSetting
from bot.reminders import due_list
from bot.sms import spool
from bot.supervisor import chains
from bot.supervisor.job_worker import JobWorker

QUEUES = ("sms", "reminders", "default")  # first listed, first served
# `python worker.py sms` listens only there: replies to mothers, danger-sign alerts and staff
# SMS. The Procfile's `replies` process and `serve` run one, so a reply never waits behind a
# dispatch that holds the other workers for minutes during a national send.
REDIS_WAIT_SECONDS = 5  # at most this long between tries while Redis does not answer


def main(queue_names=None):
    queue_names = tuple(queue_names or QUEUES)
    unknown = sorted(set(queue_names) - set(QUEUES))
    if unknown:
        print(f"Unknown queue {', '.join(unknown)}: the queues are {', '.join(QUEUES)}.",
              file=sys.stderr)
        raise SystemExit(2)
    try:
        app = create_app()
    except InvalidSetting as refused:
        print(refused, file=sys.stderr)  # one line per setting, no traceback
        raise SystemExit(4) from None
    jobs.use_app(app)
    _wait_for_redis(app)
    _replay_spool(app)
    spool.start_replaying(app, handlers)  # and whatever a node keeps later, once Redis is back
    connection = store.queue_connection(app)
    moved = due_list.move_old_list(store.redis(app))
    if moved:
        logging.getLogger(__name__).info("Moved %s contacts into the parts of the due list", moved)
    if "reminders" in queue_names:  # the worker that runs dispatches books the current one
        now = datetime.now(ZoneInfo(app.config["BOT_TIMEZONE"]))
        jobs.schedule_dispatch(connection, now, int(app.config["DISPATCH_EVERY_MINUTES"]),
                               jobs.dispatch_jobs(app.config),
                               timeout=jobs.dispatch_timeout(app.config))
        jobs.schedule_sweep(connection, now)
    keep_booked = None
    if "reminders" in queue_names:  # and checks every minute that the next ones are booked
        zone = ZoneInfo(app.config["BOT_TIMEZONE"])

        def keep_booked():
            chains.keep_booked(connection, app.config, datetime.now(zone))

    queues = [Queue(name, connection=connection) for name in queue_names]
    logging.getLogger(__name__).info("Worker listening on %s", ", ".join(queue_names))
    JobWorker(queues, connection=connection, keep_booked=keep_booked).work(with_scheduler=True)


def _wait_for_redis(app):
    """Wait until Redis answers: a worker started during an outage waits instead of dying, so
    whatever starts it again (serve, a process manager) does not give it up."""
    pause, said = 0.25, False
    while True:
        try:
            store.redis(app).ping()
            return
        except store.Errors:
            if not said:
                logging.getLogger(__name__).warning("Redis does not answer; the worker waits for it")
                said = True
            time.sleep(pause)
            pause = min(pause * 2, REDIS_WAIT_SECONDS)


def _replay_spool(app):
    """Bring back SMS callbacks that arrived while Redis was down."""
    with app.app_context():
        try:
            if spool.pending(app):
                spool.replay(app, handlers(app))
        except store.Errors:
            logging.getLogger(__name__).warning("Redis still unavailable; the spool waits")


if __name__ == "__main__":
    main(sys.argv[1:])
