"""CSV exports: each kind of record for a date range and a facility, masked, escaped, streamed."""

import csv
import io
import tracemalloc
from datetime import date

from bot.reports import exports
from bot.store import contacts, followups, visits

from .test_console_auth import sign_in

KISUMU, NAIROBI = "13939", "13156"
FIRST, SECOND, TESTER = "+254712009001", "+254712009002", "+254712009901"


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def seed(db, app):
    app.config["TEST_PHONE_PREFIXES"] = "+2547120099"
    for phone, facility, day, stage in ((FIRST, KISUMU, "2026-11-03", "pregnancy"),
                                        (SECOND, NAIROBI, "2026-10-20", "baby"),
                                        (TESTER, KISUMU, "2026-11-03", "baby")):
        db.hset(contacts.key(phone), mapping={
            "enrolled": "yes", "enrolled_on": day, "language": "sw", "stage": stage,
            "facility": facility, "clinic": "=cmd|' /C calc'!A0", "hiv_messages": "yes",
            "mentor": "+254722009000"})
    pipe = db.pipeline()
    visits.add(pipe, FIRST, date(2026, 11, 10), "anc", "09:00", "Kisumu County Hospital", "import")
    visits.add(pipe, FIRST, date(2027, 1, 10), "anc")
    visits.add(pipe, SECOND, date(2026, 11, 12), "immunisation")
    asked = followups.add(pipe, FIRST, "sms_question", "", "sms", message="My secret question")
    pipe.execute()
    followups.close(db, asked, "Called her about her worry", by="staff")


def test_every_kind_exports_its_range_masked_and_escaped(runner, db, app):
    seed(db, app)
    found = runner.invoke(args=["export", "contacts", "--from", "2026-11-01", "--to", "2026-11-30"])
    assert found.exit_code == 0, found.output
    (only,) = rows(found.output)  # SECOND enrolled in October; the test phone is left out
    assert only["phone"] == "*********001" and only["county"] == "Kisumu"
    assert only["clinic"] == "'=cmd|' /C calc'!A0" and only["mentor"] == "*********000"
    assert "hiv_messages" not in only
    whole = rows(runner.invoke(args=["export", "contacts", "--from", "2026-10-01", "--to",
                                     "2026-11-30", "--whole-numbers", "--hiv"]).output)
    assert {r["phone"] for r in whole} == {FIRST, SECOND} and whole[0]["hiv_messages"] == "yes"

    found = rows(runner.invoke(args=["export", "visits", "--from", "2026-11-01", "--to",
                                     "2026-11-30"]).output)
    assert sorted((r["phone"][-3:], r["date"], r["kind"]) for r in found) == [
        ("001", "2026-11-10", "anc"), ("002", "2026-11-12", "immunisation")]
    kisumu = rows(runner.invoke(args=["export", "visits", "--from", "2026-11-01", "--to",
                                      "2027-01-31", "--facility", KISUMU]).output)
    assert [r["date"] for r in kisumu] == ["2026-11-10", "2027-01-10"]

    today = date.today().isoformat()
    closed = rows(runner.invoke(args=["export", "followups", "--from", today, "--to", today]).output)
    assert [(r["reason"], r["status"], r["closed_by"]) for r in closed] == [
        ("sms_question", "done", "staff")]
    text = runner.invoke(args=["export", "followups", "--from", today, "--to", today]).output
    assert "secret question" not in text and "about her worry" not in text  # her words stay


def test_a_wrong_export_is_told_plainly(runner):
    backwards = runner.invoke(args=["export", "visits", "--from", "2026-12-05", "--to", "2026-12-01"])
    assert backwards.exit_code == 1 and "is before --from" in backwards.output
    bad = runner.invoke(args=["export", "visits", "--from", "5/12/2026"])
    assert bad.exit_code == 1 and "write it as 2026-12-31" in bad.output
    assert runner.invoke(args=["export", "babies"]).exit_code == 2


def test_the_console_gives_editors_whole_numbers_and_staff_the_last_digits(client, db, app):
    seed(db, app)
    sign_in(client, db, "staff")
    page = client.get("/console/reports").get_data(as_text=True)
    assert "Export records" in page and "name=\"hiv\"" not in page
    answer = client.get("/console/exports.csv?kind=contacts&from=2026-10-01&to=2026-11-30&hiv=1")
    assert answer.mimetype == "text/csv" and "attachment" in answer.headers["Content-Disposition"]
    found = rows(answer.get_data(as_text=True))
    assert {r["phone"] for r in found} == {"*********001", "*********002"}
    assert "hiv_messages" not in found[0]  # only an editor may ask for them
    client.post("/console/logout", data={"csrf_token": "x"})
    sign_in(client, db, "editor")
    found = rows(client.get("/console/exports.csv?kind=contacts&from=2026-10-01&to=2026-11-30&hiv=1")
                 .get_data(as_text=True))
    assert {r["phone"] for r in found} == {FIRST, SECOND} and found[0]["hiv_messages"] == "yes"
    wrong = client.get("/console/exports.csv?kind=contacts&from=2026-12-05&to=2026-12-01")
    assert wrong.status_code == 400 and "is before" in wrong.get_data(as_text=True)
    assert client.get("/console/exports.csv?kind=everything").status_code == 404


def test_an_export_is_written_as_it_is_read_not_held_whole(db):
    def peak(count):
        pipe = db.pipeline(transaction=False)
        for n in range(count):
            visits.add(pipe, f"+2547130{n:05d}", date(2026, 11, 1 + n % 28), "anc", "09:00",
                       "Mathare North Health Centre", "import")
        pipe.execute()
        tracemalloc.start()
        lines = sum(1 for _ in exports.lines(db, "visits", date(2026, 11, 1), date(2026, 11, 30)))
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        db.flushdb()
        return lines, top

    small, big = peak(1_000), peak(8_000)
    assert small[0] == 1_001 and big[0] == 8_001
    assert big[1] < small[1] * 2, (small, big)  # eight times the rows, not eight times the memory
