"""Urgent follow-ups: listed before all others everywhere, then oldest first; forgotten with her."""

import pytest

from bot.store import followups, forget

MOTHER = "+254712000401"


def add(db, phone, reason, priority="normal", message=""):
    pipe = db.pipeline()
    found = followups.add(pipe, phone, reason, "newborn", "sms", message=message, priority=priority)
    pipe.execute()
    return found


def test_urgent_ones_come_first_then_the_oldest(db):
    first = add(db, "+254712000402", "callback")
    urgent = add(db, MOTHER, "danger_sign", "urgent")
    second = add(db, "+254712000403", "sms_question")
    later_urgent = add(db, "+254712000404", "danger_sign", "urgent")
    assert [r["id"] for r in followups.open_list(db, 10)] == [urgent, later_urgent, first, second]
    assert [followups.priority(r) for r in followups.open_list(db, 10)] == [
        "urgent", "urgent", "normal", "normal"]


def test_a_followup_made_before_priorities_reads_as_normal(db):
    found = add(db, MOTHER, "callback")
    db.hdel(followups.key(found), "priority")
    (record,) = followups.open_list(db, 10)
    assert followups.priority(record) == "normal"


def test_an_unknown_priority_is_refused(db):
    with pytest.raises(ValueError, match="urgent"):
        followups.add(db.pipeline(), MOTHER, "callback", "", "ussd", priority="high")


def test_forget_me_removes_her_urgent_followups_too(db):
    urgent = add(db, MOTHER, "danger_sign", "urgent", message="my baby is not feeding")
    kept = add(db, "+254712000402", "callback")
    forget.forget(db, MOTHER)
    assert not db.exists(followups.key(urgent))
    assert [r["id"] for r in followups.open_list(db, 10)] == [kept]
    assert db.zcard(followups.OPEN) == 1


def test_the_command_line_list_shows_priority_with_urgent_first(runner, db):
    normal = add(db, "+254712000402", "callback")
    urgent = add(db, MOTHER, "danger_sign", "urgent", message="Mtoto ana homa")
    lines = runner.invoke(args=["followups", "list"]).output.splitlines()
    assert [line.split()[:2] for line in lines] == [[urgent, "URGENT"], [normal, "normal"]]
    assert f"{MOTHER}  wrote of a danger sign (sms) newborn \"Mtoto ana homa\"" in lines[0]
