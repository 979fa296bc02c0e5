"""'Forget me' leaves nothing in Redis that holds her number, and nothing queued is sent to her."""

import redis

from bot import jobs, store
from bot.sms import log, outbound
from bot.sms.gateway import OUTBOX, ConsoleGateway
from bot.store import forget

from .redis_contents import values
from .sms_helpers import run_worker, text

PHONE = "+254712000051"
FORMS = (PHONE, PHONE[1:], "0" + PHONE[4:])  # E.164, without the plus, as dialled at home
STAFF = "+254712000059"
DANGER = "My baby has a fever since yesterday and is not breastfeeding, what should I do?"


def _holding_her_number(url):
    raw = redis.Redis.from_url(url)
    found = []
    for key in raw.scan_iter(count=1000):
        for value in [key, *(v if isinstance(v, bytes) else v.encode()
                             for v in values(raw, key))]:
            if any(form.encode() in value for form in FORMS):
                found.append(key.decode(errors="replace"))
    raw.close()
    return found


def test_forget_me_leaves_nothing_holding_her_number_and_sends_nothing_queued(
        client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = [STAFF]
    ConsoleGateway(db, echo=lambda line: None).send("Welcome", [PHONE])  # the console's outbox
    text(client, PHONE, "Kiswahili")
    text(client, PHONE, "help")  # a reply queued, and her hourly reply count
    text(client, PHONE, "When is my next visit?")  # a follow-up
    text(client, PHONE, DANGER)  # an urgent follow-up, its answer and the alert to staff
    jobs.queue_sms([outbound.Outgoing(STAFF, "Staff test")], store.enqueue_connection(sms_app), [0])
    assert _holding_her_number(sms_app.config["REDIS_URL"])

    forget.forget(db, PHONE)

    assert _holding_her_number(sms_app.config["REDIS_URL"]) == []
    run_worker(sms_app)
    assert at.recipients() == [STAFF]  # the staff test only: no alert about a forgotten follow-up
    assert _holding_her_number(sms_app.config["REDIS_URL"]) == []


def test_a_batch_taken_by_a_worker_before_she_was_forgotten_is_not_sent_to_her(sms_app, at, db):
    connection = store.enqueue_connection(sms_app)
    batch_id = jobs.queue_sms([outbound.Outgoing(PHONE, "Thank you for your question."),
                               outbound.Outgoing(STAFF, "Staff test")], connection, [0])
    items = db.get(f"sms:batch:{batch_id}")  # what the worker read before "forget me"
    forget.forget(db, PHONE)
    db.set(f"sms:batch:{batch_id}", items)  # the worker still holds her item

    jobs.send_sms(batch_id)

    assert at.recipients() == [STAFF]


def test_forget_me_finds_message_records_older_than_her_message_list(sms_app, db):
    quiet = ConsoleGateway(db, echo=lambda line: None)
    for n in range(log.PER_CONTACT + 2):
        outbound.send(db, quiet, [outbound.Outgoing(PHONE, f"Answer {n}", "staff")])
    db.delete(OUTBOX)
    assert len(db.keys("sms:msg:*")) == log.PER_CONTACT + 2

    forget.forget(db, PHONE)

    assert _holding_her_number(sms_app.config["REDIS_URL"]) == []
