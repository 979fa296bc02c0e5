"""Test numbers: the phones staff try the bot with (TEST_PHONE_PREFIXES).

Whichever way a test number reaches the bot (the console's phone simulator, the
`ussd` command, a test SIM dialling through Africa's Talking), the bot answers it
as it would a mother, but its traffic is a test: its follow-ups stay out of the
list Mentor Mothers work from (console, API, `followups list`), no on-duty Mentor
Mother is alerted about it, and its SMS, texts and sessions count in no figure.
"""

import re

import phonenumbers
from flask import current_app, has_app_context

from .errors import InvalidSetting

# Only in development, when TEST_PHONE_PREFIXES is unset: +254700000000 to +254700000099. In
# production there are none until the programme lists its own test SIMs, so a mother's number
# can never be taken for a test by default.
DEVELOPMENT = ("+2547000000",)
_WRITTEN = re.compile(r"\+?\d{4,15}")


def read(value, region, environment):
    """TEST_PHONE_PREFIXES as E.164 prefixes; raise InvalidSetting on an entry that is not one."""
    if isinstance(value, str) and not value.strip():
        return DEVELOPMENT if environment == "development" else ()
    written = value.split(",") if isinstance(value, str) else list(value)
    found = []
    for place, raw in enumerate((re.sub(r"[\s()-]", "", str(p)) for p in written if str(p).strip()), 1):
        prefix = _as_e164(raw, region) if _WRITTEN.fullmatch(raw) else None
        if prefix is None:
            raise InvalidSetting("TEST_PHONE_PREFIXES", f"entry {place} ('{raw[:20]}') is not the "
                                 "start of a phone number.",
                                 "write the test SIMs' numbers, or the start they share, as "
                                 "+2547... or 07..., separated by commas.")
        if prefix not in found:
            found.append(prefix)
    return tuple(found)


def _as_e164(raw, region):
    """'+25470000' stays; '070000' becomes '+25470000' (the programme's country); else None."""
    if raw.startswith("+"):
        return raw
    if raw.startswith("0"):
        country = phonenumbers.country_code_for_region(region)
        return f"+{country}{raw[1:]}" if country else None
    return f"+{raw}" if len(raw) > 10 else None  # 2547... written without the plus


def is_test(phone, config=None):
    """True when `phone` (E.164) is a test number.

    Without `config`, the running app's settings; outside any app no number is a test,
    so a mother's traffic is never hidden by mistake.
    """
    if config is None:
        if not has_app_context():
            return False
        config = current_app.config
    prefixes = config.get("TEST_PHONE_PREFIXES") or ()
    if isinstance(prefixes, str):  # set by hand after start: never read it letter by letter
        prefixes = [part.strip() for part in prefixes.split(",") if part.strip()]
    return bool(phone) and str(phone).startswith(tuple(prefixes))
