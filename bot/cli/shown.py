"""Data from mothers, AT or a file, made safe to print on a staff terminal.

A newline in an SMS would forge a line in `followups list`; an escape sequence
could rewrite what the terminal shows. Every such character is printed as its
visible escape (\\n, \\x1b, \\u202e) instead.
"""

import unicodedata

ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Unicode marks that reorder how a line reads (right-to-left overrides and isolates)
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown(value):
    """Return value as text with every control character escaped."""
    return "".join(_escape(char) for char in str(value))


def _escape(char):
    if char in ESCAPES:
        return ESCAPES[char]
    if unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI:
        code = ord(char)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return char
