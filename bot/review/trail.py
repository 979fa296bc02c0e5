"""Read and write locales/reviews.yaml: who checked which text, when, and the text's fingerprint.

A review holds a fingerprint of the text as it was checked, not the text
itself: when anyone changes the text afterwards (in the file or the console),
the fingerprint no longer matches and the text shows as changed since review.
The file is written back whole, sorted, one review a line, so two people's
reviews merge like any other text file.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jsonschema

from ..content import yamlfile
from ..errors import BotError, Problem

FILE = "reviews.yaml"
SCHEMA = "reviews.schema.json"
ROLES = {"clinician": "a clinician", "language": "a native Kiswahili speaker",
         "programme": "the programme"}
HEADER = """\
# yaml-language-server: $schema=reviews.schema.json
# Who checked which text. Written by `flask --app wsgi texts reviewed` (docs/staff-guide.md).
# A text whose words changed after its review shows as "changed since review" in
# `flows check --review` and on the console's Texts page: check it again.
# health_topics: the topics whose texts a clinician must check (any text with a
# "# Source:" comment is a health text too).
"""


class ReviewError(BotError):
    """A review cannot be recorded; says why in plain words."""


@dataclass
class Trail:
    """The health topics and every recorded review: {key: {language: {role: entry}}}."""

    health_topics: set = field(default_factory=set)
    reviews: dict = field(default_factory=dict)

    def entries(self, key, language):
        """{role: {"date", "fingerprint", "by"?}} for one text in one language."""
        return self.reviews.get(key, {}).get(language, {})

    def record(self, key, language, role, text, on=None, by=None):
        """Note that `role` checked `text` (the words of `key` in `language`) on `on`."""
        if role not in ROLES:
            raise ReviewError(f"'{role}' is not a reviewer role: use one of {', '.join(ROLES)}.")
        entry = {"date": (on or date.today()).isoformat(), "fingerprint": fingerprint(text)}
        if by:
            entry["by"] = by
        self.reviews.setdefault(key, {}).setdefault(language, {})[role] = entry


def fingerprint(text):
    """The first 12 hex digits of the text's SHA-256: enough to notice any change."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def load(locales_dir):
    """Return (Trail, problems) from locales/reviews.yaml; a missing file is an empty trail."""
    path = Path(locales_dir) / FILE
    shown = f"locales/{FILE}"
    if not path.is_file():
        return Trail(), []
    try:
        data, lines, duplicates = yamlfile.load(path.read_text(encoding="utf-8"))
    except (yamlfile.YamlError, UnicodeDecodeError) as err:
        return Trail(), [Problem(shown, f"This file is not valid YAML: {err}",
                                 line=getattr(err, "line", None),
                                 fix="Check the indentation, or write the review again with "
                                     "`flask --app wsgi texts reviewed`.")]
    problems = [Problem(shown, f"The key '{'.'.join(map(str, p))}' is written twice.", line=line,
                        fix="Keep one of them.") for p, line in duplicates]
    schema_path = Path(locales_dir) / SCHEMA
    if not schema_path.is_file():
        return Trail(), [Problem(shown, f"Its schema, locales/{SCHEMA}, is missing.",
                                 fix="Restore it from version control.")]
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    for error in jsonschema.Draft202012Validator(schema).iter_errors(data):
        where = [str(p) for p in error.absolute_path]
        problems.append(Problem(
            shown, f"{'.'.join(where) or 'The file'}: {error.message}.",
            line=yamlfile.line_of(lines, *error.absolute_path) if where else None,
            fix=f"See locales/{SCHEMA} for what each review holds: role (clinician, language or "
                "programme), then date (YYYY-MM-DD), fingerprint and, if you like, by."))
    if problems:
        return Trail(), problems
    return Trail(set(data["health_topics"]), data["reviews"]), []


def save(locales_dir, trail):
    """Write the trail to locales/reviews.yaml in one step, sorted and one review a line."""
    out = [HEADER, "health_topics: [" + ", ".join(sorted(trail.health_topics)) + "]\n"]
    out.append("reviews:" + ("\n" if trail.reviews else " {}\n"))
    for key in sorted(trail.reviews):
        out.append(f"  {key}:\n")
        for language in sorted(trail.reviews[key]):
            out.append(f"    {language}:\n")
            for role, entry in sorted(trail.reviews[key][language].items()):
                inner = ", ".join(f"{name}: {json.dumps(entry[name], ensure_ascii=False)}"
                                  for name in ("date", "fingerprint", "by") if name in entry)
                out.append(f"      {role}: {{{inner}}}\n")
    path = Path(locales_dir) / FILE
    spare = path.with_name(f".{FILE}.tmp")
    spare.write_text("".join(out), encoding="utf-8")
    os.replace(spare, path)

