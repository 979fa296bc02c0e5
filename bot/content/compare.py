"""Texts whose two languages may not say the same thing, for a reviewer to read.

Two signs that a translation dropped or added something:

- length: the longer text is more than LENGTH_RATIO times the shorter. Across
  this bot's texts a Kiswahili text is about as long as its English (median
  ratio 1.02 over 314 texts of 40 characters or more); a third longer or
  shorter usually means a sentence was left out or added. Texts under
  MIN_LENGTH characters (menu labels) are not compared: "Ndiyo" and "Yes" differ
  a lot and mean the same.
- numbers: the numbers written in digits (weeks, months, doses, dates, phone
  numbers) are not the same in both. A number written in words ("saa moja")
  is not read, so such a text may be listed although it says the same.

Nothing here stops the bot: `flask --app wsgi flows check --compare` lists
them for a person who reads both languages.
"""

import re
from dataclasses import dataclass

from .texts import PLACEHOLDER

LENGTH_RATIO = 1.3
MIN_LENGTH = 40
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Difference:
    """One text whose languages differ, with both versions for the reviewer."""

    key: str
    file: str
    line: int
    reason: str
    first: str
    second: str


def compare_languages(texts, first="en", second="sw"):
    """Return a Difference for each key whose two languages differ in length or numbers."""
    found = []
    theirs = texts.strings.get(second, {})
    for key, one in sorted(texts.strings.get(first, {}).items()):
        other = theirs.get(key)
        if other is None:  # a missing translation is the checker's error, not a difference
            continue
        reasons = [r for r in (_numbers_differ(one, other, first, second),
                               _length_differs(one, other, first, second)) if r]
        if reasons:
            file, line = texts.origin.get((second, key)) or (None, None)
            shown = f"locales/{getattr(file, 'name', file or key.split('.')[0] + '.' + second)}"
            found.append(Difference(key, shown, line, "; ".join(reasons), one, other))
    return found


def numbers_in(text):
    """Return the numbers written in digits, blanks left out, as a sorted tuple."""
    found = {n.lstrip("0") or "0" for n in NUMBER.findall(PLACEHOLDER.sub(" ", text))}
    return tuple(sorted(found, key=float))  # "03" in a date is 3, as in "3 months"


def _numbers_differ(one, other, first, second):
    ours, theirs = numbers_in(one), numbers_in(other)
    if ours == theirs:
        return None
    return (f"the numbers differ ({first}: {', '.join(ours) or 'none'}; "
            f"{second}: {', '.join(theirs) or 'none'})")


def _length_differs(one, other, first, second):
    short, long = sorted((len(one), len(other)))
    if long < MIN_LENGTH or long <= short * LENGTH_RATIO:
        return None
    longer = second if len(other) > len(one) else first
    return (f"the {longer} text is {long / max(short, 1):.1f} times as long "
            f"({first} {len(one)}, {second} {len(other)} characters)")
