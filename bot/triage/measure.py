"""Measure the detector on a labelled set of messages (tests/triage/messages.yaml).

Each message carries the category a Mentor Mother would give it, or `none`.
An urgent message counts as caught when a sign is found and the reply it gets
is the right kind (hospital, crisis line or GBV line); a `none` message with any
sign found is a false alarm.
"""

from dataclasses import dataclass, field
from pathlib import Path

from ..content import yamlfile
from . import detect

ACTION_OF = {"self_harm": "crisis", "violence": "gbv"}  # every other category: hospital


@dataclass
class Report:
    urgent: int = 0
    caught: int = 0
    same_category: int = 0
    calm: int = 0
    false_alarms: list = field(default_factory=list)  # (line, text, finding)
    misses: list = field(default_factory=list)  # (line, text, expected, finding or None)

    @property
    def recall(self):
        return self.caught / self.urgent if self.urgent else 1.0

    @property
    def false_alarm_rate(self):
        return len(self.false_alarms) / self.calm if self.calm else 0.0


def read_messages(path):
    """Return [(line, text, expected category or 'none')] from a labelled file."""
    data, lines, _ = yamlfile.load(Path(path).read_text(encoding="utf-8"))
    return [(yamlfile.line_of(lines, "messages", n), str(m["text"]), str(m["expect"]))
            for n, m in enumerate(data["messages"])]


def measure(lexicon, messages):
    """Return the Report for [(line, text, expected)] messages."""
    report = Report()
    for line, text, expected in messages:
        finding = detect(lexicon, text)
        if expected == "none":
            report.calm += 1
            if finding:
                report.false_alarms.append((line, text, finding))
            continue
        report.urgent += 1
        if finding and finding.action == ACTION_OF.get(expected, "hospital"):
            report.caught += 1
            report.same_category += finding.category == expected
        else:
            report.misses.append((line, text, expected, finding))
    return report
