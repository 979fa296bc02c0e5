"""A dispatch split into jobs: each job sends only its parts of the due list, together they
send everything once, and two dispatches never work through the same part at once."""

import threading
import time

import pytest

from bot import jobs
from bot.reminders import dispatch, due_list
from bot.sms.gateway import AfricasTalkingGateway

from .fake_at import API_KEY, USERNAME
from .test_reminders_dispatch import CONTENT, RULES, enrol, moment, run

PHONES = [f"+2547130{n:05d}" for n in range(120)]


@pytest.fixture
def gateway(at):
    return AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))


def _enrol_all(db):
    for phone in PHONES:
        enrol(db, phone, stage="pregnancy", due_date="2027-03-16")


def test_every_part_belongs_to_exactly_one_job():
    for count in (1, 2, 3, 5, 16):
        parts = [part for job in range(count) for part in due_list.parts_for(job, count)]
        assert sorted(parts) == list(range(due_list.PARTS))
    spread = {due_list.part_of(phone) for phone in PHONES}
    assert len(spread) == due_list.PARTS  # numbers spread over every part


def test_two_jobs_sending_at_the_same_time_send_everyone_once(db, at):
    _enrol_all(db)
    reports = {}

    def job(number):
        own = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url)  # one per worker
        reports[number] = dispatch.dispatch(db, CONTENT, own, moment("2026-11-24T10:00"),
                                            RULES, 500, number, 2)

    threads = [threading.Thread(target=job, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(at.recipients()) == PHONES  # everyone, once
    for number, report in reports.items():
        mine = [p for p in PHONES if due_list.part_of(p) in due_list.parts_for(number, 2)]
        assert report.sent == len(mine) and report.busy_parts == 0
    assert run(db, AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url),
               "2026-11-24T10:05").sent == 0


def test_a_part_another_dispatch_is_sending_is_left_to_it(db, gateway, at):
    _enrol_all(db)
    held = due_list.Claim(db, [0, 1])  # another, live dispatch works through parts 0 and 1
    assert held.parts == [0, 1]
    report = run(db, gateway, "2026-11-24T10:00")
    theirs = {p for p in PHONES if due_list.part_of(p) in (0, 1)}
    assert report.busy_parts == 2 and set(at.recipients()) == set(PHONES) - theirs
    held.release()
    assert run(db, gateway, "2026-11-24T10:05").sent == len(theirs)
    assert sorted(at.recipients()) == PHONES


def test_a_claim_is_renewed_while_held_and_only_released_by_its_holder(db):
    first = due_list.Claim(db, [3], seconds=1)
    time.sleep(1.5)  # longer than it lasts: renewed in the background meanwhile
    assert db.exists("reminders:dispatching:3") and due_list.Claim(db, [3]).parts == []
    first._done.set()  # its holder stops renewing (as if stuck), so it lapses ...
    first._renewer.join()
    time.sleep(1.2)
    second = due_list.Claim(db, [3])
    assert second.parts == [3]  # ... and another dispatch takes the part
    first.release()  # no longer the holder: changes nothing
    assert due_list.Claim(db, [3]).parts == []
    second.release()
    third = due_list.Claim(db, [3])
    assert third.parts == [3]
    third.release()


def test_a_dispatch_goes_on_until_no_one_is_due(db, gateway, at, monkeypatch):
    monkeypatch.setattr(dispatch, "CHUNK", 16)  # 120 due: eight rounds or more
    _enrol_all(db)
    report = run(db, gateway, "2026-11-24T10:00")
    assert report.sent == len(PHONES) and sorted(at.recipients()) == PHONES
    assert len(at.requests) > 7


def test_an_earlier_single_due_list_is_moved_into_the_parts(db):
    db.zadd(due_list.OLD_LIST, {phone: 1795000000 + n for n, phone in enumerate(PHONES)})
    assert due_list.move_old_list(db, page=50) == len(PHONES)
    assert not db.exists(due_list.OLD_LIST) and due_list.size(db) == len(PHONES)
    assert due_list.next_at(db, PHONES[7]) == 1795000007


def test_dispatch_jobs_setting_is_kept_within_the_parts(caplog):
    assert jobs.dispatch_jobs({"DISPATCH_JOBS": 2}) == 2
    assert jobs.dispatch_jobs({"DISPATCH_JOBS": 0}) == 1
    assert jobs.dispatch_jobs({"DISPATCH_JOBS": 99}) == due_list.PARTS
    assert "DISPATCH_JOBS=99 is out of range" in caplog.text
