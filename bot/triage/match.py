"""Find the lexicon's terms in a message.

A term's words must come in order, each within GAP words of the one before,
in one clause ("not breastfeeding" also finds "not even breastfeeding"). Words
run together ("hatakinyonya", "notfeeding") are split, words split in two
("breast feeding") are joined, and a word one typing slip away from a lexicon
word ("convulsons") counts as that word.
"""

from dataclasses import dataclass

from .normalise import CLAUSE_BREAK, NOT, keys, words

GAP = 2  # other words allowed between two words of a term
_WINDOW_STOPS = {"and", "or", "au"}  # "does not vomit and feeds well" is not "not feeding"
_MIN_PART = 2


@dataclass(frozen=True)
class Hit:
    term: object  # lexicon.Term
    start: int
    end: int  # one past the last word


@dataclass
class Message:
    """A message's words with the keys each can be matched by."""

    words: list
    keys: list  # per word: its keys, and those of lexicon words one slip away
    joined: list  # per word: keys of it joined with the next word, when the lexicon knows them


def read(lexicon, text):
    """Return the Message for `text`, with run-together words split."""
    found = []
    for word in words(text):
        found.extend(_split(lexicon, word))
    word_keys = [frozenset() if w == CLAUSE_BREAK else keys(w) | lexicon.near(w) for w in found]
    joined = []
    for here, after in zip(found, found[1:] + [CLAUSE_BREAK], strict=True):
        both = keys(here + after) if CLAUSE_BREAK not in (here, after) else frozenset()
        joined.append(both & lexicon.all_keys)
    return Message(found, word_keys, joined)


def find(lexicon, message):
    """Yield every Hit of a lexicon term in the message."""
    for start, word_keys in enumerate(message.keys):
        candidates = {id(t): t for k in word_keys | message.joined[start]
                      for t in lexicon.by_first_key.get(k, ())}
        for term in candidates.values():
            end = _match_from(term, message, start)
            if end is not None:
                yield Hit(term, start, end)


def excepted(lexicon, message, hit):
    """Return True when the hit lies inside one of its sign's `except` phrases ("yellow fever")."""
    for phrase in lexicon.signs[hit.term.sign].exceptions:
        for start in range(max(0, hit.start - len(phrase.words) - GAP), hit.end):
            end = _match_from(phrase, message, start)
            if end is not None and start < hit.end and end > hit.start:
                return True
    return False


def _match_from(term, message, start):
    """Return the end of the term's match starting at `start`, or None."""
    pos = _step(term.words[0], message, start)
    if pos is None:
        return None
    for wanted in term.words[1:]:
        pos = _next(wanted, message, pos)
        if pos is None:
            return None
    return pos


def _next(wanted, message, pos):
    """Return the position after `wanted` found within GAP words of `pos`, or None."""
    for candidate in range(pos, min(pos + GAP + 1, len(message.words))):
        if message.words[candidate] == CLAUSE_BREAK:
            return None
        if candidate > pos and message.words[candidate - 1] in _WINDOW_STOPS:
            return None
        after = _step(wanted, message, candidate)
        if after is not None:
            return after
    return None


def _step(wanted, message, at):
    """Return the position after `wanted` matched at `at` (one word or two joined), or None."""
    if message.keys[at] & wanted:
        return at + 1
    if message.joined[at] & wanted:
        return at + 2
    return None


def _split(lexicon, word):
    """Split a word the lexicon does not know into two it knows ("notfeeding")."""
    if word == CLAUSE_BREAK or len(word) < 5 or (keys(word) | lexicon.near(word)) & lexicon.all_keys:
        return [word]
    for cut in range(_MIN_PART, len(word) - _MIN_PART + 1):
        left, right = word[:cut], word[cut:]
        if _known(lexicon, left) and _known(lexicon, right):
            return [left, right]
    return [word]


def _known(lexicon, part):
    found = keys(part)
    return NOT in found or bool(found & lexicon.all_keys)
