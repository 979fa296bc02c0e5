"""Keep phone numbers, secrets and message texts out of logs.

Logs are read by people who must not learn who uses an HIV programme, so a
phone number is shown only by its last three digits, and a log filter masks
any number that slips into a log line anyway, and any token in a URL or header
(gunicorn's access log writes the request line). Message texts are never logged.
"""

import logging
import re

from gunicorn.glogging import Logger

# Not inside ids or hex; a '+' may come URL-encoded (/api/contacts/%2B2547...). Digits written
# in groups (0712 345 678) are one number, but a number followed by " 401 0.3s" (an access log
# line) is not joined to them.
_LONG_NUMBER = re.compile(r"(?<![\w+%])(?:\+|%2[Bb])?(?:\d{8,}|\d{2,4}(?: \d{2,4}){2,3})(?!\w)")
_SECRET = re.compile(r"(?i)((?:[?&;]|%26|%3F)token(?:=|%3D)|\bBearer\s+)[^&;\s\"']+")


def mask_phone(number):
    """Return the number with all but its last three digits hidden."""
    digits = re.sub(r"\D", "", str(number or ""))
    return "*" * max(len(digits) - 3, 0) + digits[-3:] if digits else "?"


def _mask_match(found):
    return mask_phone(re.sub(r"^%2[Bb]", "", found.group(0)))


def mask_log_text(text):
    """The text with every phone number masked and every token hidden."""
    return _SECRET.sub(r"\1[hidden]", _LONG_NUMBER.sub(_mask_match, text))


class MaskPhoneNumbers(logging.Filter):
    """Mask every long run of digits and every token in a log record's final text."""

    def filter(self, record):
        text = record.getMessage()
        masked = mask_log_text(text)
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


class MaskedGunicornLogger(Logger):
    """gunicorn's logger, its access and error logs masked (`--logger-class`)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, MaskPhoneNumbers) for f in log.filters):
                log.addFilter(MaskPhoneNumbers())
