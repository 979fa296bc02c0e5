"""`reminders preview --date D` lists exactly what that day's dispatches would send."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import content_service
from bot.reminders import dispatch
from bot.reminders.timing import Rules
from bot.sms.gateway import AfricasTalkingGateway
from bot.store import contacts, visits

from .fake_at import API_KEY, USERNAME

TZ = ZoneInfo("Africa/Nairobi")
PHONE = "+254712000951"
# Weekly messages go on Tuesdays (STAGE_MESSAGE_WEEKDAY 1); her visit is on Thursday 4 March.
EXPECTED = {"2027-03-01": [], "2027-03-02": ["stage"], "2027-03-03": ["visit_day_before"],
            "2027-03-04": ["visit_morning"], "2027-03-05": [], "2027-03-06": ["visit_missed"],
            "2027-03-08": [],
            "2027-03-09": ["stage"]}


@pytest.fixture
def pregnant(app, db):
    db.hset(contacts.key(PHONE), mapping={"enrolled": "yes", "consent_sms": "yes", "language": "en",
                                          "enrolled_on": "2026-12-01", "stage": "pregnancy",
                                          "due_date": "2027-06-15"})
    pipe = db.pipeline()
    visits.add(pipe, PHONE, date(2027, 3, 4), "anc", "09:30", "Mathare North", source="import")
    pipe.execute()
    with app.app_context():
        dispatch.reschedule(db, content_service.current(), PHONE,
                            datetime(2027, 2, 28, 9, tzinfo=TZ), Rules.from_config(app.config))


def _kinds(output):
    """The kinds of the SMS listed one a line after the counts."""
    return [line.split()[1] for line in output.splitlines() if line.startswith("*")]


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_preview_lists_only_what_goes_that_day(runner, pregnant, day):
    result = runner.invoke(args=["reminders", "preview", "--date", day])
    assert result.exit_code == 0, result.output
    assert f"{len(EXPECTED[day])} SMS would be sent on {day}." in result.output
    assert _kinds(result.output) == EXPECTED[day]


def test_what_the_preview_shows_is_what_the_dispatches_send(app, runner, db, pregnant, at):  # noqa: F811
    gateway = AfricasTalkingGateway(USERNAME, API_KEY, api_url=at.url, timeout=(1, 1))
    rules = Rules.from_config(app.config)
    with app.app_context():
        content = content_service.current()
        # What was due before the first day (last week's message) goes the day before it.
        dispatch.dispatch(db, content, gateway, datetime(2027, 2, 28, 10, tzinfo=TZ), rules, 500)
        for day in sorted(EXPECTED):
            shown = runner.invoke(args=["reminders", "preview", "--date", day]).output
            start = len(at.requests)
            moment = datetime.fromisoformat(f"{day}T08:00").replace(tzinfo=TZ)
            while moment.hour < 18:  # every 30 minutes through the sending hours
                dispatch.dispatch(db, content, gateway, moment, rules, 500)
                moment += timedelta(minutes=30)
            sent = [r["message"] for r in at.requests[start:]]
            assert len(sent) == len(EXPECTED[day]), (day, sent, shown)
            for message in sent:
                assert message[:40] in shown, (day, message, shown)
