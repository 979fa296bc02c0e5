"""The review state of every text in every language: who must check it, and whether they have.

Roles needed: a health text (its topic is a health topic, or a comment above it
gives a source) needs a clinician; a Kiswahili text needs a native speaker
("language"); an English text that is not a health text needs the programme.
A review counts only while the text's fingerprint matches: a text changed after
its review is "changed", which comes before "unreviewed" in every list.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from .trail import ROLES, fingerprint

SOURCE = re.compile(r"#\s*source\s*:", re.IGNORECASE)
NO_SOURCE = re.compile(r"#\s*source\s*:\s*none\b", re.IGNORECASE)
VERIFY = re.compile(r"#.*\bverify\b", re.IGNORECASE)
STATES = {"changed": "changed since review", "unreviewed": "unreviewed", "reviewed": "reviewed"}


@dataclass
class TextReview:
    """One text in one language: where it is, what it needs and what it has."""

    key: str
    language: str
    file: str
    line: int
    health: bool
    source: bool
    marked_verify: bool
    needs: tuple
    reviewed: dict = field(default_factory=dict)  # role -> entry whose fingerprint matches
    changed: dict = field(default_factory=dict)  # role -> entry whose fingerprint differs

    @property
    def missing(self):
        """Roles still needed: never reviewed, or reviewed before the text changed."""
        return tuple(role for role in self.needs if role not in self.reviewed)

    @property
    def state(self):
        if self.changed:
            return "changed"
        return "unreviewed" if self.missing else "reviewed"

    def label(self):
        """The state in a few words, e.g. 'reviewed by clinician on 2026-12-01'."""
        done = "; ".join(f"reviewed by {role} on {e['date']}" for role, e in self.reviewed.items())
        parts = [f"changed since the {role} review of {e['date']}" for role, e in self.changed.items()]
        needed = [ROLES[role] for role in self.missing if role not in self.changed]
        parts += [f"verify: needs {' and '.join(needed)}"] if needed else []
        return "; ".join(parts + ([done] if done else [])) or "reviewed"

    def as_dict(self):
        return {"key": self.key, "language": self.language, "file": self.file, "line": self.line,
                "state": self.state, "needs": list(self.missing), "health": self.health,
                "source": self.source, "marked_verify": self.marked_verify,
                "reviewed": self.reviewed, "changed": self.changed}


def review_states(texts, trail):
    """[TextReview] for every text of `texts` (a Texts catalogue), sorted by file and line."""
    notes = _Comments()
    found = []
    for language in texts.locales:
        for key, words in texts.strings[language].items():
            path, line = texts.origin.get((language, key)) or (None, None)
            comments = [notes.above(texts.origin.get((lang, key))) for lang in texts.locales]
            source = any(SOURCE.search(c) and not NO_SOURCE.search(c) for c in comments)
            told_none = any(NO_SOURCE.search(c) for c in comments)
            health = source or (key.split(".")[0] in trail.health_topics and not told_none)
            needs = (("clinician",) if health else ()) + \
                (("language",) if language == "sw" else () if health else ("programme",))
            item = TextReview(key, language, f"locales/{Path(path).name}" if path else "", line or 0,
                              health, source, bool(VERIFY.search(notes.above((path, line)))), needs)
            mark = fingerprint(words)
            for role, entry in trail.entries(key, language).items():
                (item.reviewed if entry["fingerprint"] == mark else item.changed)[role] = entry
            found.append(item)
    return sorted(found, key=lambda r: (r.file, r.line, r.key))


class _Comments:
    """The comment block right above a text's line (and a comment after it), per file read once."""

    def __init__(self):
        self._files = {}

    def above(self, origin):
        if not origin or not origin[0]:
            return ""
        path, line = origin
        lines = self._files.get(path)
        if lines is None:
            lines = self._files[path] = Path(path).read_text(encoding="utf-8").splitlines()
        block = [lines[line - 1]] if 0 < line <= len(lines) and "#" in lines[line - 1] else []
        at = line - 2
        while at >= 0 and lines[at].lstrip().startswith("#"):
            block.append(lines[at])
            at -= 1
        return "\n".join(block)
