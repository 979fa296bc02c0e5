"""Read a schedule file (flows/schedules/) into the suggested visits the reminder plan uses.

A visit given only in some counties names a list in the file's `county_lists`;
here that name becomes the set of counties itself, written the way `county_key`
writes a mother's county, so the plan compares like with like.
"""

from ..errors import Problem
from . import yamlfile


def county_key(name):
    """'Homa Bay County' and 'homa  bay' -> 'homa bay': how counties are compared."""
    words = str(name or "").lower().split()
    if words and words[-1] == "county":
        words = words[:-1]
    return " ".join(words)


def build_visits(shown, data, lines, problems):
    """Return the file's visits, each `counties` replaced by the set of counties it names."""
    lists = {name: frozenset(county_key(c) for c in found["counties"])
             for name, found in data.get("county_lists", {}).items()}
    visits = []
    for index, visit in enumerate(data["visits"]):
        visit = dict(visit)
        if "counties" in visit:
            if visit["counties"] not in lists:
                problems.append(Problem(
                    shown, f"Visit '{visit['id']}' is for the counties in "
                    f"'{visit['counties']}', but county_lists has no list of that name.",
                    line=yamlfile.line_of(lines, "visits", index),
                    fix=f"Add '{visit['counties']}:' under county_lists, or correct the name."))
                continue
            visit["counties"] = lists[visit["counties"]]
        visits.append(visit)
    return visits
