"""A supervisor on a phone and on a laptop: Mentor Mothers added, removed and given follow-ups,
with no sideways scrolling."""

import time

import pytest

from bot import mentors
from bot.console import accounts
from bot.mentors import outcomes
from bot.store import contacts, followups

from .conftest import _hash, log_in, shot

FACILITY = "13939"
TEAM = (("+254711000001", "Grace Achieng Otieno"), ("+254711000002", "Wanjiru Kamau"))
MOTHER = "+254722334455"
WRONG = "+254722000777"


def seed(db):
    """A supervisor, two Mentor Mothers, and three follow-ups: one overdue, one unassigned."""
    db.hset(accounts.key("wanjiku"), mapping={"name": "wanjiku", "role": "supervisor",
                                              "password": _hash(), "stamp": "w", "created_at": "0"})
    for phone, name in TEAM:
        mentors.add(db, phone, name, FACILITY, "4821")
    db.hset(contacts.key(MOTHER), mapping={"enrolled": "yes", "facility": FACILITY})
    pipe = db.pipeline()
    late = followups.add(pipe, MOTHER, "callback", "pmtct", "ussd")
    followups.add(pipe, MOTHER, "missed_visit", "anc", "reminder", "2026-11-18")
    waiting = followups.add(pipe, "+254722000999", "sms_question", "", "sms", "Naweza kunyonyesha?")
    pipe.execute()
    db.hset(followups.key(late), "due_at", str(int(time.time()) - 3 * 3600))
    # A number Grace found wrong on a call, for the supervisor to check.
    db.hset(contacts.key(WRONG), mapping={"enrolled": "yes", "facility": FACILITY,
                                          "number_wrong_at": str(int(time.time()) - 3600),
                                          "number_wrong_by": TEAM[0][0]})
    db.sadd(outcomes.WRONG_NUMBERS, WRONG)
    return late, waiting


def fits(page, width):
    found = page.evaluate("document.documentElement.scrollWidth")
    assert found <= width, f"{page.url} is {found} pixels wide"


@pytest.mark.parametrize("width, height", [(390, 844), (1024, 768)])
def test_a_supervisor_manages_mentor_mothers_and_assigns_followups(live, page, width, height):
    app, url, folder, db = live
    late, waiting = seed(db)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, url, "wanjiku")
    assert page.locator(f"#f-{late} .badge.overdue").is_visible()
    fits(page, width)
    shot(page, f"followups-assign-{width}")
    page.select_option(f"#f-{waiting} select[name=mentor]", TEAM[1][0])
    page.click(f"#f-{waiting} form.assign button")
    page.wait_for_selector("text=Assigned. Her later follow-ups go to the same Mentor Mother.")
    assert db.hget(followups.key(waiting), "assigned_to") == TEAM[1][0]
    assert page.locator(f"#f-{waiting}").inner_text().count("Mentor Mother: Wanjiru Kamau") == 1

    page.click("nav >> text=Mentor Mothers")
    page.wait_for_selector("h1:has-text('Mentor Mothers')")
    assert page.is_visible("text=1 overdue")
    fits(page, width)
    page.fill("#m-name", "Akinyi Odhiambo")
    page.fill("#m-phone", "0711000003")
    page.fill("#m-facility", FACILITY)
    page.fill("#m-pin", "5566")
    page.fill("#m-pin-again", "5566")
    page.click("button:has-text('Add her')")
    page.wait_for_selector("text=Akinyi Odhiambo was added")
    assert mentors.check_pin(db, "+254711000003", "5566")
    fits(page, width)
    shot(page, f"mentors-{width}")
    assert page.locator("#wrong-numbers").inner_text().count("Grace Achieng Otieno") == 1
    page.click("button[aria-label='Mark *********777 checked']")
    page.wait_for_selector("text=is off the list of numbers found wrong")
    assert not db.sismember(outcomes.WRONG_NUMBERS, WRONG)
    fits(page, width)
    page.click("button[aria-label='Remove Grace Achieng Otieno']")
    page.wait_for_selector("text=open follow-ups of hers went to another Mentor Mother")
    assert mentors.get(db, TEAM[0][0]) is None
    assert db.hget(followups.key(late), "assigned_to") in ("+254711000002", "+254711000003")
    fits(page, width)


def test_staff_see_the_mentor_mothers_on_a_phone_but_no_buttons(live, page):
    app, url, folder, db = live
    seed(db)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, url, "amina")
    page.goto(f"{url}/console/mentors")
    assert page.is_visible("text=Grace Achieng Otieno") and page.is_visible("text=*********001")
    assert not page.is_visible("text=Add a Mentor Mother")
    assert page.locator("button:has-text('Remove')").count() == 0
    fits(page, 390)
    shot(page, "mentors-staff-390")
