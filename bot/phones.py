"""Phone numbers in one form everywhere: E.164 (+254712345678)."""

import re
from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=65536)  # a caller's number arrives with every screen of her session
def normalise(raw, region="KE"):
    """Return `raw` as E.164, or None when it is not a valid phone number."""
    text = str(raw or "").strip()
    if not text or len(text) > 32:
        return None
    if text.isdigit() and len(text) > 10:
        text = "+" + text  # 2547... written without the plus
    number = _home_e164(text, region)
    if number is None:
        return by_parse(text, region)
    return _e164_if_valid(number)


def by_parse(text, region):
    """`text` as E.164 read by phonenumbers' own parse (any format, any country), or None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return _e164_if_valid(number)


def _e164_if_valid(number):
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _home_e164(text, region):
    """The number, when `text` is already E.164 in the programme's own country; else None.

    That is how AT sends every caller's number, and reading it needs none of parse's
    work (other formats, extensions, other countries), which was most of the cost of
    a first screen from a new number. phonenumbers still decides whether it is valid.
    """
    country = phonenumbers.country_code_for_region(region)
    found = _e164_pattern(country).fullmatch(text) if country else None
    if found is None:
        return None
    return phonenumbers.PhoneNumber(country_code=country, national_number=int(found.group(1)))


@lru_cache(maxsize=16)
def _e164_pattern(country):
    return re.compile(rf"\+{country}([1-9]\d{{3,13}})")
