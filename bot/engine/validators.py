"""Checks for free answers typed on a keypad.

Each check takes the raw answer and the `validate` block from the flow file and
returns the value to keep (a plain string) or None when the answer is not
accepted. Feature phones make some symbols hard to type, so dates accept any
of - / . * or space between day, month and year, or none at all (15032027).
"""

import re
from datetime import date, timedelta

YES = {"1", "y", "yes", "ndiyo", "ndio", "ndyo", "yea", "ok", "sawa"}
NO = {"2", "n", "no", "hapana", "la", "sio"}
NO_SUCH_DATE = "common.hint_no_such_date"
NOT_A_NAME = "common.hint_words"
_DATE = re.compile(r"^(\d{1,2})[-/.* ](\d{1,2})[-/.* ](\d{2}|\d{4})$")


def check(rules, answer, today):
    """Return the accepted value as a string, or None."""
    kind = rules["type"]
    if kind == "number":
        return _number(rules, answer)
    if kind == "date":
        return _date(rules, answer, today)
    if kind == "yes_no":
        word = answer.strip().lower()
        return "yes" if word in YES else "no" if word in NO else None
    if kind == "choice":
        return _choice(rules, answer)
    if kind == "pin":  # four digits; the runner hands them to set_pin or check_pin, never keeps them
        digits = answer.strip()
        return digits if re.fullmatch(r"\d{4}", digits) else None
    return _text(rules, answer)


def _number(rules, answer):
    text = answer.strip().replace(",", ".")
    if not re.fullmatch(r"\d{1,6}(\.\d{1,2})?", text):
        return None
    value = float(text)
    if "min" in rules and value < rules["min"]:
        return None
    if "max" in rules and value > rules["max"]:
        return None
    return str(int(value)) if value.is_integer() else str(value)


def parse_date(answer):
    """Read a day-month-year date as typed on a keypad; None if it is no date."""
    parts = _date_parts(answer)
    if parts is None:
        return None
    day, month, year = parts
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _date_parts(answer):
    """Return (day, month, year) as typed, whether or not such a day exists; None if no date."""
    text = str(answer).strip()
    if re.fullmatch(r"\d{8}", text) or re.fullmatch(r"\d{6}", text):
        text = f"{text[:2]}-{text[2:4]}-{text[4:]}"
    found = _DATE.match(text)
    if not found:
        return None
    day, month, year = (int(part) for part in found.groups())
    return day, month, year + 2000 if year < 100 else year


def refusal(rules, answer):
    """Return the hint that says why `answer` was refused better than the question's own, or
    None: a date such as 31-02-2027 does not exist, which a hint on the allowed range hides."""
    kind = rules["type"]
    if kind == "date" and _date_parts(answer) and parse_date(answer) is None:
        return NO_SUCH_DATE
    if kind == "text" and answer.strip() and _letters(answer) < rules.get("min_letters", 0):
        return NOT_A_NAME
    return None


def _date(rules, answer, today):
    found = parse_date(answer)
    if found is None:
        return None
    if "min_days" in rules and found < today + timedelta(days=rules["min_days"]):
        return None
    if "max_days" in rules and found > today + timedelta(days=rules["max_days"]):
        return None
    return found.isoformat()


def _choice(rules, answer):
    text = answer.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(rules["choices"]):
        return rules["choices"][int(text) - 1]["value"]
    return None


def _text(rules, answer):
    text = " ".join(answer.split())
    limit = rules.get("max_length", 60)
    if _letters(text) < rules.get("min_letters", 0):
        return None  # "2" typed for a clinic's name: a menu number, not a name
    return text if 0 < len(text) <= limit else None


def _letters(text):
    return sum(char.isalpha() for char in text)
