"""Phone numbers in one form everywhere: E.164 (+254712345678)."""

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
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
