"""The console's Mentor Mothers page and follow-up assignment: staff look, supervisors change."""

import logging
import time

import pytest

from bot import mentors
from bot.console import accounts
from bot.store import contacts, followups

from .test_console_auth import TOKEN, sign_in

MENTOR = "+254711000001"
OTHER = "+254711000002"
MOTHER = "+254722334455"


@pytest.fixture
def app(clean_module_app):
    """One app per module, a clean database per test (see conftest)."""
    return clean_module_app


def add_form(**changes):
    return {"csrf_token": TOKEN, "name": "Grace Achieng", "phone": "0711000001",
            "facility": "13939", "pin": "4821", "pin_again": "4821", **changes}


def test_supervisor_is_a_role_between_staff_and_editor(runner, db):
    assert accounts.ROLES == ("staff", "supervisor", "editor")
    done = runner.invoke(args=["users", "create", "wanjiku", "--role", "supervisor",
                               "--password", "a long enough password"])
    assert done.exit_code == 0 and "(supervisor)" in done.output
    assert accounts.get(db, "wanjiku")["role"] == "supervisor"


def test_staff_see_mentor_mothers_masked_and_cannot_change_them(client, db):
    mentors.add(db, MENTOR, "Grace Achieng", "13939", "4821")
    sign_in(client, db, "staff")
    page = client.get("/console/mentors").get_data(as_text=True)
    assert "Grace Achieng" in page and "*********001" in page and MENTOR not in page
    assert "Add a Mentor Mother" not in page and "Remove" not in page
    assert client.post("/console/mentors/add", data=add_form(phone="0711000005")).status_code == 403
    assert client.post("/console/mentors/remove",
                       data={"csrf_token": TOKEN, "phone": MENTOR}).status_code == 403
    assert mentors.get(db, MENTOR) and mentors.get(db, "+254711000005") is None


@pytest.mark.parametrize("role", ["supervisor", "editor"])
def test_supervisors_and_editors_add_and_remove_mentor_mothers(client, db, role, caplog):
    caplog.set_level(logging.INFO)
    sign_in(client, db, role)
    answer = client.post("/console/mentors/add", data=add_form(), follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Grace Achieng was added" in page and MENTOR in page
    assert mentors.check_pin(db, MENTOR, "4821")
    answer = client.post("/console/mentors/remove", data={"csrf_token": TOKEN, "phone": MENTOR},
                         follow_redirects=True)
    assert "Removed. 0 open follow-ups" in answer.get_data(as_text=True)
    assert mentors.get(db, MENTOR) is None
    assert "4821" not in caplog.text


@pytest.mark.parametrize("changes, said", [
    ({"pin_again": "4822"}, "The two PINs are not the same"),
    ({"phone": "07"}, "not a phone number"), ({"facility": "Mathare"}, "not an MFL code"),
    ({"pin": "12", "pin_again": "12"}, "A PIN is 4 to 6 digits")])
def test_a_mentor_mother_that_will_not_do_is_explained_and_her_details_kept(client, db, changes,
                                                                          said):
    sign_in(client, db, "supervisor")
    answer = client.post("/console/mentors/add", data=add_form(**changes))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and said in page
    assert 'value="Grace Achieng"' in page and "4821" not in page
    assert mentors.everyone(db) == []


def test_the_list_filters_by_facility_and_counts_open_and_overdue_work(client, db):
    mentors.add(db, MENTOR, "Grace Achieng", "13939", "4821")
    mentors.add(db, OTHER, "Wanjiru Kamau", "13704", "4821")
    db.hset(contacts.key(MOTHER), mapping={"enrolled": "yes", "facility": "13939"})
    pipe = db.pipeline()
    late = followups.add(pipe, MOTHER, "callback", "", "ussd")
    followups.add(pipe, MOTHER, "missed_visit", "anc", "reminder", "2026-11-18")
    pipe.execute()
    db.hset(followups.key(late), "due_at", str(int(time.time()) - 60))
    sign_in(client, db, "supervisor")
    page = client.get("/console/mentors?facility=13939").get_data(as_text=True)
    assert "Grace Achieng" in page and "Wanjiru" not in page
    assert "2 open" in page and "1 overdue" in page
    bad = client.get("/console/mentors?facility=abc").get_data(as_text=True)
    assert "not an MFL code" in bad


def test_followups_show_who_calls_her_and_overdue_and_supervisors_reassign(client, db):
    mentors.add(db, MENTOR, "Grace Achieng", "13939", "4821")
    mentors.add(db, OTHER, "Wanjiru Kamau", "13939", "4821")
    db.hset(contacts.key(MOTHER), mapping={"enrolled": "yes", "facility": "13939",
                                           "mentor": MENTOR})
    pipe = db.pipeline()
    found = followups.add(pipe, MOTHER, "callback", "pmtct", "ussd")
    followups.add(pipe, "+254722000999", "callback", "pmtct", "ussd")  # no facility
    pipe.execute()
    db.hset(followups.key(found), "due_at", str(int(time.time()) - 60))
    sign_in(client, db, "staff")
    page = client.get("/console/followups").get_data(as_text=True)
    assert "Mentor Mother: Grace Achieng" in page and "Overdue" in page and "1 overdue" in page
    assert "1 not assigned" in page and "a supervisor assigns them" in page
    assert 'name="mentor"' not in page  # staff do not assign
    assert client.post(f"/console/followups/{found}/assign",
                       data={"csrf_token": TOKEN, "mentor": OTHER}).status_code == 403
    sign_in(client, db, "supervisor")
    page = client.get("/console/followups").get_data(as_text=True)
    assert 'name="mentor"' in page and "Wanjiru Kamau (13939)" in page
    answer = client.post(f"/console/followups/{found}/assign",
                         data={"csrf_token": TOKEN, "mentor": OTHER}, follow_redirects=True)
    assert "Assigned." in answer.get_data(as_text=True)
    assert db.hget(followups.key(found), "assigned_to") == OTHER
    assert db.hget(contacts.key(MOTHER), "mentor") == OTHER
    answer = client.post(f"/console/followups/{found}/assign",
                         data={"csrf_token": TOKEN, "mentor": "+254711999999"},
                         follow_redirects=True)
    assert "no longer listed" in answer.get_data(as_text=True)


def test_her_contact_page_names_her_mentor_mother_without_the_number(client, db):
    mentors.add(db, MENTOR, "Grace Achieng", "13939", "4821")
    db.hset(contacts.key(MOTHER), mapping={"enrolled": "yes", "facility": "13939",
                                           "mentor": MENTOR})
    sign_in(client, db, "staff")
    page = client.post("/console/contacts", data={"csrf_token": TOKEN, "phone": MOTHER})
    text = page.get_data(as_text=True)
    assert "Grace Achieng (*********001)" in text and MENTOR not in text
