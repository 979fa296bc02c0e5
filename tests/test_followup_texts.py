"""One number cannot flood the follow-up list: her texts join her one open follow-up, bounded.

Through the real webhooks, Redis, RQ worker and the fake Africa's Talking server; the day's
limit is tested with the day passed explicitly, so no test depends on the time it runs.
"""

import threading
from datetime import date, timedelta

from bot import content_service
from bot.api import tokens
from bot.sms import incoming
from bot.store import followups, forget

from .sms_helpers import run_worker, text
from .test_console_auth import TOKEN, sign_in

FLOOD = "+254712000701"
OTHERS = ("+254712000702", "+254712000703")
ON_DUTY = "+254722000909"
DANGER = "My baby has a fever since yesterday and is not breastfeeding, what should I do?"
DAY = date(2027, 3, 10)
KEPT, TEXT_KEPT = 20, 1000  # what one follow-up keeps: her newest texts, each cut to this length


def sent_to(at, phone):
    return [r["message"] for r in at.requests if phone in r["to"].split(",")]


def her_followups(db, phone):
    return [db.hgetall(followups.key(i)) for i in sorted(db.smembers(followups.by_phone_key(phone)))]


def stored_bytes(db, key):
    return sum(len(k.encode()) + len(v.encode()) for k, v in db.hgetall(key).items())


def test_a_burst_of_200_texts_makes_one_bounded_followup_and_the_others_stay_in_view(client, db):
    text(client, OTHERS[0], "When is my next clinic visit?")  # before the flood
    for n in range(200):
        text(client, FLOOD, f"Question number {n} " + "x" * 900)
    text(client, OTHERS[1], "Can I breastfeed while on ARVs?")  # after it

    (record,) = her_followups(db, FLOOD)
    assert record["status"] == "open" and followups.text_count(record) == 200
    kept = followups.messages(record)
    assert len(kept) <= KEPT  # past the day's limit, only counted
    assert all(len(m["text"]) <= TEXT_KEPT for m in kept)
    bound = KEPT * (TEXT_KEPT + 100) + 3000
    assert stored_bytes(db, followups.key(record["id"])) < bound
    assert db.zcard(followups.OPEN) == 3

    sign_in(client, db, "staff")
    page = client.get("/console/followups").get_data(as_text=True)
    assert "3 open." in page
    assert "When is my next clinic visit?" in page and "Can I breastfeed while on ARVs?" in page
    assert "200 texts from her in all" in page
    api = client.get("/api/followups", headers={"Authorization": f"Bearer {tokens.create(db, 'emr')}"})
    listed = {f["phone"]: f for f in api.get_json()["followups"]}
    assert set(listed) == {FLOOD, *OTHERS} and listed[FLOOD]["texts"] == 200
    assert "Question" not in api.get_data(as_text=True)  # counts and times only, never her words


def test_an_urgent_text_after_normal_ones_makes_her_followup_urgent_and_never_normal_again(
        client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = (ON_DUTY,)
    text(client, OTHERS[0], "When is my next clinic visit?")
    text(client, FLOOD, "Hello, is this the clinic?")
    text(client, FLOOD, "Please answer me")
    text(client, FLOOD, DANGER)
    text(client, FLOOD, "Thank you")  # a normal text after: still urgent
    text(client, FLOOD, DANGER)  # a second danger sign: answered again, staff not alerted again
    run_worker(sms_app)

    (record,) = her_followups(db, FLOOD)
    assert followups.priority(record) == "urgent" and record["reason"] == "danger_sign"
    assert record["sign"] and record["topic"]
    assert [r["id"] for r in followups.open_list(db, 10)][0] == record["id"]  # listed first
    assert [m["text"] for m in followups.messages(record)] == [
        "Hello, is this the clinic?", "Please answer me", DANGER, "Thank you", DANGER]
    assert [bool(m["sign"]) for m in followups.messages(record)] == [False, False, True, False, True]
    hospital = [m for m in sent_to(at, FLOOD) if "nearest hospital" in m and "not feeding" in m]
    assert len(hospital) == 2
    (alert,) = sent_to(at, ON_DUTY)
    assert record["id"] in alert


def test_a_new_danger_sign_hours_later_tells_the_mentor_mothers_again(client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = (ON_DUTY,)
    text(client, FLOOD, DANGER)
    run_worker(sms_app)
    (record,) = her_followups(db, FLOOD)
    told = int(record["alerted_at"])
    db.hset(followups.key(record["id"]), "alerted_at", told - 7 * 3600)  # as if told 7 hours ago
    text(client, FLOOD, DANGER)
    text(client, FLOOD, DANGER)  # minutes after that: not again
    run_worker(sms_app)
    assert len(sent_to(at, ON_DUTY)) == 2 and all(record["id"] in a for a in sent_to(at, ON_DUTY))
    assert len([m for m in sent_to(at, FLOOD) if "not feeding" in m]) == 3


def test_forget_me_takes_back_a_second_alert_still_queued(client, sms_app, at, db):
    sms_app.config["URGENT_ALERT_PHONES"] = (ON_DUTY,)
    text(client, FLOOD, DANGER)
    run_worker(sms_app)
    (record,) = her_followups(db, FLOOD)
    db.hset(followups.key(record["id"]), "alerted_at", int(record["alerted_at"]) - 7 * 3600)
    text(client, FLOOD, DANGER)  # the second alert waits in the queue ...
    forget.forget(db, FLOOD)  # ... when she asks to be forgotten
    run_worker(sms_app)
    assert len(sent_to(at, ON_DUTY)) == 1


def test_past_the_days_limit_texts_are_counted_but_a_danger_sign_is_always_kept(app, db):
    app.config["FOLLOWUP_TEXTS_PER_DAY"] = 3
    content = content_service.current(app)

    def send(words, day, n=[0]):  # noqa: B006 (a counter for the message ids)
        n[0] += 1
        incoming.handle(db, content, app.config, {"from": FLOOD, "text": words, "id": f"d-{n[0]}"},
                        day)

    for n in range(5):
        send(f"Question {n}", DAY)
    send(DANGER, DAY)
    send("Question 5", DAY)
    send("Question on the next day", DAY + timedelta(days=1))

    (record,) = her_followups(db, FLOOD)
    assert [m["text"] for m in followups.messages(record)] == [
        "Question 0", "Question 1", "Question 2", DANGER, "Question on the next day"]
    assert followups.text_count(record) == 8 and record["texts_not_kept"] == "3"
    assert followups.priority(record) == "urgent"


def test_a_followup_keeps_her_newest_texts_and_danger_signs_before_other_texts(app, db):
    from bot.store import followup_texts

    assert followup_texts.MESSAGES_KEPT == KEPT and followup_texts.TEXT_KEPT == TEXT_KEPT
    danger = followup_texts.Danger("newborn", "fever")
    followup_texts.note(db, FLOOD, "The first danger", "sms", DAY, 1000, danger)
    for n in range(followup_texts.MESSAGES_KEPT + 5):
        followup_texts.note(db, FLOOD, f"Text {n}", "sms", DAY, 1000)
    (record,) = her_followups(db, FLOOD)
    kept = [m["text"] for m in followups.messages(record)]
    assert len(kept) == followup_texts.MESSAGES_KEPT and kept[0] == "The first danger"
    assert kept[-1] == f"Text {followup_texts.MESSAGES_KEPT + 4}"


def test_texts_sent_at_the_same_moment_still_make_one_followup(app, db):
    from bot.store import followup_texts

    def burst(worker):
        for n in range(15):
            followup_texts.note(db, FLOOD, f"Text {worker}-{n}", "sms", DAY, 1000)

    threads = [threading.Thread(target=burst, args=(w,), daemon=True) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    (record,) = her_followups(db, FLOOD)
    assert followups.text_count(record) == 60 and db.zcard(followups.OPEN) == 1


def test_a_text_does_not_join_a_call_back_or_missed_visit_followup(client, db):
    pipe = db.pipeline()
    callback = followups.add(pipe, FLOOD, "callback", "pmtct", "ussd")
    missed = followups.add(pipe, FLOOD, "missed_visit", "anc", "reminder", message="2027-03-01")
    pipe.execute()
    text(client, FLOOD, "When is my next clinic visit?")
    text(client, FLOOD, "And can I bring my baby?")
    records = {r["reason"]: r for r in her_followups(db, FLOOD)}
    assert set(records) == {"callback", "missed_visit", "sms_question"}
    assert {records["callback"]["id"], records["missed_visit"]["id"]} == {callback, missed}
    assert followups.text_count(records["sms_question"]) == 2
    assert followups.text_count(records["missed_visit"]) == 0


def test_once_closed_her_next_text_opens_a_new_followup(client, db):
    text(client, FLOOD, "When is my next clinic visit?")
    (first,) = her_followups(db, FLOOD)
    followups.close(db, first["id"], "Called her")
    text(client, FLOOD, "Thank you for calling")
    (new,) = [r for r in her_followups(db, FLOOD) if r["status"] == "open"]
    assert new["id"] != first["id"] and followups.messages(new)[0]["text"] == "Thank you for calling"


def test_her_texts_show_newest_first_on_the_console_and_the_command_line(client, runner, db):
    for words in ("First question", "Second question", "Third question"):
        text(client, FLOOD, words)
    sign_in(client, db, "staff")
    page = client.get("/console/followups").get_data(as_text=True)
    assert page.index("Third question") < page.index("Second question") < page.index("First question")
    assert "3 texts from her, newest first." in page
    lines = runner.invoke(args=["followups", "list"]).output.splitlines()
    assert lines[0].endswith('"Third question" [3 texts]')
    assert [line.split("  ")[-1] for line in lines[1:]] == [
        '"Third question"', '"Second question"', '"First question"']


def test_a_closed_followup_moves_to_her_closed_ones_and_is_kept_its_days(client, db, app):
    app.config["FOLLOWUP_KEEP_DAYS"] = 30
    pipe = db.pipeline()
    callback = followups.add(pipe, FLOOD, "callback", "pmtct", "ussd")
    pipe.execute()
    text(client, FLOOD, "When is my next clinic visit?")
    question = next(r["id"] for r in her_followups(db, FLOOD) if r["reason"] == "sms_question")
    sign_in(client, db, "staff")

    client.post(f"/console/followups/{question}/close", data={"note": "Called", "csrf_token": TOKEN})
    assert not db.exists(followups.key(question))
    assert db.smembers(followups.by_phone_key(FLOOD)) == {callback}  # her call-back is still open
    assert db.ttl(followups.by_phone_key(FLOOD)) == -1
    assert 29 * 86400 < db.ttl(followups.closed_key(FLOOD)) <= 30 * 86400
    (kept,) = followups.closed(db, FLOOD)
    assert kept["id"] == question and kept["note"] == "Called" and kept["reason"] == "sms_question"
    assert [m["text"] for m in followups.messages(kept)] == ["When is my next clinic visit?"]

    client.post(f"/console/followups/{callback}/close", data={"note": "Done", "csrf_token": TOKEN})
    assert not db.exists(followups.by_phone_key(FLOOD))  # none open: her index has gone
    assert {r["id"] for r in followups.hers(db, FLOOD)} == {callback, question}
    text(client, FLOOD, "One more question")  # a new open one: her index is kept again
    assert db.ttl(followups.by_phone_key(FLOOD)) == -1
    assert len(followups.hers(db, FLOOD)) == 3


def test_closing_from_the_api_and_the_command_line_sets_the_expiry_too(client, runner, db, app):
    pipe = db.pipeline()
    first = followups.add(pipe, FLOOD, "callback", "pmtct", "ussd")
    second = followups.add(pipe, OTHERS[0], "callback", "pmtct", "ussd")
    pipe.execute()
    token = tokens.create(db, "emr", scopes=["followups:write"])
    answer = client.post(f"/api/followups/{first}/close", json={"note": "Called"},
                         headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert runner.invoke(args=["followups", "close", second, "--note", "Called"]).exit_code == 0
    keep = app.config["FOLLOWUP_KEEP_DAYS"] * 86400
    assert all(keep - 60 < db.ttl(followups.closed_key(p)) <= keep for p in (FLOOD, OTHERS[0]))


def test_forget_me_still_removes_her_merged_followup(client, db):
    for words in ("When is my next clinic visit?", DANGER, "Thank you"):
        text(client, FLOOD, words)
    (record,) = her_followups(db, FLOOD)
    forget.forget(db, FLOOD)
    assert not db.exists(followups.key(record["id"])) and db.zcard(followups.OPEN) == 0
    assert not db.exists(followups.by_phone_key(FLOOD))
