"""What `flows check --review` prints: per locale file, what is unreviewed and what changed."""

from collections import Counter

from .state import STATES
from .trail import ROLES


def by_file(states):
    """{file: [TextReview]} keeping the order of `states`."""
    files = {}
    for item in states:
        files.setdefault(item.file, []).append(item)
    return files


def totals(items):
    """Counts for a list of TextReview: texts, each state, each role missing, health without source."""
    count = Counter(item.state for item in items)
    missing = Counter(role for item in items for role in item.missing)
    return {"texts": len(items), **{state: count[state] for state in STATES},
            "needs": {role: missing[role] for role in ROLES if missing[role]},
            "health_without_source": sum(item.health and not item.source for item in items)}


def as_json(states, problems):
    """The report for tools: totals, then each file with its totals and open texts."""
    files = by_file(states)
    return {"ok": not problems, "problems": [p.as_dict() for p in problems],
            "totals": totals(states),
            "files": [{"file": name, **totals(items),
                       "open": [i.as_dict() for i in items if i.state != "reviewed"]}
                      for name, items in files.items()]}


def as_lines(states):
    """The report for people, one line per file, then one per text still to check."""
    lines = []
    for name, items in by_file(states).items():
        count = totals(items)
        lines.append(f"{name}: {_summary(count)}")
        for item in sorted(items, key=lambda i: (i.state != "changed", i.line)):
            if item.state == "reviewed":
                continue
            extra = " (health text without a source)" if item.health and not item.source else ""
            extra += " (marked verify in the file)" if item.marked_verify else ""
            lines.append(f"  line {item.line}, {item.key}: {item.label()}{extra}")
    count = totals(states)
    lines.append(f"In all: {_summary(count)}")
    return lines


def _summary(count):
    needs = ", ".join(f"{n} need{'s' if n == 1 else ''} {ROLES[role]}" for role, n in count["needs"].items())
    text = (f"{count['texts']} texts, {count['reviewed']} reviewed, {count['unreviewed']} unreviewed, "
            f"{count['changed']} changed since review")
    text += f" ({needs})" if needs else ""
    if count["health_without_source"]:
        text += f"; {count['health_without_source']} health texts have no '# Source:' comment"
    return text + "."
