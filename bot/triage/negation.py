"""Words around a danger sign that take the danger away.

"no fever", "hana homa", "not bleeding": a word that denies comes just before.
"the fever is gone", "homa imeisha": a word that ends it comes just after.
"what are the danger signs?", "dalili za kifafa": she asks about signs in
general. "had fits last year, now he is fine": it is over. Each rule looks
only inside the clause of the sign (clauses end at . , ! ? and "but"), so
"No, she is not feeding" is still an alarm.
"""

from .normalise import CLAUSE_BREAK, NEGATORS, NOT, keys

LOOK_BACK = 3  # words before a sign in which a denial counts ("I dont have a fever")
LOOK_AHEAD = 3  # words after a sign in which an ending counts ("fever is now gone")

# Kiswahili negative verbs that deny what follows: "hajapata homa", "hakuwa na homa".
_DENYING_STARTS = ("haja", "sija", "haku", "hatuja", "hatuku")
# A denial does not reach over these: "no fever and bleeding a lot".
_REACH_STOPS = {"and", "na", "then", "halafu", "pia", "also"}

_ENDED = {"gone", "over", "stopped", "finished", "better", "cured", "healed", "ended", "down",
          "imeisha", "imekwisha", "imeshuka", "imekoma", "imeacha", "imepona", "iliisha",
          "ilikwisha", "imetoweka", "imeenda", "imepotea", "ilikoma", "iliacha", "imepoa"}

# Phrases (words in order, side by side) that make a whole clause a general question.
_GENERAL = ("danger signs", "signs of", "sign of", "dalili za", "dalili gani", "dalili hatari",
            "how do i know", "how will i know", "how to know", "how can i know", "nitajuaje",
            "nitajua aje", "prevent", "kuzuia", "what causes", "husababishwa", "inasababishwa",
            "what if", "in case", "incase", "ikitokea", "ikiwa itatokea", "what happens if")
# Phrases that say it is over now, anywhere after the sign.
_OVER = ("now fine", "fine now", "now ok", "ok now", "okay now", "now okay", "better now",
         "now better", "is well now", "now well", "amepona", "ameshapona", "alipona", "nimepona",
         "nilipona", "recovered", "yuko sawa", "yuko poa", "niko sawa", "niko poa", "yuko fiti",
         "sasa ni mzima", "sasa yuko", "now healthy", "is healthy now", "all is well")


def _phrases(texts):
    return [tuple(keys(w) for w in text.split()) for text in texts]


GENERAL = _phrases(_GENERAL)
OVER = _phrases(_OVER)


def denies(word):
    """Return True when the word denies what follows."""
    return word in NEGATORS or (word.startswith(_DENYING_STARTS) and len(word) >= 6)


def is_denied(words, start):
    """Return True when a denying word stands shortly before position `start`."""
    for word in reversed(words[max(0, start - LOOK_BACK):start]):
        if word == CLAUSE_BREAK or word in _REACH_STOPS:
            return False
        if denies(word):
            return True
    return False


def is_ended(words, end):
    """Return True when a word after the sign says it ended ("fever is gone")."""
    for word in words[end:end + LOOK_AHEAD]:
        if word == CLAUSE_BREAK or denies(word):
            return False
        if word in _ENDED:
            return True
    return False


def is_general(words, start):
    """Return True when the sign's clause asks about signs in general."""
    first, last = _clause(words, start)
    return any(_has_phrase(words, first, last, phrase) for phrase in GENERAL)


def is_over(words, start):
    """Return True when the message says, after the sign, that all is well now."""
    return any(_has_phrase(words, start, len(words), phrase) for phrase in OVER)


def _clause(words, at):
    first = at
    while first > 0 and words[first - 1] != CLAUSE_BREAK:
        first -= 1
    last = at
    while last < len(words) and words[last] != CLAUSE_BREAK:
        last += 1
    return first, last


def _has_phrase(words, first, last, phrase):
    for i in range(first, last - len(phrase) + 1):
        if all(words[i + n] != CLAUSE_BREAK and (keys(words[i + n]) & phrase[n])
               for n in range(len(phrase))):
            return True
    return False


__all__ = ["NOT", "denies", "is_denied", "is_ended", "is_general", "is_over"]
