"""Triage of free text: find danger signs in what a mother writes, and what to tell her at once.

`detect` reads a message against the lexicon in flows/danger_sign_words.yaml
(`content.danger_signs`) and returns a Finding, or None when nothing in it
is urgent; `reply_text` gives the one SMS to send her straight away.
"""

from collections import Counter
from dataclasses import dataclass

from . import match, negation
from .language import guess_language

UNKNOWN_SIGN = "triage.unknown_sign"  # named when a sign is no longer in the lexicon


@dataclass(frozen=True)
class Finding:
    sign: str  # lexicon id of the most serious sign found, e.g. "newborn_not_feeding"
    category: str  # pregnancy | after_birth | newborn | child | any | self_harm | violence
    action: str  # hospital | crisis | gbv
    language: str  # "en" or "sw": the language the message seems to be written in
    signs: tuple  # every sign id found, most serious first


def detect(lexicon, text):
    """Return a Finding for the danger signs in `text`, or None."""
    if lexicon is None or not text or not text.strip():
        return None
    hits = find_hits(lexicon, text)
    if not hits:
        return None
    signs = sorted({hit.term.sign for hit in hits}, key=lambda sign: lexicon.signs[sign].rank)
    first = lexicon.signs[signs[0]]
    return Finding(first.id, first.category, first.action, _language(text, hits), tuple(signs))


def find_hits(lexicon, text):
    """Return the terms found in `text` that nothing around them takes back."""
    message = match.read(lexicon, text)
    return [hit for hit in match.find(lexicon, message)
            if not negation.taken_back(message, hit.start, hit.end, hit.term.negative)
            and not match.excepted(lexicon, message, hit)]


def reply_text(content, finding, language):
    """Return the SMS to send her at once: the sign, where to go now, who will call."""
    if language not in content.languages:
        language = content.default_language
    # The lexicon may have been edited since the finding was made: never fail her for that.
    sign = content.danger_signs.signs.get(finding.sign) if content.danger_signs else None
    key = sign.name if sign and content.texts.has(sign.name, language) else UNKNOWN_SIGN
    name = content.texts.get(key, language)
    return content.texts.get(f"triage.reply_{finding.action}", language, sign=name)


def _language(text, hits):
    guessed = guess_language(text)
    if guessed:
        return guessed
    votes = Counter("en" if hit.term.language == "en" else "sw" for hit in hits)
    return votes.most_common(1)[0][0]


__all__ = ["Finding", "detect", "guess_language", "reply_text"]
