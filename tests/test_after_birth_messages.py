"""The mother's own SMS after the birth: feelings on day 10, family planning on day 35.

Counted from the day the birth was recorded, like the danger signs; a mother who
joins with an older baby, or after a loss, does not get them.
"""

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.content import gsm, load_content
from bot.content.sms_rules import PRIVATE_WORDS
from bot.reminders.plan import make_plan
from bot.reminders.timing import Rules

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content(ROOT / "flows", ROOT / "locales")
TZ = ZoneInfo("Africa/Nairobi")
RULES = Rules(time(8), time(18), time(10), time(8), 1, time(10), 2)
ENROLLED = {"enrolled": "yes", "consent_sms": "yes", "enrolled_on": "2026-06-01", "language": "en"}
# Born on Wednesday 25 November 2026, recorded on Friday the 27th.
BORN = {"stage": "baby", "birth_date": "2026-11-25", "stage_since": "2026-11-27"}
FEELINGS = "day:after-birth-feelings:2026-11-27"
FAMILY_PLANNING = "day:after-birth-family-planning:2026-11-27"


def due_ids(contact, now, done=()):
    found = make_plan({**ENROLLED, **contact}, {}, CONTENT, datetime.fromisoformat(now).replace(
        tzinfo=TZ), RULES, done)
    return [r.id for r in found.due if r.id.startswith("day:after-birth")]


def test_her_feelings_on_day_10_and_family_planning_on_day_35():
    assert due_ids(BORN, "2026-12-06T12:00") == []
    assert due_ids(BORN, "2026-12-07T08:00") == [FEELINGS]
    assert due_ids(BORN, "2026-12-31T12:00", done={FEELINGS}) == []
    assert due_ids(BORN, "2027-01-01T08:00", done={FEELINGS}) == [FAMILY_PLANNING]


@pytest.mark.parametrize("contact", [
    {**BORN, "birth_date": "2026-07-20"},  # joined with a baby of 4 months
    {**BORN, "stage": "loss", "loss_date": "2026-11-27"},  # never after a loss
])
def test_not_for_an_older_baby_nor_after_a_loss(contact):
    assert due_ids(contact, "2026-12-07T08:00") == due_ids(contact, "2027-01-01T08:00") == []


def test_each_fits_one_plain_sms_and_names_no_hiv_word():
    for message in CONTENT.message_sets["after_birth"].messages:
        for language in ("en", "sw"):
            text = CONTENT.texts.get(message.text, language)
            assert gsm.encoding(text) == "GSM-7" and gsm.length(text) <= 160, text
            assert not PRIVATE_WORDS.search(text), text
