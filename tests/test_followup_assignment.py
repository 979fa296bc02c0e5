"""Every follow-up goes to a Mentor Mother: hers, else the next of her facility in turn, else a
supervisor assigns it; each is due by a time that depends on why it was made."""

import threading
import time
from collections import Counter

import pytest

from bot import mentors
from bot.api import tokens
from bot.store import assignments, contacts, followups
from bot.store.forget import forget

FACILITY = "13939"
TEAM = ("+254711000001", "+254711000002", "+254711000003")


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


def mother(db, n, facility=FACILITY, **fields):
    """A mother of `facility`; return her phone."""
    phone = f"+25472200{n:04d}"
    db.hset(contacts.key(phone), mapping={"enrolled": "yes", "facility": facility, **fields})
    return phone


def file(db, phone, reason="callback", priority="normal"):
    pipe = db.pipeline()
    found = followups.add(pipe, phone, reason, "pmtct", "ussd", priority=priority)
    pipe.execute()
    return db.hgetall(followups.key(found))


def team(db, *phones, facility=FACILITY):
    for n, phone in enumerate(phones):
        mentors.add(db, phone, f"Mentor {n}", facility, "1234")


def test_her_own_mentor_mother_gets_it(db):
    team(db, *TEAM)
    her = mother(db, 1, mentor=TEAM[2])
    first, second = file(db, her), file(db, her)
    assert first["assigned_to"] == second["assigned_to"] == TEAM[2]
    assert mentors.open_followups(db, TEAM[2]) == sorted([first["id"], second["id"]])


def test_a_mother_without_one_gets_the_next_of_her_facility_and_keeps_her(db):
    team(db, *TEAM)
    team(db, "+254711000009", facility="13704")  # another facility's: never hers
    mothers = [mother(db, n) for n in range(6)]
    first = [file(db, phone)["assigned_to"] for phone in mothers]
    assert Counter(first) == {phone: 2 for phone in TEAM}
    assert [file(db, phone, "missed_visit")["assigned_to"] for phone in mothers] == first
    for phone, mentor in zip(mothers, first, strict=True):
        assert db.hget(contacts.key(phone), "mentor") == mentor
        assert phone in db.smembers(assignments.mothers_key(mentor))


@pytest.mark.parametrize("fields", [{}, {"facility": ""}, {"facility": "99999"}])
def test_with_no_mentor_mother_to_give_it_to_it_waits_for_a_supervisor(db, fields):
    team(db, *TEAM)
    phone = "+254722000500"
    if fields:
        db.hset(contacts.key(phone), mapping={"enrolled": "yes", **fields})
    record = file(db, phone)
    assert "assigned_to" not in record and record["status"] == "open"
    assert db.hget(contacts.key(phone), "mentor") is None


def test_a_test_numbers_followup_is_given_to_nobody(app, db):
    team(db, *TEAM)
    tester = "+254700000123"
    db.hset(contacts.key(tester), mapping={"enrolled": "yes", "facility": FACILITY})
    app.config["TEST_PHONE_PREFIXES"] = ["+2547000"]
    try:
        with app.app_context():
            record = file(db, tester)
            also = file(db, mother(db, 2))
    finally:
        app.config["TEST_PHONE_PREFIXES"] = []
    assert record.get("test") == "yes" and "assigned_to" not in record
    assert db.hget(contacts.key(tester), "mentor") is None
    assert also["assigned_to"] == TEAM[0]  # the test phone used up no turn


def test_followups_filed_at_once_are_shared_evenly(db):
    team(db, *TEAM)
    mothers = [mother(db, n) for n in range(300)]
    start = threading.Barrier(6)

    def work(part):
        start.wait(timeout=10)
        for phone in part:
            file(db, phone)

    threads = [threading.Thread(target=work, args=(mothers[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    counts = {phone: len(mentors.open_followups(db, phone)) for phone in TEAM}
    assert counts == {phone: 100 for phone in TEAM}


def test_removing_a_mentor_mother_hands_her_work_on(runner, db):
    team(db, *TEAM[:2])
    mothers = [mother(db, n) for n in range(4)]
    records = [file(db, phone) for phone in mothers]
    hers = [r["id"] for r in records if r["assigned_to"] == TEAM[0]]
    done = runner.invoke(args=["mentors", "remove", TEAM[0]])
    assert done.exit_code == 0 and "2 open follow-ups handed on" in done.output
    for followup_id in hers:
        assert db.hget(followups.key(followup_id), "assigned_to") == TEAM[1]
    assert len(mentors.open_followups(db, TEAM[1])) == 4
    assert not db.exists(assignments.mothers_key(TEAM[0]), assignments.assigned_key(TEAM[0]))
    assert {db.hget(contacts.key(m), "mentor") for m in mothers} == {TEAM[1]}
    mentors.remove(db, TEAM[1])  # the last of her facility: the follow-ups wait, unassigned
    assert not any(db.hexists(followups.key(r["id"]), "assigned_to") for r in records)
    assert not any(db.hexists(contacts.key(m), "mentor") for m in mothers)


def test_a_supervisor_reassigns_a_followup_and_the_mother_with_it(runner, db):
    team(db, *TEAM)
    her = mother(db, 1, mentor=TEAM[0])
    record = file(db, her)
    done = runner.invoke(args=["followups", "assign", record["id"], "0711000003"])
    assert done.exit_code == 0 and "assigned to *********003" in done.output
    assert db.hget(followups.key(record["id"]), "assigned_to") == TEAM[2]
    assert mentors.open_followups(db, TEAM[0]) == [] and file(db, her)["assigned_to"] == TEAM[2]
    nobody = runner.invoke(args=["followups", "assign", record["id"], "0711999999"])
    assert nobody.exit_code == 1 and "is not a Mentor Mother" in nobody.output
    followups.close(db, record["id"], "called")
    assert record["id"] not in mentors.open_followups(db, TEAM[2])
    closed = runner.invoke(args=["followups", "assign", record["id"], "0711000001"])
    assert closed.exit_code == 1 and "no open follow-up" in closed.output


@pytest.mark.parametrize("reason, priority, hours", [
    ("danger_sign", "urgent", 2), ("callback", "normal", 48), ("sms_question", "normal", 48),
    ("missed_visit", "normal", 72), ("loss", "normal", 48)])
def test_each_followup_is_due_by_a_time_for_its_reason(app, db, reason, priority, hours):
    with app.app_context():
        record = file(db, "+254722000001", reason, priority)
    due = int(record["due_at"]) - int(record["created_at"])
    assert due == hours * 3600
    assert not followups.overdue(record)
    assert followups.overdue(record, now=int(record["due_at"]) + 1)


def test_the_due_times_are_settings(app, db):
    app.config.update(FOLLOWUP_DUE_URGENT_HOURS=1, FOLLOWUP_DUE_MISSED_VISIT_HOURS=24)
    try:
        with app.app_context():
            urgent = file(db, "+254722000001", "danger_sign", "urgent")
            missed = file(db, "+254722000002", "missed_visit")
    finally:
        app.config.update(FOLLOWUP_DUE_URGENT_HOURS=2, FOLLOWUP_DUE_MISSED_VISIT_HOURS=72)
    assert int(urgent["due_at"]) - int(urgent["created_at"]) == 3600
    assert int(missed["due_at"]) - int(missed["created_at"]) == 86400


def test_a_followup_made_before_due_times_gets_one_from_its_reason(db):
    record = {"reason": "missed_visit", "created_at": "1700000000", "status": "open"}
    assert followups.due_at(record) == 1700000000 + 72 * 3600
    assert followups.overdue(record)
    assert not followups.overdue({**record, "status": "done"})


def test_overdue_and_assigned_show_in_the_cli_list(runner, db):
    team(db, TEAM[0])
    late = file(db, mother(db, 1))
    db.hset(followups.key(late["id"]), "due_at", str(int(time.time()) - 60))
    file(db, "+254722000777")  # no facility: unassigned
    listed = runner.invoke(args=["followups", "list"]).output
    late_line, waiting_line = listed.splitlines()
    assert late_line.startswith(late["id"]) and "OVERDUE since" in late_line
    assert "to Mentor 0 (*********001)" in late_line
    assert "due by" in waiting_line and "  unassigned  +254722000777" in waiting_line
    assert TEAM[0] not in listed


def test_the_api_gives_who_it_is_assigned_to_and_when_it_is_due(client, db):
    team(db, TEAM[0])
    late = file(db, mother(db, 1))
    db.hset(followups.key(late["id"]), "due_at", "1700000000")
    waiting = file(db, "+254722000777")
    token = tokens.create(db, "emr-test")
    body = client.get("/api/followups", headers={"Authorization": f"Bearer {token}"}).get_json()
    found = {f["id"]: f for f in body["followups"]}
    assert found[late["id"]]["assigned_to"] == TEAM[0] and found[late["id"]]["overdue"] is True
    assert found[late["id"]]["due_at"] == "2023-11-15T01:13:20+03:00"
    assert found[waiting["id"]]["assigned_to"] is None and found[waiting["id"]]["overdue"] is False
    closed = client.post(f"/api/followups/{late['id']}/close", json={"note": "called"},
                         headers={"Authorization": f"Bearer {token}"}).get_json()
    assert closed["overdue"] is False and closed["assigned_to"] == TEAM[0]
    assert mentors.open_followups(db, TEAM[0]) == []


def test_forgetting_a_mother_takes_her_off_her_mentor_mothers_lists(db):
    team(db, TEAM[0])
    her = mother(db, 1)
    file(db, her)
    forget(db, her)
    assert not db.exists(assignments.mothers_key(TEAM[0]), assignments.assigned_key(TEAM[0]))
