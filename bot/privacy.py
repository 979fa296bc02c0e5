"""Keep phone numbers and message texts out of logs.

Logs are read by people who must not learn who uses an HIV programme, so a
phone number is shown only by its last three digits, and a log filter masks
any number that slips into a log line anyway. Message texts are never logged.
"""

import logging
import re

_LONG_NUMBER = re.compile(r"(?<![\w+])\+?\d[\d ]{6,}\d(?!\w)")  # not inside ids or hex


def mask_phone(number):
    """Return the number with all but its last three digits hidden."""
    digits = re.sub(r"\D", "", str(number or ""))
    return "*" * max(len(digits) - 3, 0) + digits[-3:] if digits else "?"


def _mask_match(found):
    return mask_phone(found.group(0))


class MaskPhoneNumbers(logging.Filter):
    """Mask every long run of digits in a log record's final text."""

    def filter(self, record):
        text = record.getMessage()
        masked = _LONG_NUMBER.sub(_mask_match, text)
        if masked != text:
            record.msg, record.args = masked, None
        return True


def install_log_filter(level="INFO"):
    """Mask numbers on every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers:
        if not any(isinstance(f, MaskPhoneNumbers) for f in handler.filters):
            handler.addFilter(MaskPhoneNumbers())
