"""Import the national facility list from a KMHFL export (or a file like flows/facilities.csv).

The whole file is read and checked first: one bad row (a code that is not a number, a code
given twice, a row with no name or county, an unsafe SMS name) and nothing is imported, so
the list in use is never half old, half new. Warnings (a facility with no sub-county) do not
stop the import.
"""

from dataclasses import dataclass, field
from pathlib import Path

from .. import register_file
from ..errors import Problem
from . import stored
from .records import read


@dataclass
class ImportResult:
    facilities: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # errors and warnings, by line
    version: int | None = None  # the list's new version; None when nothing was imported

    @property
    def errors(self):
        return [p for p in self.problems if not p.warning]

    @property
    def counties(self):
        return len({f.county for f in self.facilities})


def import_file(db, path):
    """Check the file and, when it has no error, make it the list every node uses."""
    name = Path(path).name
    text = register_file.read_text(path)[0]  # UTF-8, with or without a BOM, or as Excel saves it
    facilities, problems = read(text, name, derive_sms_names=True)
    result = ImportResult(facilities, problems)
    if not facilities and not result.errors:
        problems.append(Problem(name, "The file has no facilities in it.",
                                fix="Export the list again from KMHFL, with its rows."))
    if not result.errors:
        result.version = stored.replace_all(db, facilities, name)
    return result
