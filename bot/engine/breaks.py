"""Where a text may run on to the next screen.

Best at the end of a sentence, else at the end of a clause (a comma, a colon),
else between two words that do not belong together. Never inside an example
("e.g. 02-11-2026"), between a number and its unit ("6 months"), or inside a
short phrase ("duka la dawa"): a caller reading one screen at a time loses the
sense of what was cut.
"""

import re

SENTENCE, CLAUSE, WORD, BAD = 3, 2, 1, 0
NAMES = {SENTENCE: "a sentence end", CLAUSE: "a clause end", WORD: "the middle of a sentence",
         BAD: "the middle of a phrase"}
# Words ending in a full stop that end no sentence.
ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "mf.", "k.m.", "dr.", "no."}
# Words that lead into the words after them: an example, a comparison.
LEADS = ABBREVIATIONS | {"mfano", "such", "like", "kama", "than", "kuliko"}
# What may close a sentence after its full stop: a bracket, a quote.
_CLOSERS = "\"')"
_WORD = re.compile(r"\S+")
_NUMBER = re.compile(r"[\d.,/-]*\d")
_SHORT = re.compile(r"[a-z]{1,3}")  # "la", "ya", "of", "the", "kwa": they bind to a neighbour


def kind_of_break(before, after):
    """How well a screen may end after the word `before` when `after` comes next."""
    bare = before.rstrip(_CLOSERS)
    if before.lower() in LEADS or _NUMBER.fullmatch(before) or _SHORT.fullmatch(before):
        return BAD
    if bare.endswith((".", "?", "!")):
        return SENTENCE
    if bare.endswith((",", ";", ":")) or after in ("-", "--"):
        return CLAUSE
    if _SHORT.fullmatch(after) and len(after) <= 2:
        return BAD
    return WORD


def split(text, room):
    """Split `text` between words so the head is at most `room` long; return (head, tail)."""
    room = max(room, 1)
    latest = {}
    words = list(_WORD.finditer(text))
    for here, after in zip(words, words[1:], strict=False):
        if here.end() > room:
            break
        latest[kind_of_break(here.group(), after.group())] = here.end()
    end = _choose(latest, room)
    if end is None:  # one word longer than the screen: cut it
        return text[:room], text[room:].lstrip()
    return text[:end], text[end:].lstrip()


def _choose(latest, room):
    """The best place among the latest break of each kind: a good break that leaves too
    little on this screen would cost the caller another screen."""
    if latest.get(SENTENCE, 0) >= room * 0.5:
        return latest[SENTENCE]
    if latest.get(CLAUSE, 0) >= room * 0.6:
        return latest[CLAUSE]
    for kind in (WORD, CLAUSE, SENTENCE, BAD):
        if kind in latest:
            return latest[kind]
    return None


def last_sentence(text):
    """Return (what comes before, the last sentence) of `text`; the first is '' for one sentence."""
    words = list(_WORD.finditer(text))
    for here, after in reversed(list(zip(words, words[1:], strict=False))):
        if kind_of_break(here.group(), after.group()) == SENTENCE:
            return text[:here.end()], text[after.start():]
    return "", text
