"""Delivery reports, and SMS callbacks that arrive while Redis is down."""

from pathlib import Path

import pytest

from bot import create_app, jobs, store
from bot.sms import delivery, log, outbound
from bot.sms.gateway import ConsoleGateway

from .redis_server import RedisServer
from .sms_helpers import text


def sent_message(db, phone="+254712000001"):
    (outcome,) = outbound.send(db, ConsoleGateway(db, echo=lambda line: None),
                               [outbound.Outgoing(phone, "Clinic tomorrow", "reminder")])
    return outcome.message_id


def report(client, message_id, status, **extra):
    return client.post("/sms/delivery", data={"id": message_id, "status": status,
                                              "phoneNumber": "+254712000001",
                                              "networkCode": "63902", **extra})


@pytest.mark.parametrize("status", ["Sent", "Submitted", "Buffered", "Success", "Failed",
                                    "Rejected", "Expired", "SomethingNewFromAT"])
def test_every_status_is_stored_as_it_came(client, db, status):
    message_id = sent_message(db)
    assert report(client, message_id, status, failureReason="UserIsInactive").status_code == 200
    assert db.hget(log.message_key(message_id), "status") == status


def test_a_message_is_counted_delivered_or_failed_once(client, db):
    ok, bad = sent_message(db), sent_message(db, "+254712000002")
    for _ in range(2):  # AT may repeat a report
        report(client, ok, "Buffered")
        report(client, ok, "Success")
        report(client, bad, "Failed", failureReason="InsufficientCredit")
    (_, counts), = log.totals(db, 1)
    assert counts["sent"] == "2" and counts["delivered"] == "1"
    assert counts["undelivered:InsufficientCredit"] == "1"


def sent_reminder(db, phone="+254712000001", ref="visit:2027-11-15:before"):
    (outcome,) = outbound.send(db, ConsoleGateway(db, echo=lambda line: None),
                               [outbound.Outgoing(phone, "Clinic tomorrow", "visit_day_before",
                                                  key=ref)])
    return outcome.message_id


def test_a_reminders_record_is_kept_compactly_and_its_reports_counted_once(client, db):
    """A reminder's record is a short field of her sent-marks hash, found by the number AT
    reports it for; its delivery is stored and counted as a record of its own would be."""
    ok = sent_reminder(db)
    bad = sent_reminder(db, "+254712000002", "day:after-birth-family-planning:2027-03-06")
    assert not db.exists(log.message_key(ok)) and not db.exists(log.contact_key("+254712000001"))
    for _ in range(2):  # AT may repeat a report
        report(client, ok, "Buffered")
        report(client, ok, "Success")
        client.post("/sms/delivery", data={"id": bad, "status": "Failed",
                                           "phoneNumber": "254712000002",  # without the +
                                           "failureReason": "InsufficientCredit"})
    record = log.find(db, ok, "+254712000001")
    assert record["status"] == "Success" and record["kind"] == "visit_day_before"
    assert record["ref"] == "visit:2027-11-15:before" and record["cost"] == "KES 0"  # 0.0000
    assert int(record["updated_at"]) >= int(record["sent_at"])
    assert log.find(db, bad, "+254712000002")["failure_reason"] == "InsufficientCredit"
    (_, counts), = log.totals(db, 1)
    assert counts["sent"] == "2" and counts["delivered"] == "1"
    assert counts["undelivered:InsufficientCredit"] == "1"
    assert [m["id"] for m in log.messages(db, "+254712000001")] == [ok]
    marks = db.hgetall(outbound.done_key("+254712000001"))
    assert marks.keys() == {"visit:2027-11-15:before"}  # the mark keeps the record
    assert marks["visit:2027-11-15:before"].split("|")[:3] == [record["sent_at"], ok, "Success"]
    for phone in ("+254712000001", "+254712000002"):  # a long reminder id too (README, Redis)
        assert db.object("encoding", outbound.done_key(phone)) in ("listpack", "ziplist")


def test_a_report_after_she_was_forgotten_leaves_no_trace(client, db):
    from bot.store import forget

    message_id = sent_reminder(db)
    forget.forget(db, "+254712000001")
    assert report(client, message_id, "Success").status_code == 200
    assert not db.exists(outbound.done_key("+254712000001"))
    assert log.find(db, message_id, "+254712000001") == {}


def test_a_report_for_an_unknown_message_is_kept_for_reconciliation(client, db):
    assert report(client, "ATXid_unknown", "Success").status_code == 200
    (_, kept), = db.xrange(delivery.UNMATCHED)
    assert kept["id"] == "ATXid_unknown" and kept["status"] == "Success"


@pytest.mark.parametrize("form", [{}, {"id": "x"}, {"status": "Success"}])
def test_a_report_without_id_or_status_is_a_400(client, form):
    assert client.post("/sms/delivery", data=form).status_code == 400


@pytest.fixture
def server(tmp_path):
    server = RedisServer(tmp_path / "redis").start() if (tmp_path / "redis").mkdir() is None else None
    yield server
    server.stop()


def test_callbacks_answered_while_redis_is_down_are_replayed_not_lost(server, tmp_path):
    app = create_app({"TESTING": True, "REDIS_URL": server.url})
    app.instance_path = str(tmp_path / "instance")
    jobs.use_app(app)
    client = app.test_client()
    db = store.redis(app)
    message_id = sent_message(db)
    server.stop()
    assert text(client, "+254712000001", "My baby has a cough", "AT-9").get_data(as_text=True) == "OK"
    assert report(client, message_id, "Success").status_code == 200
    text(client, "+254712000001", "My baby has a cough", "AT-9")  # AT retries: still one
    assert (Path(app.instance_path) / "spool" / "callbacks.jsonl").exists()
    server.start()
    assert text(client, "+254712000002", "help", "AT-10").status_code == 200  # Redis is back
    assert db.hget(log.message_key(message_id), "status") == "Success"
    questions = [db.hget(f"followup:{i}", "message") for i in db.zrange("followups:open", 0, -1)]
    assert questions == ["My baby has a cough"]
    assert not list((Path(app.instance_path) / "spool").glob("*.jsonl"))
    jobs.use_app(None)
    db.close()


def test_only_when_even_the_spool_fails_is_at_asked_to_retry(server, tmp_path):
    app = create_app({"TESTING": True, "REDIS_URL": server.url})
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the spool folder should be")
    app.instance_path = str(blocked)
    server.stop()
    assert text(app.test_client(), "+254712000001", "help").status_code == 503


def test_redis_stopped_and_restarted_mid_traffic_loses_no_message(server, tmp_path, caplog):
    import threading
    import time

    app = create_app({"TESTING": True, "REDIS_URL": server.url})
    app.instance_path = str(tmp_path / "instance")
    jobs.use_app(app)
    client, answers = app.test_client(), []
    halfway, restarted = threading.Event(), threading.Event()

    def traffic():
        for n in range(60):
            if n == 20:
                halfway.set()
                time.sleep(0.3)
            if n == 40:
                restarted.wait(10)
            answers.append(text(client, f"+2547120002{n:02d}", f"Question number {n}", f"mid-{n}"))

    sender = threading.Thread(target=traffic)
    sender.start()
    halfway.wait(10)
    server.stop()
    time.sleep(0.5)
    server.start()
    restarted.set()
    sender.join(30)
    assert [a.status_code for a in answers] == [200] * 60
    db = store.redis(app)
    asked = {db.hget(f"followup:{i}", "message") for i in db.zrange("followups:open", 0, -1)}
    assert asked == {f"Question number {n}" for n in range(60)}
    assert "kept in the spool" in caplog.text and "Replayed" in caplog.text  # it was needed
    jobs.use_app(None)
    db.close()


def test_a_question_is_not_lost_when_redis_fails_after_the_seen_mark(client, db, app,
                                                                     monkeypatch):
    import redis

    from bot.store import followups

    real_add = followups.add

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(followups, "add", real_add)
        raise redis.exceptions.ConnectionError("Redis went away mid-message")

    monkeypatch.setattr(followups, "add", fail_once)
    assert text(client, "+254712000001", "Is it safe to travel?", "AT-77").status_code == 200
    assert (Path(app.instance_path) / "spool" / "callbacks.jsonl").exists()
    text(client, "+254712000002", "help", "AT-78")  # Redis answers: the spool is replayed
    text(client, "+254712000001", "Is it safe to travel?", "AT-77")  # AT's late duplicate
    questions = [db.hget(f"followup:{i}", "message") for i in db.zrange("followups:open", 0, -1)]
    assert questions == ["Is it safe to travel?"]
    assert db.ttl("sms:seen:AT-77") > 6 * 86400  # handled: its duplicates dropped for a week


def test_a_mark_left_by_an_attempt_that_died_with_redis_gives_the_message_back(db):
    from bot.sms import incoming

    assert incoming.claim(db, {"id": "AT-80", "from": "+254712000001"})  # then Redis died
    assert 0 < db.ttl("sms:seen:AT-80") <= 3600  # minutes, not a week: AT's retry is handled


def test_a_line_cut_short_is_kept_aside_and_the_next_callback_is_not_glued_to_it(
        server, tmp_path, caplog):
    app = create_app({"TESTING": True, "REDIS_URL": server.url})
    app.instance_path = str(tmp_path / "instance")
    jobs.use_app(app)
    client, db = app.test_client(), store.redis(app)
    spooled = Path(app.instance_path) / "spool"
    spooled.mkdir(parents=True)
    (spooled / "callbacks.jsonl").write_text('{"kind": "incoming", "form": {"id": "AT-1", "fr')
    server.stop()
    assert text(client, "+254712000001", "Where is my clinic?", "AT-2").status_code == 200
    server.start()
    text(client, "+254712000002", "help", "AT-3")  # Redis is back: the spool is replayed
    questions = [db.hget(f"followup:{i}", "message") for i in db.zrange("followups:open", 0, -1)]
    assert questions == ["Where is my clinic?"]
    kept = (spooled / "unreadable.jsonl").read_text()
    assert kept == '{"kind": "incoming", "form": {"id": "AT-1", "fr\n'
    assert "1 spooled callbacks could not be read" in caplog.text
    assert "unreadable.jsonl" in caplog.text
    jobs.use_app(None)
    db.close()


def test_a_spool_write_that_fails_leaves_no_part_of_its_line(app, monkeypatch):
    from bot.sms import spool

    spool.append(app, "incoming", {"id": "AT-1", "text": "kept"})
    before = (spool.folder(app) / "callbacks.jsonl").read_bytes()

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", disk_full)
    with pytest.raises(OSError):
        spool.append(app, "incoming", {"id": "AT-2", "text": "x" * 5000})
    assert (spool.folder(app) / "callbacks.jsonl").read_bytes() == before
