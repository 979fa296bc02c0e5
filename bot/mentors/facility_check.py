"""Is this a facility code Mentor Mothers can be attached to?

Kenya's Master Health Facility List gives every facility an MFL code, a number (usually 5
digits). A Mentor Mother's code must be one the bot's facility list holds (the imported
national list, else the sample in flows/facilities.csv), so her mothers' follow-ups, which
carry the same code, find her.
"""

import re

from .. import facilities

MFL_CODE = re.compile(r"[0-9]{4,6}")


def clean(raw):
    """The code as stored (digits, no spaces), or None when it cannot be an MFL code."""
    text = str(raw or "").strip()
    return text if MFL_CODE.fullmatch(text) else None


def problem(raw, db=None):
    """Plain words on what is wrong with a facility code, or "" when it will do.

    With `db`, a well-formed code must also be on the facility list in use.
    """
    code = clean(raw)
    if code is None:
        return (f"{str(raw or '').strip()[:20]!r} is not an MFL code: write the facility's "
                "4 to 6 digit code from the Kenya Master Health Facility List, e.g. 13939.")
    if db is not None and facilities.get(db, code) is None:
        return (f"No facility on the list has the MFL code {code}: check the code "
                "(`flask --app wsgi facilities list`), or import the national list "
                "(`flask --app wsgi facilities import FILE`).")
    return ""
