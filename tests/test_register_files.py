"""Clinic registers as Excel saves them: Windows-1252 or UTF-8 with a BOM, ',' or ';' between columns."""

import pytest

from bot.store import contacts, visits

ROWS = [("0712000321", "2027-01-20", "anc", "09:30", "Ngong'é Road", "sw"),
        ("0712000322", "2027-02-03", "immunisation", "", "Kariobangi", "en")]


def _register(tmp_path, separator=",", encoding="utf-8", bom=b""):
    lines = [separator.join(("phone", "date", "kind", "time", "clinic", "language"))]
    lines += [separator.join(row) for row in ROWS]
    path = tmp_path / "register.csv"
    path.write_bytes(bom + ("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("separator, encoding, bom", [
    (",", "utf-8", b""),
    (",", "utf-8", b"\xef\xbb\xbf"),  # Excel's "CSV UTF-8"
    (",", "cp1252", b""),  # Excel's plain "CSV" on Windows
    (";", "cp1252", b""),  # ... where the decimal mark is a comma
    (";", "utf-8", b"\xef\xbb\xbf"),
    ("\t", "utf-16", b""),  # Excel's "Unicode text"
])
def test_a_register_is_read_whatever_excel_saved(runner, db, tmp_path, separator, encoding, bom):
    path = _register(tmp_path, separator, encoding, bom)
    result = runner.invoke(args=["appointments", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 new visit(s) for 2 contact(s)" in result.output, result.output
    (visit,) = visits.parse(db.hgetall(visits.key("+254712000321"))).values()
    assert (visit["kind"], visit["time"], visit["clinic"]) == ("anc", "09:30", "Ngong'é Road")
    assert db.hget(contacts.key("+254712000321"), "language") == "sw"


def test_latin_1_bytes_that_windows_1252_leaves_undefined_are_still_read(runner, db, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(b"phone;date;kind;clinic\n0712000323;2027-01-20;anc;Mathare\x81\xe9\n")
    result = runner.invoke(args=["appointments", "import", str(path)])
    assert result.exit_code == 0, result.output
    (visit,) = visits.parse(db.hgetall(visits.key("+254712000323"))).values()
    assert visit["clinic"] == "Mathare\x81\xe9"


def test_help_and_errors_list_the_kinds_of_visit(runner, tmp_path):
    helped = " ".join(runner.invoke(args=["appointments", "import", "--help"]).output.split())
    for kind in visits.KINDS:
        assert f"{kind} (" in helped, kind
    assert "';'" in helped and "Windows-1252" in helped
    path = tmp_path / "bad.csv"
    path.write_text("phone;day\n0712000324;2027-01-20\n")
    refused = runner.invoke(args=["appointments", "import", str(path)])
    assert refused.exit_code == 1 and "missing: date, kind" in refused.output
    assert f"kind is one of {', '.join(visits.KINDS)}" in refused.output
    path.write_text("phone;date;kind\n0712000324;2027-01-20;dentist\n")
    skipped = runner.invoke(args=["appointments", "import", str(path)])
    assert f"kind 'dentist' is not one of {', '.join(visits.KINDS)}" in skipped.output
