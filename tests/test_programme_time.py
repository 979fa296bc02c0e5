"""Staff read one clock, the programme's (BOT_TIMEZONE), in commands, console and daily counts.

Every moment here is late evening in UTC and already the next day in Nairobi, the hours
where two clocks disagree on the day; the tests pass the same at any hour they run.
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import programme_time
from bot.api import tokens
from bot.sms import log, outbound
from bot.sms.gateway import ConsoleGateway
from bot.store import followups

from .test_console_auth import sign_in
from .test_review_trail import locales  # noqa: F401 (a small locales folder, as a fixture)

PHONE = "+254712000301"
LATE = datetime(2027, 6, 30, 22, 30, tzinfo=UTC)  # 01:30 on 1 July in Nairobi
NAIROBI_DAY = "2027-07-01"
NAIROBI = ZoneInfo("Africa/Nairobi")


def _followup_made_late(db):
    pipe = db.pipeline()
    found = followups.add(pipe, PHONE, "callback", "baby", "ussd")
    pipe.execute()
    db.hset(followups.key(found), "created_at", str(int(LATE.timestamp())))
    return found


def test_followups_list_writes_programme_time_and_says_which(runner, db):
    _followup_made_late(db)
    listed = runner.invoke(args=["followups", "list"]).output
    assert f"{NAIROBI_DAY} 01:30 EAT" in listed, listed


def test_the_console_writes_programme_time_and_says_which(client, db):
    _followup_made_late(db)
    sign_in(client, db)
    page = client.get("/console/followups").get_data(as_text=True)
    assert f"{NAIROBI_DAY} 01:30" in page
    assert "Times and days are Africa/Nairobi time." in page


def test_an_sms_counts_on_its_day_in_programme_time(db):
    pipe = db.pipeline()
    log.count_all(pipe, LATE, {"sent": 1})
    pipe.execute()
    assert db.hget(f"sms:daily:{NAIROBI_DAY}", "sent") == "1"
    assert not db.exists("sms:daily:2027-06-30")


def test_a_delivery_report_counts_on_the_day_its_sms_went_in_programme_time(client, db):
    (sent,) = outbound.send(db, ConsoleGateway(db, echo=lambda line: None),
                            [outbound.Outgoing(PHONE, "Clinic tomorrow", "reminder")])
    db.hset(log.message_key(sent.message_id), "sent_at", str(int(LATE.timestamp())))
    client.post("/sms/delivery", data={"id": sent.message_id, "status": "Success",
                                       "phoneNumber": PHONE, "networkCode": "63902"})
    assert db.hget(f"sms:daily:{NAIROBI_DAY}", "delivered") == "1"


def test_the_messages_table_names_its_days_in_programme_time(client, db):
    sign_in(client, db)
    page = client.get("/console/messages?days=7").get_data(as_text=True)
    assert "<th>Day (Africa/Nairobi time)</th>" in page and "(UTC)" not in page


def test_sms_log_and_totals_write_programme_time(runner, db):
    (sent,) = outbound.send(db, ConsoleGateway(db, echo=lambda line: None),
                            [outbound.Outgoing(PHONE, "Clinic tomorrow", "staff")])
    db.hset(log.message_key(sent.message_id), "sent_at", str(int(LATE.timestamp())))
    shown = runner.invoke(args=["sms", "log", PHONE]).output
    assert shown.startswith(f"{NAIROBI_DAY} 01:30 EAT  {sent.message_id}"), shown
    totals = runner.invoke(args=["sms", "totals", "--days", "1"]).output
    assert "(days in Africa/Nairobi time)" in totals.splitlines()[0]


def test_token_and_account_lists_give_the_programme_day(runner, db):
    tokens.create(db, "kenyaemr", ["contacts:read"])
    record = json.loads(db.hget(tokens.BY_NAME, "kenyaemr"))
    db.hset(tokens.BY_NAME, "kenyaemr", json.dumps({**record, "created_at": int(LATE.timestamp())}))
    assert f"made {NAIROBI_DAY}" in runner.invoke(args=["api-tokens", "list"]).output
    from bot.console import accounts

    db.hset(accounts.key("amina"), mapping={"name": "amina", "role": "staff",
                                            "created_at": str(int(LATE.timestamp()))})
    db.sadd(accounts.NAMES, "amina")
    assert f"created {NAIROBI_DAY}" in runner.invoke(args=["users", "list"]).output


@pytest.mark.usefixtures("locales")
def test_a_review_is_recorded_on_the_programme_day(runner, monkeypatch):
    # The clock stands at LATE: a review recorded then is Nairobi's 1 July, not UTC's 30 June.
    monkeypatch.setattr(programme_time, "now", lambda config=None: LATE.astimezone(NAIROBI))
    result = runner.invoke(args=["texts", "reviewed", "food.six_months_text", "--role", "clinician"])
    assert f"reviewed by clinician on {NAIROBI_DAY}" in result.output, result.output
