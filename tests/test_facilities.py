"""Clinics from the Kenya Master Health Facility List: the shipped sample, importing the national
list into Redis (all or nothing), the CLI, the API, the register import and the SMS name."""

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from bot import content_service, facilities, store
from bot.api import tokens
from bot.facilities import stored
from bot.facilities.records import read
from bot.reminders.dispatch import render
from bot.reminders.plan import Reminder
from bot.store import contacts, visits

from .ussd_caller import Caller

ROOT = Path(__file__).resolve().parent.parent
# Columns as a KMHFL export names them (https://kmhfl.health.go.ke), in its order.
KMHFL_HEADER = "Code,Name,Officialname,Keph level,Facility type,Owner,County,Constituency,Sub county,Ward"
KMHFL_ROWS = [
    "13704,Kisumu County Hospital,Kisumu County Hospital,Level 4,Primary care hospitals,"
    "Ministry of Health,Kisumu,Kisumu Central,Kisumu Central,Railways",
    "23541,Aboge,Aboge Health Centre,Level 3,Basic Health Centre,Ministry of Health,KISUMU,"
    "Kisumu West,Kisumu West,North West Kisumu",
    "18454,Likoni HIV Resource Centre,Likoni HIV Resource Centre,Level 2,VCT,Non-Governmental "
    "Organizations,Mombasa,Likoni,Likoni,Likoni",
    "13939,Jaramogi Oginga Odinga Teaching & Referral Hospital,Jaramogi Oginga Odinga Teaching & "
    "Referral Hospital,Level 5,Secondary care hospitals,Ministry of Health,Kisumu,Kisumu Central,"
    "Kisumu Central,Railways",
    ",Dr Clinic Without Code,Dr Clinic Without Code,Level 2,Dental Clinic,Private Practice,Mombasa,"
    "Mvita,Mvita,Mji Wa Kale",
]


def _kmhfl(tmp_path, rows=KMHFL_ROWS, name="kmhfl.csv", bom=b"\xef\xbb\xbf"):
    path = tmp_path / name
    path.write_bytes(bom + "\r\n".join([KMHFL_HEADER, *rows, ""]).encode("utf-8"))
    return path


@pytest.fixture
def empty_store(app):
    store.redis(app).flushdb()


# The shipped sample


def test_the_shipped_sample_is_real_data_the_checker_accepts():
    found, problems = read((ROOT / "flows" / "facilities.csv").read_text(encoding="utf-8"),
                           "flows/facilities.csv")
    assert problems == []
    assert len(found) >= 30 and len({f.code for f in found}) == len(found)
    assert all(f.code.isdigit() and len(f.code) == 5 and f.sms_name and f.sub_county for f in found)
    by_code = {f.code: f for f in found}
    assert (by_code["13939"].name, by_code["13939"].county) == (
        "Jaramogi Oginga Odinga Teaching & Referral Hospital", "Kisumu")
    assert by_code["11289"].sms_name == "Coast General Hospital"


def test_the_sample_is_published_with_the_flows_so_every_node_serves_the_same():
    from bot.content_versions import files
    published = files.read_checkout(ROOT / "flows", ROOT / "locales")
    assert published["flows/facilities.csv"] == (ROOT / "flows" / "facilities.csv").read_bytes()


def test_with_nothing_imported_the_bot_uses_the_sample(app, db, empty_store):
    with app.app_context():
        assert facilities.get(db, "13704").sms_name == "Kisumu County Hospital"
        assert facilities.get(db, "99999") is None
        assert len(facilities.all(db)) == len(content_service.current(app).facilities)
        assert facilities.directory(db).source == "sample"
    # Outside the app (a worker, a script) the checkout's file is the sample.
    assert facilities.get(db, "11289").name == "Coast General Teaching and Referral Hospital"


# Reading a KMHFL export


def test_a_kmhfl_export_is_read_under_its_own_column_names(tmp_path):
    found, problems = read(_kmhfl(tmp_path).read_text(encoding="utf-8-sig"), "kmhfl.csv",
                           derive_sms_names=True)
    by_code = {f.code: f for f in found}
    assert set(by_code) == {"13704", "23541", "18454", "13939"}
    aboge = by_code["23541"]
    assert (aboge.name, aboge.county, aboge.sub_county) == ("Aboge Health Centre", "Kisumu",
                                                             "Kisumu West")
    assert by_code["18454"].sms_name == ""  # her SMS will say "your clinic", never HIV
    assert by_code["13939"].sms_name == "Jaramogi Oginga Odinga"  # the words that fit 30
    (waiting,) = problems
    assert waiting.warning and waiting.line == 6 and "no MFL code yet" in str(waiting)


# Importing the national list


def test_importing_a_good_file_replaces_the_list_every_node_uses(app, runner, db, tmp_path,
                                                                 redis_url, empty_store):
    result = runner.invoke(args=["facilities", "import", str(_kmhfl(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Imported 4 facilities in 2 counties (version 1); 1 warning(s)." in result.output
    assert "kmhfl.csv, line 6: warning: 'Dr Clinic Without Code' has no MFL code yet" in result.output
    with app.app_context():
        assert facilities.get(db, "23541").name == "Aboge Health Centre"
        assert facilities.get(db, "11289") is None  # the sample is no longer used
    listed = runner.invoke(args=["facilities", "list", "--county", "kisumu"])
    assert listed.exit_code == 0, listed.output
    assert "13704  Kisumu County Hospital | Kisumu / Kisumu Central" in listed.output
    assert "18454" not in listed.output and "the list imported from kmhfl.csv (version 1)" in listed.output
    shown = runner.invoke(args=["facilities", "show", "18454"])
    assert "SMS name: (none: her SMS say 'your clinic')" in shown.output
    # Another process, as another node would, reads the same list from Redis.
    other = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "facilities", "show",
                            "23541"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, REDIS_URL=redis_url))
    assert other.returncode == 0, other.stderr
    assert "Name: Aboge Health Centre" in other.stdout and "version 1" in other.stdout
    # A second import replaces the whole list, not row by row.
    again = runner.invoke(args=["facilities", "import", str(_kmhfl(tmp_path, KMHFL_ROWS[:1], "new.csv"))])
    assert "Imported 1 facilities in 1 counties (version 2)" in again.output, again.output
    with app.app_context():
        assert [f.code for f in facilities.all(db)] == ["13704"]
    assert not [key for key in db.scan_iter("facilities:rows:new:*")]


def test_a_bad_file_changes_nothing(app, runner, db, tmp_path, empty_store):
    assert runner.invoke(args=["facilities", "import", str(_kmhfl(tmp_path))]).exit_code == 0
    bad = KMHFL_ROWS[:2] + [
        "13704,Twice,Twice,Level 2,Dispensary,Ministry of Health,Kisumu,Nyando,Nyando,Ahero",
        "1370A,Letter,Letter,Level 2,Dispensary,Ministry of Health,Kisumu,Nyando,Nyando,Ahero",
        "13705,No County,No County,Level 2,Dispensary,Ministry of Health,,Nyando,Nyando,Ahero"]
    result = runner.invoke(args=["facilities", "import", str(_kmhfl(tmp_path, bad, "bad.csv"))])
    assert result.exit_code == 1
    for words in ("bad.csv, line 4: The code 13704 is given twice, here and on line 2",
                  "bad.csv, line 5: The MFL code is '1370A'", "bad.csv, line 6: The facility 13705 "
                  "has no county", "Nothing was imported: 3 problem(s)", "The list in use is unchanged"):
        assert words in result.output, result.output
    with app.app_context():
        assert {f.code for f in facilities.all(db)} == {"13704", "23541", "18454", "13939"}
    assert stored.meta(db)["version"] == "1" and stored.meta(db)["file"] == "kmhfl.csv"
    header_only = tmp_path / "empty.csv"
    header_only.write_text(KMHFL_HEADER + "\n")
    refused = runner.invoke(args=["facilities", "import", str(header_only)])
    assert refused.exit_code == 1 and "The file has no facilities in it." in refused.output


def test_fifteen_thousand_facilities_import_in_one_piece(app, db, tmp_path, empty_store):
    rows = [f"{20000 + n},Dispensary {n},Dispensary {n},Level 2,Dispensary,Ministry of Health,"
            f"{('Kisumu', 'Siaya', 'Homa Bay')[n % 3]},Area {n % 40},Area {n % 40},Ward"
            for n in range(15000)]
    from bot.facilities.importer import import_file
    result = import_file(db, _kmhfl(tmp_path, rows, "national.csv"))
    assert result.version == 1 and len(result.facilities) == 15000 and result.errors == []
    with app.app_context():
        listed = facilities.directory(db)
    assert len(listed) == 15000 and listed.counties() == ["Homa Bay", "Kisumu", "Siaya"]
    assert len(listed.in_sub_county("Kisumu", "Area 3")) == 125



def test_a_facility_with_no_sub_county_is_listed_under_its_county():
    from bot.facilities.directory import Directory
    from bot.facilities.records import Facility
    listed = Directory([Facility("13704", "Kisumu County Hospital", "Kisumu", "", "Kisumu Hospital"),
                        Facility("13468", "Ahero County Hospital", "Kisumu", "Nyando", "Ahero")])
    assert listed.sub_counties("Kisumu") == ["Kisumu", "Nyando"]
    assert [f.code for f in listed.in_sub_county("Kisumu", "Kisumu")] == ["13704"]


# On USSD, with the imported list


def test_a_mother_picks_from_the_imported_list_and_her_sms_never_name_hiv_care(
        app, client, db, runner, tmp_path, empty_store):
    assert runner.invoke(args=["facilities", "import", str(_kmhfl(tmp_path))]).exit_code == 0
    caller = Caller(client, "+254712000191")
    db.hset(contacts.key(caller.phone), mapping={
        "language": "en", "enrol_offered": "yes", "enrolled": "yes", "consent_sms": "yes",
        "stage": "baby", "birth_date": date.today().isoformat(), "clinic": "Mathare"})
    caller.dial()
    for answer in ("6", "3", "1", "2", date.today().strftime("%d-%m-%Y")):
        screen = caller.send(answer)
    assert "or 1 to choose from a list" in screen
    assert "1. Kisumu\n2. Mombasa\n" in caller.send("1")  # the imported list's counties
    assert "1. Likoni\n" in caller.send("2")
    assert "1. Likoni HIV Resource Centre\n2. My clinic is not here" in caller.send("1")
    assert "Your details are saved." in caller.send("1")
    kept = db.hgetall(contacts.key(caller.phone))
    assert (kept["facility"], kept["clinic"]) == ("18454", "")
    with app.app_context():
        content = content_service.current(app)
    reminder = Reminder("r1", datetime(2027, 3, 16, 10, 0), "visit_day_before",
                        "sms_reminders.day_before",
                        {"date": date(2027, 3, 17), "kind": "pnc", "clinic": kept["clinic"]})
    sent = render(content, kept, reminder)
    assert "at your clinic" in sent and "HIV" not in sent


@pytest.mark.parametrize("typed", ["Kisumu CCC", "Ahero Comprehensive Care Centre"])
def test_a_clinic_name_that_names_hiv_care_stays_out_of_her_sms(app, typed):
    with app.app_context():
        content = content_service.current(app)
    reminder = Reminder("r1", datetime(2027, 3, 16, 10, 0), "visit_day_before",
                        "sms_reminders.day_before",
                        {"date": date(2027, 3, 17), "kind": "anc", "clinic": typed})
    sent = render(content, {"language": "en"}, reminder)
    assert "at your clinic" in sent and typed not in sent


# The API and the register import


@pytest.fixture
def api(client, db, empty_store):
    token = tokens.create(db, "emr-test")

    def put(phone, body):
        return client.put(f"/api/contacts/{phone}", json=body,
                          headers={"Authorization": f"Bearer {token}"})
    return put


def test_the_api_takes_the_mfl_code_and_checks_it_against_the_list(api, db, empty_store):
    made = api("+254712000192", {"consent_sms": True, "facility": "13939"})
    assert made.status_code == 201, made.get_data(as_text=True)
    body = made.get_json()
    assert (body["facility"], body["clinic"]) == ("13939", "Jaramogi Hospital")
    assert api("+254712000192", {"facility": 13704}).get_json()["clinic"] == "Kisumu County Hospital"
    named = api("+254712000192", {"facility": "13468", "clinic": "Ahero"}).get_json()
    assert (named["facility"], named["clinic"]) == ("13468", "Ahero")
    for sent, words in (("99999", "no facility has the MFL code 99999 in the facility list"),
                        ("Kisumu", "facility must be an MFL code"), (True, "must be an MFL code")):
        refused = api("+254712000192", {"facility": sent})
        assert refused.status_code == 422 and refused.get_json()["field"] == "facility"
        assert words in refused.get_json()["error"]
    assert db.hget(contacts.key("+254712000192"), "facility") == "13468"


def test_a_register_gives_the_clinic_by_its_mfl_code(runner, db, tmp_path, empty_store):
    path = tmp_path / "register.csv"
    path.write_text("phone,date,kind,facility\n0712000193,2027-01-20,anc,13704\n"
                    "0712000194,2027-01-21,anc,99999\n0712000195,2027-01-22,anc,\n")
    result = runner.invoke(args=["appointments", "import", str(path)])
    assert "Imported 2 new visit(s) for 2 contact(s)" in result.output, result.output
    assert "line 3: facility '99999' is not an MFL code in the facility list" in result.output
    kept = db.hgetall(contacts.key("+254712000193"))
    assert (kept["facility"], kept["clinic"]) == ("13704", "Kisumu County Hospital")
    (visit,) = visits.parse(db.hgetall(visits.key("+254712000193"))).values()
    assert visit["clinic"] == "Kisumu County Hospital"
    assert "facility" not in db.hgetall(contacts.key("+254712000195"))


def test_a_long_list_takes_words_of_a_name_that_only_one_item_has(app):
    from types import SimpleNamespace

    from bot.engine import lists
    with app.app_context():
        content = content_service.current(app)
    run = SimpleNamespace(facilities=content.facilities, text=lambda key: key,
                          results={"county": "Kisumu", "sub_county": "Kisumu Central"})
    rules = {"type": "pick", "from": "facilities"}
    assert lists.pick(run, rules, "Nyalenda") == "13887"
    assert lists.pick(run, rules, "kisumu county hospital") == "13704"
    assert lists.pick(run, rules, "5") == "13887"
    for unclear in ("Sub County Hospital", "Nyalen", "", "6"):  # two have it; half a word; none
        assert lists.pick(run, rules, unclear) is None, unclear
