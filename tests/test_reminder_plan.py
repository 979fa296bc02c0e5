"""Which SMS a mother gets and when: the plan, as a pure function of her data and the time."""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.content import load_content
from bot.reminders.dispatch import render
from bot.reminders.plan import make_plan
from bot.reminders.timing import Rules, age_months, due_date_from_weeks, pregnancy_week

ROOT = Path(__file__).resolve().parent.parent
CONTENT = load_content(ROOT / "flows", ROOT / "locales")
TZ = ZoneInfo("Africa/Nairobi")
RULES = Rules(time(8), time(18), time(10), time(8), 1, time(10), 2)  # Tuesdays 10:00
# The 47 counties (Constitution of Kenya 2010, First Schedule) the affected ones must be among.
KENYAN_COUNTIES = {
    "Mombasa", "Kwale", "Kilifi", "Tana River", "Lamu", "Taita Taveta", "Garissa", "Wajir",
    "Mandera", "Marsabit", "Isiolo", "Meru", "Tharaka Nithi", "Embu", "Kitui", "Machakos",
    "Makueni", "Nyandarua", "Nyeri", "Kirinyaga", "Murang'a", "Kiambu", "Turkana", "West Pokot",
    "Samburu", "Trans Nzoia", "Uasin Gishu", "Elgeyo Marakwet", "Nandi", "Baringo", "Laikipia",
    "Nakuru", "Narok", "Kajiado", "Kericho", "Bomet", "Kakamega", "Vihiga", "Bungoma", "Busia",
    "Siaya", "Kisumu", "Homa Bay", "Migori", "Kisii", "Nyamira", "Nairobi"}
ENROLLED = {"enrolled": "yes", "consent_sms": "yes", "enrolled_on": "2026-01-01",
            "language": "en"}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def visit(day, kind="anc", status="booked", **extra):
    return {f"{day}-{kind}": {"id": f"{day}-{kind}", "date": day, "kind": kind, "status": status,
                              "clinic": "Mathare", **extra}}


def plan(contact, visits=None, now="2026-11-24T10:00", done=()):
    return make_plan({**ENROLLED, **contact}, visits or {}, CONTENT, at(now), RULES, done)


def test_weeks_and_months():
    assert pregnancy_week(date(2027, 3, 15), date(2027, 3, 15)) == 40
    assert pregnancy_week(date(2027, 3, 15), date(2026, 12, 21)) == 28
    assert due_date_from_weeks(28, date(2026, 12, 21)) == date(2027, 3, 15)
    assert age_months(date(2026, 1, 31), date(2026, 3, 30)) == 1


@pytest.mark.parametrize("moment, allowed", [
    ("2026-11-24T07:00", "2026-11-24T08:00"), ("2026-11-24T12:00", "2026-11-24T12:00"),
    ("2026-11-24T18:00", "2026-11-25T08:00"), ("2026-11-24T23:30", "2026-11-25T08:00"),
])
def test_nothing_is_timed_outside_the_sending_hours(moment, allowed):
    assert RULES.allowed(at(moment)) == at(allowed)


def test_an_entered_visit_gets_a_day_before_a_morning_and_a_missed_reminder():
    visits = visit("2026-11-26")
    early = plan({}, visits, "2026-11-20T09:00")
    assert early.due == [] and early.next_at == at("2026-11-25T10:00")
    due_eve = plan({}, visits, "2026-11-25T10:00")
    assert [r.kind for r in due_eve.due] == ["visit_day_before"]
    assert due_eve.next_at == at("2026-11-26T08:00")
    assert [r.kind for r in plan({}, visits, "2026-11-26T08:00", done={
        "2026-11-26-anc:before"}).due] == ["visit_morning"]
    missed = plan({}, visits, "2026-11-28T10:00", done={"2026-11-26-anc:before",
                                                        "2026-11-26-anc:morning"})
    assert [(r.kind, r.followup) for r in missed.due] == [("visit_missed", True)]


def test_an_attended_visit_has_no_missed_reminder_and_a_cancelled_one_none():
    assert not plan({}, visit("2026-11-20", status="attended"), "2026-11-24T10:00").due
    assert plan({}, visit("2026-11-26", status="cancelled"), "2026-11-25T10:00").due == []


def test_a_reminder_whose_moment_passed_is_late_not_sent():
    result = plan({}, visit("2026-11-26"), "2026-11-26T12:00")
    assert [r.kind for r in result.late] == ["visit_day_before"]
    assert [r.kind for r in result.due] == ["visit_morning"]


def test_suggested_visits_follow_the_schedule_and_give_way_to_entered_ones():
    pregnant = {"stage": "pregnancy", "due_date": "2027-03-16"}  # 26 weeks on 2026-12-08
    due = plan(pregnant, now="2026-12-07T10:00").due
    assert [r.params["kind"] for r in due if r.kind == "visit_suggested"] == ["anc"]
    entered = visit("2026-12-10")
    assert not [r for r in plan(pregnant, entered, "2026-12-07T10:00").due
                if r.kind == "visit_suggested"]


def test_baby_test_visits_are_suggested_only_to_mothers_who_chose_hiv_messages():
    baby = {"stage": "baby", "birth_date": "2025-11-25"}  # 52 weeks on 2026-11-24: only eid_12m
    assert _suggested(baby, "2026-11-23T10:00", "2026-11-24T18:00") == []
    with_hiv = {**baby, "hiv_messages": "yes", "hiv_since": "2026-11-01"}
    assert _suggested(with_hiv, "2026-11-23T10:00", "2026-11-24T18:00") == [(date(2026, 11, 24),
                                                                                "eid")]
    six_weeks = {**with_hiv, "birth_date": "2026-10-13"}  # 6 weeks on 2026-11-24
    merged = [r for r in plan(six_weeks, now="2026-11-23T10:00").due if r.kind == "visit_suggested"]
    assert len(merged) == 1  # three visits on the same day: one SMS


def _suggested(contact, start, end, rules=RULES, visits=None):
    """Walk the plan from `start` to `end` as dispatches would: (date, name or kind) suggested."""
    done, found, now = set(), [], at(start)
    while now <= at(end):
        result = make_plan({**ENROLLED, **contact}, visits or {}, CONTENT, now, rules, done)
        for reminder in result.due + result.late:
            done.add(reminder.id)
            if reminder.kind == "visit_suggested" and reminder in result.due:
                found.append((reminder.params["date"],
                              reminder.params.get("name") or reminder.params["kind"]))
        if result.next_at is None:
            break
        now = max(result.next_at, now)
    return found


BORN = {"stage": "baby", "birth_date": "2026-11-02"}


def test_the_four_postnatal_contacts_are_suggested_before_each_window_closes():
    # WHO 2022: first 24 hours, day 2-3, day 7-14, 6 weeks; the birth recorded on its day.
    found = _suggested(BORN, "2026-11-02T12:00", "2026-12-20T18:00")
    both, six = "sms_reminders.visit_pnc_both", "sms_reminders.visit_six_weeks"
    assert found == [(date(2026, 11, 3), both), (date(2026, 11, 5), both),
                     (date(2026, 11, 9), both), (date(2026, 12, 14), six)]
    assert all(day <= date(2026, 11, 16) for day, name in found[:3])  # never "within 2 weeks" late


def test_postnatal_checks_whose_day_passed_are_not_sent_late():
    found = _suggested(BORN, "2026-11-10T12:00", "2026-12-20T18:00")  # recorded at 8 days
    assert [name for _, name in found] == ["sms_reminders.visit_six_weeks"]


def test_a_booked_postnatal_visit_does_not_hide_the_next_contact():
    booked = visit("2026-11-05", kind="pnc_baby")
    found = _suggested(BORN, "2026-11-02T12:00", "2026-11-12T18:00", visits=booked)
    assert [day for day, _ in found] == [date(2026, 11, 3), date(2026, 11, 9)]


def test_the_six_week_sms_names_her_check_and_the_vaccines():
    result = plan(BORN, now="2026-12-13T10:00")
    reminder = next(r for r in result.due if r.kind == "visit_suggested")
    assert render(CONTENT, {"language": "en"}, reminder).startswith(
        "Your 6-week visit (your check and baby's vaccines) is due on 14-12-2026.")
    assert "chanjo za mtoto" in render(CONTENT, {"language": "sw"}, reminder)


MALARIA_DAYS = [date(2027, 5, 3), date(2027, 6, 3), date(2027, 8, 2), date(2028, 10, 30)]


@pytest.mark.parametrize("county, setting, reminded", [
    ("Kisumu", "", True), ("", "Homa Bay County", True), ("homa bay", "Nairobi", True),
    ("Nairobi", "Siaya", False), ("", "Nairobi", False), ("", "", False),
])
def test_the_malaria_vaccine_is_suggested_only_in_the_counties_that_give_it(
        county, setting, reminded):
    rules = Rules(time(8), time(18), time(10), time(8), 1, time(10), 2, setting)
    found = dict(_suggested({**BORN, "county": county}, "2027-05-01T08:00", "2028-11-02T18:00",
                            rules))
    # 6 and 9 months share the day (and SMS) of the other vaccines; 7 and 24 months are their own.
    assert (date(2027, 6, 3) in found and date(2028, 10, 30) in found) is reminded
    assert [day for day in MALARIA_DAYS if day in found] == (
        MALARIA_DAYS if reminded else [date(2027, 5, 3), date(2027, 8, 2)])


def test_every_malaria_vaccine_county_is_a_kenyan_county_and_the_schedule_is_dated():
    schedule = yaml.safe_load((ROOT / "flows/schedules/clinic_visits.yaml").read_text())
    malaria = schedule["county_lists"]["malaria_vaccine"]
    assert set(malaria["counties"]) <= KENYAN_COUNTIES and malaria["source"] and malaria["as_of"]
    testing = schedule["infant_hiv_testing"]
    assert "NASCOP" in testing["source"] and testing["as_of"]
    assert [t["when"].split(",")[0] for t in testing["tests"]][1:5] == [
        "6 weeks", "6 months", "12 months", "18 months"]


def test_the_weekly_message_matches_her_week_and_is_sent_once():
    pregnant = {"stage": "pregnancy", "due_date": "2027-03-16"}
    result = plan(pregnant, now="2026-11-24T10:00")
    (stage,) = [r for r in result.due if r.kind == "stage"]
    assert stage.id == "stage:pregnancy:24" and stage.text == "sms_pregnancy.w24"
    again = plan(pregnant, now="2026-11-24T11:00", done={stage.id})
    assert not [r for r in again.due if r.kind == "stage"]
    assert again.next_at == at("2026-12-01T10:00")


def test_a_week_missed_while_nothing_ran_is_late_and_the_current_one_goes():
    pregnant = {"stage": "pregnancy", "due_date": "2027-03-16"}
    result = plan(pregnant, now="2026-12-02T09:00")
    assert [r.id for r in result.due if r.kind == "stage"] == ["stage:pregnancy:25"]


def test_after_the_first_year_one_message_a_month():
    toddler = {"stage": "baby", "birth_date": "2025-09-10"}  # 14 months old in November 2026
    ids = {r.id for now in ("2026-11-17T10:00", "2026-11-24T10:00")
           for r in plan(toddler, now=now).due if r.kind == "stage"}
    assert ids == {"stage:toddler:14"}


def test_after_a_loss_only_the_gentle_set_and_no_hiv_messages():
    loss = {"stage": "loss", "loss_date": "2026-11-20", "hiv_messages": "yes",
            "hiv_since": "2026-01-01"}
    kinds = sorted(r.id for r in plan(loss).due)
    assert kinds == ["stage:loss:1"]


def test_hiv_messages_only_when_chosen():
    pregnant = {"stage": "pregnancy", "due_date": "2027-03-16"}
    assert not [r for r in plan(pregnant).due if r.kind == "hiv"]
    chosen = {**pregnant, "hiv_messages": "yes", "hiv_since": "2026-11-17"}
    assert [r.id for r in plan(chosen).due if r.kind == "hiv"] == ["hiv:2"]


@pytest.mark.parametrize("change", [{"enrolled": "no"}, {"consent_sms": "no"}, {"opted_out": "yes"}])
def test_no_consent_or_opted_out_means_no_reminders(change):
    result = plan({"stage": "pregnancy", "due_date": "2027-03-16", **change}, visit("2026-11-25"))
    assert result.due == [] and result.next_at is None
