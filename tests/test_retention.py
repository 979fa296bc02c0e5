"""What is kept, and for how long: sent marks, visits and RQ's jobs do not grow for ever.

Redis cannot move its clock on, so these tests move the bot's: the dispatch is run
with a later `now` each time, and its pruning reads that clock.
"""

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry

from bot import jobs, retention, store
from bot.reminders import plan
from bot.sms import log, outbound
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, visits

from .fake_at import API_KEY, USERNAME
from .sms_helpers import run_worker
from .test_reminders_dispatch import CONTENT, RULES, enrol, moment, run

PHONE = "+254712004101"


@pytest.fixture
def gateway(at):
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


def marks(db, phone=PHONE):
    """Her sent marks, without the reminders' records kept in them or beside them."""
    return {k: v.split(log.DETAILS, 1)[0] for k, v in db.hgetall(outbound.done_key(phone)).items()
            if not k.startswith(log.RECORD)}


def weekly(db, gateway, first, weeks):
    """Run the Tuesday 10:00 dispatch for `weeks` weeks from `first`; return the last moment."""
    when = moment(first)
    for _ in range(weeks):
        run(db, gateway, when.isoformat(timespec="minutes")[:16])
        when += timedelta(days=7)
    return when - timedelta(days=7)


def test_after_sixty_days_her_sent_marks_hold_none_older_than_they_need(db, gateway, at):
    enrol(db, PHONE, now="2026-11-23T09:00", stage="pregnancy", due_date="2027-05-04")
    first = marks(db)
    last = weekly(db, gateway, "2026-11-24T10:00", 10)  # ten weekly messages, 63 days
    kept = marks(db)
    weekly_ids = [k for k in kept if k.startswith("stage:")]
    assert len(at.requests) >= 10 and first == {}
    oldest = last.timestamp() - outbound.DONE_DAYS * 86400
    assert all(outbound.marked_at(value) >= oldest for value in kept.values())
    assert len(weekly_ids) == 7  # the weeks of the last 45 days, not every week since she joined
    ttl = db.ttl(outbound.done_key(PHONE))
    assert 0 < ttl <= outbound.DONE_DAYS * 86400
    # Her reminders' records beside them: those of the last 35 days, in Redis's compact encoding.
    records = log.messages(db, PHONE)
    oldest_record = last.timestamp() - log.MESSAGE_DAYS * 86400
    assert 5 <= len(records) < 10 and all(int(m["sent_at"]) >= oldest_record for m in records)
    assert {m["ref"] for m in records} <= set(kept)  # each names its reminder, marked sent
    assert db.object("encoding", outbound.done_key(PHONE)) in ("listpack", "ziplist")  # 7, 6


def test_a_reminder_s_record_lives_in_its_mark_and_outlives_it_when_kept_longer(
        db, gateway, at, monkeypatch):
    """One entry per reminder while both are kept (the mark holds the record); kept longer than
    the mark (MESSAGE_KEEP_DAYS 60), the record moves to `#<id>` when the mark goes."""
    monkeypatch.setattr(log, "MESSAGE_DAYS", 60)
    enrol(db, PHONE, now="2026-11-23T09:00", stage="pregnancy", due_date="2027-05-04")
    last = weekly(db, gateway, "2026-11-24T10:00", 10)
    raw = db.hgetall(outbound.done_key(PHONE))
    in_marks = [k for k, v in raw.items() if log.DETAILS in v and not k.startswith(log.RECORD)]
    moved = [k for k in raw if k.startswith(log.RECORD)]
    records = {m["id"]: m for m in log.messages(db, PHONE)}
    mark_days = last.timestamp() - outbound.DONE_DAYS * 86400
    moved_at = sorted(int(records[k[1:]]["sent_at"]) for k in moved)
    assert moved and mark_days - 15 * 86400 <= moved_at[0] and moved_at[-1] < mark_days
    assert len(records) == len(in_marks) + len(moved)  # each message once
    assert all(int(m["sent_at"]) >= last.timestamp() - 60 * 86400 for m in records.values())
    assert all(m["ref"] and m["status"] == "Sent" for m in records.values())
    assert {m["ref"] for m in records.values()} >= set(in_marks)
    kept_id = raw[in_marks[0]].split("|")[1]  # AT's id, "ATXid_" and 32 hex digits, kept in 23
    assert kept_id.startswith("~") and len(kept_id) == 23
    assert raw[in_marks[0]].split("|")[3] == "k0.8"  # KES 0.8000
    assert log.short_id(log.long_id(kept_id)) == kept_id and len(log.long_id(kept_id)) == 38
    for message_id in (moved[0][1:], log.long_id(kept_id)):
        assert log.find(db, message_id, PHONE) == records[message_id]
        assert records[message_id]["cost"] == "KES 0.8"


def test_a_mark_written_before_marks_were_dated_goes_45_days_after_it_is_first_seen(db, gateway,
                                                                                   at):
    enrol(db, PHONE, now="2026-11-23T09:00", stage="pregnancy", due_date="2027-05-04")
    db.hset(outbound.done_key(PHONE), mapping={"stage:old:1": "late", "queued:x:0": "sending"})
    run(db, gateway, "2026-11-24T10:00")
    assert marks(db)["stage:old:1"] == f"late:{int(moment('2026-11-24T10:00').timestamp())}"
    weekly(db, gateway, "2026-12-01T10:00", 6)  # 42 days later: still kept
    assert "stage:old:1" in marks(db)
    run(db, gateway, "2027-01-12T10:00")  # 49 days after it was first seen
    assert "stage:old:1" not in marks(db) and "queued:x:0" not in marks(db)


def test_pruning_never_lets_a_reminder_go_twice(db, gateway, at, monkeypatch):
    """Four months of dispatches every morning and at ten, for mothers with every kind of reminder.

    A newborn's danger-sign SMS (once, counted in days), a pregnancy's weekly messages and
    four-weekly danger signs, visits booked ahead and missed, and one entered after it was
    already past: every sent reminder's id is sent once, and nothing is recorded late twice.
    """
    enrol(db, "+254712004102", now="2026-11-20T09:00", stage="baby", birth_date="2026-11-20",
          stage_since="2026-11-20")
    enrol(db, "+254712004103", now="2026-11-20T09:00", stage="pregnancy", due_date="2027-02-20",
          stage_since="2026-11-20", visit_days=["2026-11-26", "2026-12-30", "2027-01-20"])
    enrol(db, "+254712004104", now="2026-11-20T09:00", visit_days=["2026-11-01"])
    monkeypatch.setattr(log, "MESSAGE_DAYS", 400)  # every record kept: each shows one sending
    late, day = 0, date(2026, 11, 21)
    while day < date(2027, 3, 21):
        for hour in ("08:00", "10:00"):
            late += run(db, gateway, f"{day.isoformat()}T{hour}").late
        if day.day == 1:  # the nightly sweep, now and then
            retention.sweep(db, moment(f"{day.isoformat()}T02:30"), 400)
        day += timedelta(days=1)
    sent = Counter((m["phone"], m["ref"]) for m in _records(db) if m.get("ref"))
    assert len(sent) > 40 and max(sent.values()) == 1
    assert late == 2  # the past visit's day-before and morning SMS, once each
    assert all(len(marks(db, p)) < 15 for p in ("+254712004102", "+254712004103"))


def _records(db):
    phones = [name.removeprefix("sms:done:") for name in db.scan_iter(match="sms:done:*")]
    return [m for phone in phones for m in log.messages(db, phone, 1000)]


def test_a_visit_older_than_visit_keep_days_goes_when_she_is_dispatched(db, gateway, at):
    enrol(db, PHONE, now="2026-11-23T09:00", stage="pregnancy", due_date="2027-05-04",
          visit_days=["2026-05-26", "2026-05-28", "2026-12-20"])
    run(db, gateway, "2026-11-24T10:00")  # VISIT_KEEP_DAYS (180) after 2026-05-28
    assert sorted(visits.parse(db.hgetall(visits.key(PHONE)))) == ["2026-05-28-anc",
                                                                  "2026-12-20-anc"]


def test_the_sweep_prunes_mothers_the_dispatch_never_reaches(db):
    phone = "+254712004105"
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "opted_out": "yes"})
    pipe = db.pipeline()
    visits.add(pipe, phone, date(2025, 1, 5), "anc")
    visits.add(pipe, phone, date(2026, 6, 5), "anc")
    outbound.mark_done(pipe, phone, "stage:pregnancy:20", "late", moment("2026-09-01T10:00")
                       .timestamp())
    outbound.mark_done(pipe, phone, "stage:pregnancy:30", "late", moment("2026-11-20T10:00")
                       .timestamp())
    pipe.execute()
    gone = retention.sweep(db, moment("2026-11-24T02:30"), 400)
    assert gone == 2
    assert list(visits.parse(db.hgetall(visits.key(phone)))) == ["2026-06-05-anc"]
    assert list(marks(db, phone)) == ["stage:pregnancy:30"]


def test_a_reminder_long_past_its_expiry_is_no_longer_planned():
    contact = {"enrolled": "yes", "consent_sms": "yes", "stage": "baby",
               "birth_date": "2026-11-20", "stage_since": "2026-11-20"}
    soon = plan.make_plan(contact, {}, CONTENT, moment("2026-12-05T10:00"), RULES)
    later = plan.make_plan(contact, {}, CONTENT, moment("2027-01-20T10:00"), RULES)
    assert "day:danger-newborn:2026-11-20" in {r.id for r in soon.late}
    assert not {r.id for r in later.late} & {"day:danger-newborn:2026-11-20"}


def test_sent_marks_outlive_every_time_a_reminder_can_be_planned_again():
    needed = max(plan.VISIT_LOOKBACK_DAYS + 2, plan.DAY_MESSAGE_KEEP_DAYS + plan.LATE_FORGOTTEN_DAYS,
                 jobs.BATCH_DAYS)
    assert outbound.DONE_DAYS > needed


def test_a_failed_sms_job_is_kept_thirty_days_not_a_year(sms_app, db, at):
    at.plan = ["500"] * 4  # the first try and all three retries fail
    batch = jobs.queue_sms([outbound.Outgoing(PHONE, "Hello", "reply")],
                           store.enqueue_connection(sms_app), [0, 0, 0])
    run_worker(sms_app)
    connection = store.queue_connection(sms_app)
    (job_id,) = FailedJobRegistry("sms", connection=connection).get_job_ids()
    job = Job.fetch(job_id, connection=connection)
    assert job.failure_ttl == jobs.FAILED_DAYS * 86400 and batch in job.description
    assert 29 * 86400 < connection.ttl(job.key) <= 30 * 86400


def test_finished_and_scheduled_jobs_keep_their_results_a_day(sms_app, db, at):
    jobs.queue_sms([outbound.Outgoing(PHONE, "Hello", "reply")],
                   store.enqueue_connection(sms_app), [0])
    run_worker(sms_app)
    connection = store.queue_connection(sms_app)
    assert 0 < max(connection.ttl(k) for k in connection.keys("rq:job:*")) <= jobs.RESULT_SECONDS
    jobs.schedule_dispatch(connection, datetime(2026, 11, 24, 10, 1), 5, timeout=600)
    jobs.schedule_sweep(connection, moment("2026-11-24T10:01"))
    for job in Queue("reminders", connection=connection).scheduled_job_registry.get_job_ids():
        assert Job.fetch(job, connection=connection).failure_ttl == jobs.FAILED_DAYS * 86400
    sweep = Job.fetch("retention-sweep-20261125", connection=connection)
    assert sweep.result_ttl == jobs.RESULT_SECONDS


def test_message_keep_days_is_how_long_every_kind_of_message_record_lasts(app, db, gateway, at):
    app.config["MESSAGE_KEEP_DAYS"] = 14
    enrol(db, PHONE, now="2026-11-23T09:00", stage="pregnancy", due_date="2027-05-04")
    with app.app_context():
        last = weekly(db, gateway, "2026-11-24T10:00", 6)
        outbound.send(db, gateway, [outbound.Outgoing(PHONE, "Answer to your question", "reply")])
    kept = log.messages(db, PHONE)
    reminders = [m for m in kept if m.get("ref")]
    assert 2 <= len({m["sent_at"] for m in reminders}) <= 3  # two weeks' dispatches, not six
    assert all(int(m["sent_at"]) >= last.timestamp() - 14 * 86400 for m in reminders)
    (reply,) = [m for m in kept if m.get("text")]
    assert 13 * 86400 < db.ttl(log.message_key(reply["id"])) <= 14 * 86400


def test_her_message_log_lists_only_messages_still_kept(db, gateway, at):
    """Messages with words of their own (replies, staff messages) are listed in her log."""
    def reply(n):
        outbound.send(db, gateway, [outbound.Outgoing(PHONE, f"Answer number {n}", "reply")])

    for n in range(4):
        reply(n)
    listed = db.lrange(log.contact_key(PHONE), 0, -1)
    db.delete(*(log.message_key(m) for m in listed[1:]))  # as if 35 days had passed for them
    for n in range(4, 6):
        reply(n)
    now_listed = db.lrange(log.contact_key(PHONE), 0, -1)
    assert len(listed) == 4 and now_listed[-1] == listed[0]  # her newest kept one, at the end
    assert all(db.exists(log.message_key(m)) for m in now_listed)


def test_her_visits_are_stored_compactly_and_read_back_whole(db):
    pipe = db.pipeline()
    for n in range(9):  # a year of booked visits
        visits.add(pipe, PHONE, date(2026, 1, 5) + timedelta(days=42 * n), "immunisation", "09:00",
                   "Mathare North", "import")
    pipe.execute()
    assert visits.set_status(db, PHONE, date(2026, 1, 5), "attended") == 1
    assert db.object("encoding", visits.key(PHONE)) in ("listpack", "ziplist")  # Redis 7, 6
    first = visits.parse(db.hgetall(visits.key(PHONE)))["2026-01-05-immunisation"]
    assert first == {"id": "2026-01-05-immunisation", "date": "2026-01-05", "kind": "immunisation",
                     "time": "09:00", "clinic": "Mathare North", "source": "import",
                     "status": "attended"}
    assert visits.parse({first["id"]: visits.dumps(first)})[first["id"]] == first
    # Each is kept under a short field ("260105i": date and kind), its id given back on reading.
    assert sorted(db.hkeys(visits.key(PHONE)))[:2] == ["260105i", "260216i"]


def test_a_visit_kept_under_its_long_id_before_is_read_changed_and_dropped_as_one(db):
    """Visits stored before short fields: read the same, and a change leaves one entry."""
    db.hset(visits.key(PHONE), mapping={"2026-01-05-anc": "09:00|Kibera|i|b",
                                        "2026-02-01-weird_kind": "|||b"})
    found = visits.parse(db.hgetall(visits.key(PHONE)))
    assert found["2026-01-05-anc"]["clinic"] == "Kibera" and "2026-02-01-weird_kind" in found
    assert visits.set_status(db, PHONE, date(2026, 1, 5), "attended") == 1
    assert sorted(db.hkeys(visits.key(PHONE))) == ["2026-02-01-weird_kind", "260105a"]
    assert visits.stored(db, PHONE, "2026-01-05-anc")["status"] == "attended"
    pipe = db.pipeline()
    visits.drop(pipe, PHONE, ["2026-01-05-anc", "2026-02-01-weird_kind"])
    pipe.execute()
    assert not db.exists(visits.key(PHONE))


def test_the_nightly_sweep_runs_as_a_job_and_books_the_next_night(sms_app, db):
    phone = "+254712004106"
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "opted_out": "yes"})
    pipe = db.pipeline()
    visits.add(pipe, phone, date.today() - timedelta(days=500), "anc")
    pipe.execute()
    assert jobs.sweep_records() == {"pruned": 1} and not db.exists(visits.key(phone))
    connection = store.queue_connection(sms_app)
    booked = Queue("default", connection=connection).scheduled_job_registry.get_job_ids()
    assert [job[:16] for job in booked] == ["retention-sweep-"]


def test_a_record_kept_before_ids_and_costs_were_shortened_is_found_and_read_the_same(db):
    db.hset(outbound.done_key(PHONE), mapping={"stage:baby:12": "1796175064|ATXid_1|Sent|KES 0.8|s",
                                               "stage:baby:13": "1796779864|^2f|Success|k0.8|s"})
    older = log.find(db, "ATXid_1", PHONE)
    assert older["ref"] == "stage:baby:12" and older["cost"] == "KES 0.8" and older["kind"] == "stage"
    newer = log.find(db, "ATXid_2f", PHONE)
    assert newer["id"] == "ATXid_2f" and newer["status"] == "Success" and newer["cost"] == "KES 0.8"
    assert log.pack({**newer, "ref": ""}) == "1796779864|^2f|Success|k0.8|s"
    real = "ATXid_0f5c2e9a7b3d4c1e8f6a5b4c3d2e1f0a"
    assert log.long_id(log.short_id(real)) == real and log.short_id(real) == "~D1wumns9TB6PaltMPS4fCg"
    upper = "ATXid_" + real[6:].upper()  # not hex as AT writes it: kept as it is, after "^"
    assert log.short_id(upper) == "^" + real[6:].upper() and log.long_id(log.short_id(upper)) == upper
