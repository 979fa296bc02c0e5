"""Texting the bot as AT does, and running the real RQ worker on what it queued."""

import itertools

from rq import Queue, SimpleWorker

from bot import store

_ids = itertools.count(1)


def text(client, phone, words, message_id=None):
    """Send one SMS to the bot; return the HTTP answer."""
    return client.post("/sms/incoming", data={
        "from": phone, "to": "22384", "text": words, "date": "2026-11-21 10:00:00",
        "id": message_id or f"in-{next(_ids)}", "linkId": "", "networkCode": "63902"})


def run_worker(app):
    """Run the worker until the sms queue is empty (retries included)."""
    connection = store.queue_connection(app)
    SimpleWorker([Queue("sms", connection=connection)], connection=connection).work(
        burst=True, with_scheduler=True)
    connection.close()
