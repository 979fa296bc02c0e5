"""What enrolment leaves behind, and the staff commands for visits, reminders and follow-ups."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reminders import due_list
from bot.store import contacts, followups, visits

from .ussd_caller import Caller


def today():
    """Today where the programme is (the bot's BOT_TIMEZONE)."""
    return datetime.now(ZoneInfo("Africa/Nairobi")).date()


def enrol_on_ussd(client, phone, *answers):
    caller = Caller(client, phone)
    caller.dial()
    for answer in ("1", "1", "98", "1", *answers, "1", "2"):  # details correct; no PIN for now
        screen = caller.send(answer)
    return caller, screen


def test_joining_on_ussd_keeps_consent_and_files_her_reminders(client, db):
    due = (today() + timedelta(days=100)).strftime("%d-%m-%Y")
    _, screen = enrol_on_ussd(client, "+254712000131", "1", "1", "1", "1", due, "Mathare")
    assert "Welcome to Mama Mentor!" in screen
    contact = db.hgetall(contacts.key("+254712000131"))
    assert {k: contact[k] for k in ("enrolled", "consent_sms", "hiv_messages", "stage")} == {
        "enrolled": "yes", "consent_sms": "yes", "hiv_messages": "yes", "stage": "pregnancy"}
    assert contact["hiv_since"] == contact["enrolled_on"] == today().isoformat()
    assert due_list.next_at(db, "+254712000131") is not None


def test_weeks_pregnant_become_a_due_date(client, db):
    enrol_on_ussd(client, "+254712000132", "1", "2", "1", "2", "20", "Kariobangi")
    due = db.hget(contacts.key("+254712000132"), "due_date")
    assert due == (today() + timedelta(weeks=20)).isoformat()


def test_a_loss_stops_baby_messages_and_asks_for_a_call(client, db):
    caller, _ = enrol_on_ussd(client, "+254712000133", "1", "2", "2", "01-11-2026", "Mathare")
    caller.send("00")
    caller.send("6")
    caller.send("3")  # My details
    caller.send("2")  # We lost the baby
    assert caller.send("1").startswith("CON So sorry for your loss.")
    contact = db.hgetall(contacts.key("+254712000133"))
    assert contact["stage"] == "loss" and contact["loss_date"] == today().isoformat()
    (followup_id,) = db.zrange(followups.OPEN, 0, -1)
    assert db.hget(followups.key(followup_id), "reason") == "loss"


def test_a_visit_entered_on_ussd_is_a_visit_with_reminders(client, db):
    caller = Caller(client, "+254712000134")
    db.hset(contacts.key("+254712000134"), mapping={"language": "en", "enrolled": "yes",
                                                    "consent_sms": "yes", "enrol_offered": "yes"})
    caller.dial()
    for answer in ("5", "2", (today() + timedelta(days=9)).strftime("%d-%m-%Y")):
        caller.send(answer)
    (visit,) = visits.parse(db.hgetall(visits.key("+254712000134"))).values()
    assert visit["source"] == "mother" and visit["kind"] == "other"
    assert due_list.next_at(db, "+254712000134") is not None


def test_importing_a_register_twice_changes_nothing_and_names_bad_rows(runner, db, tmp_path):
    register = tmp_path / "register.csv"
    register.write_text("phone,date,kind,time,clinic,language\n"
                        "0712000141,2027-01-20,anc,09:30,Mathare North,sw\n"
                        "0712000141,20/2/27,anc,,,\n"  # day first, as typed on USSD
                        "not a phone,2027-01-20,anc,,,\n"
                        "0712000142,31-02-2027,immunisation,,,\n"
                        "0712000143,2027-01-20,dentist,,,\n")
    first = runner.invoke(args=["appointments", "import", str(register)])
    assert first.exit_code == 0, first.output
    assert "Imported 2 new visit(s) for 1 contact(s); 1 new contact(s) enrolled by staff." in (
        first.output)
    assert f"{register}, line 4: phone 'not a phone' is not a valid phone number" in first.output
    assert (f"{register}, line 5: date '31-02-2027' is not a date: write it day-month-year "
            "(15-03-2027) or YYYY-MM-DD") in first.output
    kept = visits.parse(db.hgetall(visits.key("+254712000141")))
    assert sorted(visit["date"] for visit in kept.values()) == ["2027-01-20", "2027-02-20"]
    assert f"{register}, line 6: kind 'dentist' is not one of" in first.output
    before = db.hgetall(visits.key("+254712000141"))
    second = runner.invoke(args=["appointments", "import", str(register)])
    assert "Imported 0 new visit(s)" in second.output
    assert db.hgetall(visits.key("+254712000141")) == before
    contact = db.hgetall(contacts.key("+254712000141"))
    assert contact["enrolled_by"] == "staff" and contact["language"] == "sw"


def test_an_imported_clinic_name_naming_hiv_care_is_kept_and_staff_are_told(runner, db, tmp_path):
    register = tmp_path / "register.csv"
    register.write_text("phone,date,kind,clinic\n0712000144,2027-01-20,anc,Mathare PMTCT Clinic\n")
    result = runner.invoke(args=["appointments", "import", str(register)])
    assert result.exit_code == 0, result.output
    assert f"Note: {register}, line 2: the clinic name 'Mathare PMTCT Clinic' contains PMTCT" in (
        result.output)
    assert "her SMS say 'your clinic' instead" in result.output
    (visit,) = visits.parse(db.hgetall(visits.key("+254712000144"))).values()
    assert visit["clinic"] == "Mathare PMTCT Clinic"


def test_an_imported_register_keeps_her_own_no_to_sms(runner, db, tmp_path):
    db.hset(contacts.key("+254712000145"), mapping={"consent_sms": "no", "language": "sw"})
    register = tmp_path / "register.csv"
    register.write_text("phone,date,kind\n0712000145,2027-01-20,anc\n")
    assert runner.invoke(args=["appointments", "import", str(register)]).exit_code == 0
    contact = db.hgetall(contacts.key("+254712000145"))
    assert (contact["enrolled"], contact["consent_sms"]) == ("yes", "no")
    assert due_list.next_at(db, "+254712000145") is None


def test_a_file_without_the_columns_is_refused(runner, tmp_path):
    register = tmp_path / "bad.csv"
    register.write_text("number,day\n0712000141,2027-01-20\n")
    result = runner.invoke(args=["appointments", "import", str(register)])
    assert result.exit_code == 1 and "missing: phone, date, kind" in result.output


def test_preview_and_run_a_day(runner, db, tmp_path):
    register = tmp_path / "register.csv"
    register.write_text("phone,date,kind,clinic\n0712000151,2027-01-20,anc,Mathare\n"
                        "0712000152,2027-01-20,anc,Mathare\n")
    runner.invoke(args=["appointments", "import", str(register)])
    preview = runner.invoke(args=["reminders", "preview", "--date", "2027-01-19"])
    assert "2 SMS would be sent on 2027-01-19." in preview.output
    assert "visit_day_before   en  2" in preview.output
    assert "*********151  visit_day_before   Reminder: your pregnancy check is tomorrow" in (
        preview.output)
    assert "+254712000151" not in preview.output
    run = runner.invoke(args=["reminders", "run", "--at", "2027-01-19T10:00"])
    assert "Sent: 2." in run.output
    again = runner.invoke(args=["reminders", "run", "--at", "2027-01-19T10:05"])
    assert "Sent: 0." in again.output
    night = runner.invoke(args=["reminders", "run", "--at", "2027-01-19T21:00"])
    assert "Outside the sending hours" in night.output


def test_attended_visits_and_the_follow_up_list(runner, db, tmp_path):
    register = tmp_path / "register.csv"
    register.write_text("phone,date,kind\n0712000161,2027-01-20,anc\n0712000162,2027-01-20,anc\n")
    runner.invoke(args=["appointments", "import", str(register)])
    marked = runner.invoke(args=["appointments", "attended", "0712000161", "2027-01-20"])
    assert "1 visit(s) marked attended." in marked.output
    runner.invoke(args=["reminders", "run", "--at", "2027-01-22T10:00"])
    listed = runner.invoke(args=["followups", "list"])
    assert "+254712000162  missed a visit (reminder) anc" in listed.output
    assert "+254712000161" not in listed.output
    followup_id = listed.output.split()[0]
    closed = runner.invoke(args=["followups", "close", followup_id, "--note", "Called; rebooked"])
    assert "closed" in closed.output
    assert "No open follow-ups." in runner.invoke(args=["followups", "list"]).output
    missing = runner.invoke(args=["followups", "close", "nope"])
    assert missing.exit_code == 1 and "There is no open follow-up nope" in missing.output
