"""Find the lexicon's terms in a message.

A term's words must come in order, each within GAP words of the one before,
in one clause ("not breastfeeding" also finds "not even breastfeeding"). Words
run together ("hatakinyonya", "notfeeding") are split, words split in two
("breast feeding") are joined, and a word one typing slip away from a lexicon
word ("convulsons") counts as that word.
"""

from dataclasses import dataclass

from .normalise import CLAUSE_BREAK, LOOSE_PREFIXES, NEGATORS, NOT, keys, squeeze, words

GAP = 2  # other words allowed between two words of a term
_WINDOW_STOPS = {"and", "or", "au"}  # "does not vomit and feeds well" is not "not feeding"
# Small words that do not count in the gap: "macho ya mtoto ni ya njano" is "macho ... njano".
FILLERS = frozenset("""
a an the is are was were be been am my his her its your our this that of to so very too really
ya wa za la cha vya kwa ni ndio sana kabisa yake wake yangu wangu huyu hii
""".split())
_MIN_PART = 2
MAX_WORDS = 300  # an SMS of 6 parts holds about 150; more is not a mother's message


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
    for word in words(text)[:MAX_WORDS]:
        found.extend(_split(lexicon, word))
    word_keys = [frozenset() if w == CLAUSE_BREAK else keys(w) | lexicon.near(w) for w in found]
    joined = []  # "breast feeding" is the lexicon's "breastfeeding"; "haku nyonya" is "hakunyonya"
    for here, after in zip(found, [*found[1:], CLAUSE_BREAK][:len(found)], strict=True):
        known = CLAUSE_BREAK not in (here, after) and (
            squeeze(here + after) in lexicon.vocabulary or here in LOOSE_PREFIXES)
        joined.append(keys(here + after) if known else frozenset())
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


def _next(wanted, message, pos, gap=GAP):
    """Return the position after `wanted` found within `gap` words of `pos`, or None."""
    skipped, candidate = 0, pos
    while candidate < len(message.words) and skipped <= gap:
        word = message.words[candidate]
        if word == CLAUSE_BREAK:
            return None
        after = _step(wanted, message, candidate)
        if after is not None:
            return after
        if word in _WINDOW_STOPS:
            return None
        skipped += word not in FILLERS
        candidate += 1
    return None


def find_phrase(message, phrase, first=0, last=None, gap=GAP):
    """Return (start, end) of the first match of `phrase` (keys per word) in words[first:last]."""
    last = len(message.words) if last is None else last
    for start in range(first, last):
        pos = _step(phrase[0], message, start)
        for wanted in phrase[1:]:
            if pos is None:
                break
            pos = _next(wanted, message, pos, gap)
        if pos is not None and pos <= last:
            return start, pos
    return None


def _step(wanted, message, at):
    """Return the position after `wanted` matched at `at` (one word or two joined), or None."""
    if message.keys[at] & wanted:
        return at + 1
    if message.joined[at] & wanted:
        return at + 2
    return None


def _split(lexicon, word):
    """Split a word the lexicon does not know in two ("notfeeding", "mtotohanyonyi")."""
    if (word == CLAUSE_BREAK or len(word) < 6 or word in NEGATORS or word in FILLERS
            or (keys(word) | lexicon.near(word)) & lexicon.all_keys):
        return [word]
    cuts = [(word[:cut], word[cut:]) for cut in range(_MIN_PART, len(word) - _MIN_PART + 1)]
    for left, right in cuts:  # a denial first: "hatakinyonya" is hataki + (ku)nyonya
        if NOT in keys(left) and keys(right) & lexicon.all_keys:
            return [left, right]
    for left, right in cuts:  # then a whole lexicon word at the end: "mtotohanyonyi"
        if len(right) >= 4 and squeeze(right) in lexicon.vocabulary and (
                len(right) >= 5 or squeeze(left) in lexicon.vocabulary):
            return [left, right]
    return [word]
