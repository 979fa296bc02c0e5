"""How an SMS text is encoded and how many parts it costs.

GSM 03.38 (GSM-7) fits 160 characters in one SMS, 153 per part when split;
the extension characters count twice. One character outside GSM-7 (a curly
quote, an emoji, most accented letters) turns the whole text into UCS-2: 70
characters in one SMS, 67 per part. Facts: ../shared guide on Africa's Talking.
"""

import math

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")


def encoding(text):
    """Return "GSM-7" or "UCS-2"."""
    return "GSM-7" if all(ch in BASIC or ch in EXTENSION for ch in text) else "UCS-2"


def length(text):
    """Return the length as the network counts it (GSM-7 extension characters count 2)."""
    if encoding(text) == "UCS-2":
        return len(text.encode("utf-16-le")) // 2
    return sum(2 if ch in EXTENSION else 1 for ch in text)


def segments(text):
    """Return how many SMS parts the text costs."""
    size = length(text)
    single, part = (160, 153) if encoding(text) == "GSM-7" else (70, 67)
    return 1 if size <= single else math.ceil(size / part)


def outside_gsm(text):
    """Return the characters that force UCS-2, in order of appearance."""
    return "".join(dict.fromkeys(ch for ch in text if ch not in BASIC and ch not in EXTENSION))
