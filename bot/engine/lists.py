"""Lists an input offers to pick from that are not written in the flow: the counties,
sub-counties and facilities of the facility list in use (bot/facilities).

An input with `validate: {type: pick, from: counties}` shows the list as numbered options,
paged like any other; she answers with a number, or types the item's name or words of it
that only one item has. The list of
sub-counties is of the county she picked (the answer `county`), and the list of
facilities is of that county and sub-county (the answer `sub_county`); a facility is kept
as its MFL code. `also:` adds fixed choices after the list ("My clinic is not listed").
"""

import re


def items(run, rules):
    """[(value, label)] of the list, then of its fixed choices (shown in her language)."""
    directory = run.facilities
    source = rules.get("from")
    county, sub_county = run.results.get("county"), run.results.get("sub_county")
    found = []
    if directory is not None and source == "counties":
        found = [(name, name) for name in directory.counties()]
    elif directory is not None and source == "sub_counties":
        found = [(name, name) for name in directory.sub_counties(county)]
    elif directory is not None and source == "facilities":
        found = [(f.code, f.name) for f in directory.in_sub_county(county, sub_county)]
    return found + [(c["value"], run.text(c["text"])) for c in rules.get("also", [])]


def pick(run, rules, answer):
    """The value she picked by number or by typing its name, or None."""
    found = items(run, rules)
    text = answer.strip()
    if text.isascii() and text.isdigit():
        return found[int(text) - 1][0] if 1 <= int(text) <= len(found) else None
    typed = _plain(text)
    if not typed:
        return None
    matches = [value for value, label in found if _plain(label) == typed]
    if not matches:  # part of the name, whole words ("nyalenda"): a long list need not be paged
        matches = [value for value, label in found if f" {typed} " in f" {_plain(label)} "]
    return matches[0] if len(matches) == 1 else None


def _plain(text):
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(text).lower()).split())
