"""A facility as the bot knows it, and reading a list of them from a CSV file.

The same reader takes the shipped `flows/facilities.csv` and a Kenya Master Health
Facility List (KMHFL) export: the export names its columns its own way ("Code",
"Officialname", "Sub county", ...), so each column is found under any of its usual names.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from ..errors import Problem
from ..referrals.counties import county_named

SMS_NAME_LIMIT = 30  # the API's limit for a clinic name: it goes into a 160-character SMS
# Each column of ours, and the names a KMHFL export or a spreadsheet gives it (first found wins).
COLUMNS = {
    "mfl_code": ("mfl_code", "code", "mflcode", "mfl", "facility_code"),
    "name": ("name", "officialname", "official_name", "facility_name"),
    "county": ("county", "county_name"),
    "sub_county": ("sub_county", "subcounty", "sub_county_name", "constituency",
                   "constituency_name"),
    "sms_name": ("sms_name",),
    "dhis2_org_unit": ("dhis2_org_unit", "dhis2_id", "dhis_id", "org_unit", "orgunit", "org_unit_id"),
}
# KMHFL's short "Name" is sometimes a bare place ("Aboge"); its official name says what it is.
PREFERRED_NAME = ("officialname", "official_name")
REQUIRED = ("mfl_code", "name", "county")
MFL_CODE = re.compile(r"^\d{4,6}$")  # KMHFL codes are numbers, today five digits
DHIS2_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")  # DHIS2 ids: 11 characters, a letter first


@dataclass(frozen=True, slots=True)  # slots: a national list holds some 15,000 of them
class Facility:
    code: str
    name: str
    county: str
    sub_county: str
    sms_name: str  # safe to show in an SMS: no word about HIV care or the programme; may be ""
    dhis2_org_unit: str = ""
    line: int | None = field(default=None, compare=False)  # where it was read, for messages

    def as_row(self):
        return [self.name, self.county, self.sub_county, self.sms_name, self.dhis2_org_unit]

    @classmethod
    def from_row(cls, code, row):
        name, county, sub_county, sms_name, dhis2 = (list(row) + [""] * 5)[:5]
        return cls(code, name, county, sub_county, sms_name, dhis2)


def header_key(name):
    """'Sub county', 'SUB-COUNTY' and 'sub_county' are one column."""
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


def read(text, file, derive_sms_names=False):
    """Return (facilities, problems) from a CSV text; `file` names it in the problems.

    A KMHFL export has no SMS names: with `derive_sms_names` each is made from the
    facility's name (see `safe_sms_name`) instead of being a problem.
    """
    problems = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    header = next(reader, None)
    if not header:
        return [], [Problem(file, "The file is empty.", line=1,
                            fix="Export the list again with its header line.")]
    columns = _columns([header_key(name) for name in header])
    missing = [name for name in REQUIRED if name not in columns]
    if "sms_name" not in columns and not derive_sms_names:
        missing.append("sms_name")
    if missing:
        return [], [Problem(file, f"The header has no column for {', '.join(missing)}.", line=1,
                            fix=f"Name the columns {', '.join(COLUMNS)} (a KMHFL export's Code, "
                                "Officialname, County and Sub county are understood too).")]
    found, first_line = [], {}
    for line, cells in enumerate(reader, 2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: " ".join(_cell(cells, index).split()) for name, index in columns.items()}
        facility = _facility(values, line, file, derive_sms_names, problems)
        if facility is None:
            continue
        if facility.code in first_line:
            problems.append(Problem(file, f"The code {facility.code} is given twice, here and on "
                                    f"line {first_line[facility.code]}.", line=line,
                                    fix="Keep one row per facility: remove or correct one of them."))
            continue
        first_line[facility.code] = line
        found.append(facility)
    return found, problems


def _facility(values, line, file, derive, problems):
    code = values.get("mfl_code", "")
    if not code and derive:  # KMHFL lists facilities still waiting for their code: none to pick
        problems.append(Problem(file, f"'{values.get('name', '')}' has no MFL code yet; it is left "
                                "out.", line=line, warning=True,
                                fix="Import the list again once KMHFL gives it a code."))
        return None
    if not MFL_CODE.match(code):
        shown = f"'{code}'" if code else "no code"
        problems.append(Problem(file, f"The MFL code is {shown}; MFL codes are numbers "
                                "(five digits today).", line=line,
                                fix="Copy the code from the Kenya Master Health Facility List."))
        return None
    lacking = [name.replace("_", "-") for name in ("name", "county") if not values.get(name)]
    if lacking:
        problems.append(Problem(file, f"The facility {code} has no {' and no '.join(lacking)}.",
                                line=line, fix="Fill it in as the facility list gives it."))
        return None
    county = county_named(values["county"])  # "HOMA BAY" and "Homa Bay County" are one county
    if county is None:
        problems.append(Problem(file, f"The county of {code}, '{values['county']}', is not one of "
                                "Kenya's 47 counties.", line=line,
                                fix="Write the county's name, e.g. 'Kisumu' or 'Homa Bay'."))
        return None
    if not values.get("sub_county"):
        problems.append(Problem(file, f"The facility {code} has no sub-county: mothers choosing "
                                "from the lists find it under the county's own name.", line=line,
                                warning=True, fix="Fill in its sub-county."))
    sms_name = values.get("sms_name", "")
    if derive and not sms_name:
        sms_name = safe_sms_name(values["name"])
    elif _sms_name_unsafe(sms_name, code, line, file, problems):
        return None
    dhis2 = values.get("dhis2_org_unit", "")
    if dhis2 and not DHIS2_UID.match(dhis2):
        problems.append(Problem(file, f"The DHIS2 org unit '{dhis2}' of {code} is not a DHIS2 id "
                                "(11 letters and digits, a letter first).", line=line,
                                fix="Copy the id from KHIS (DHIS2), or leave it empty."))
        return None
    return Facility(code, values["name"], county, values.get("sub_county", ""),
                    sms_name, dhis2, line)


def _sms_name_unsafe(sms_name, code, line, file, problems):
    if not sms_name:
        problems.append(Problem(file, f"The facility {code} has no SMS name.", line=line,
                                fix="Write a short name she knows the clinic by (at most "
                                    f"{SMS_NAME_LIMIT} characters), with no word about HIV care."))
        return True
    why = _kept_out(sms_name)
    if why:
        problems.append(Problem(file, f"The SMS name of {code}: {why.split(', which')[0]}, which "
                                "an SMS read on a shared phone must not name.", line=line,
                                fix="Write the name of the place only (e.g. 'Ahero Hospital'), "
                                    "never what the clinic treats or the programme's name."))
        return True
    if len(sms_name) > SMS_NAME_LIMIT:
        problems.append(Problem(file, f"The SMS name of {code} has {len(sms_name)} characters; an "
                                f"SMS name has at most {SMS_NAME_LIMIT}.", line=line,
                                fix="Shorten it to the name mothers use for the place."))
        return True
    return False


def safe_sms_name(name):
    """An SMS name made from a facility's full name: the name when it is safe and short, its
    first words when it is long; "" (her SMS then say "your clinic") when it names HIV care."""
    if _kept_out(name):
        return ""
    words, kept = name.split(), ""
    for word in words:
        if len(f"{kept} {word}".strip()) > SMS_NAME_LIMIT:
            break
        kept = f"{kept} {word}".strip()
    return kept


def normalised(name):
    """A name as compared with what she typed: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(name).lower()).split())


def _kept_out(name):
    """The reminders' own rule for a clinic name an SMS must not show (imported when used:
    the reminders load the content, which loads this list)."""
    from ..reminders.dispatch import clinic_kept_out
    return clinic_kept_out(name)


def _columns(keys):
    found = {}
    for ours, names in COLUMNS.items():
        order = PREFERRED_NAME + names if ours == "name" else names
        for name in order:
            if name in keys:
                found[ours] = keys.index(name)
                break
    return found


def _cell(cells, index):
    return cells[index] if index < len(cells) else ""


def _separator(text):
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)
