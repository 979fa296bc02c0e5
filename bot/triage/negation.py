"""Words around a danger sign that take the danger away.

"no fever", "hana homa", "not bleeding": a word that denies comes just before.
"the fever is gone", "homa imeisha": a word that ends it comes just after.
"what are the danger signs?", "dalili za kifafa", "what if my water breaks":
she asks in general. "had fits last year, now he is fine": it is over. Each
rule but the last looks only inside the clause of the sign (clauses end at
. , ! ? and "but"), so "No, she is not feeding" is still an alarm.
"""

from .match import find_phrase
from .normalise import CLAUSE_BREAK, NEGATORS, keys

LOOK_BACK = 3  # words before a sign in which a denial counts ("I dont have a fever")
LOOK_AHEAD = 3  # words after a sign in which an ending counts ("fever is now gone")

# Kiswahili negative verbs that deny what follows: "hajapata homa", "hakuwa na homa".
_DENYING_STARTS = ("haja", "sija", "haku", "hatuja", "hatuku")
# A denial does not reach over these: "no fever and bleeding a lot".
_REACH_STOPS = {"and", "na", "then", "halafu", "pia", "also"}

_ENDED = {"gone", "over", "stopped", "finished", "better", "cured", "healed", "ended", "down",
          "imeisha", "imekwisha", "imeshuka", "imekoma", "imeacha", "imepona", "iliisha",
          "ilikwisha", "imetoweka", "imeenda", "imepotea", "ilikoma", "iliacha", "imepoa"}

# Phrases that make the sign's clause a general question, not news.
_GENERAL = ("danger signs", "signs of", "sign of", "dalili za", "dalili gani", "dalili hatari",
            "how do i know", "how will i know", "how to know", "how can i know", "nitajuaje",
            "nitajua aje", "prevent", "kuzuia", "what causes", "cause of", "husababisha",
            "husababishwa", "inasababishwa", "nini sababu", "sababu gani", "chanzo cha", "what if", "in case",
            "incase", "ikitokea", "ikiwa itatokea", "what happens if", "if gets", "if get",
            "when gets", "akipata", "nikipata", "what is normal", "normal temperature",
            "how long does", "how long will", "is it safe", "ni salama")
# Phrases, anywhere after the sign, that say it is over now.
_OVER = ("now fine", "fine now", "now ok", "ok now", "okay now", "better now", "now better",
         "now well", "well now", "now healthy", "healthy now", "all is well", "recovered",
         "amepona", "ameshapona", "alipona", "nimepona", "nilipona", "yuko sawa", "yuko poa",
         "niko sawa", "niko poa", "yuko fiti", "sasa ni mzima", "it stopped", "has stopped",
         "have stopped", "stopped now", "imeisha", "imekwisha", "ilikwisha", "iliisha")
# Said of the sign's clause, these put it in the past or say it was treated ("2 months ago",
# "mwaka jana", "we went to hospital for the fever")...
_PAST = ("ago", "last week", "last month", "last year", "wiki iliyopita", "mwezi uliopita",
         "mwaka jana", "mwaka uliopita", "zamani", "at birth", "wakati wa kuzaliwa",
         "went to hospital", "went to the hospital", "took him to hospital", "took her to hospital",
         "tulienda hospitali", "nilienda hospitali", "alipelekwa hospitali", "got medicine",
         "given medicine", "was treated", "tukapewa dawa", "alipewa dawa", "alitibiwa")
# ... unless it goes on: "since last week", "still", "bado".
_ONGOING = ("since", "tangu", "still", "bado", "now", "sasa", "today", "leo", "again", "tena",
            "mpaka sasa", "until now")


def _phrases(texts):
    return [tuple(keys(w) for w in text.split()) for text in texts]


GENERAL, OVER, PAST, ONGOING = map(_phrases, (_GENERAL, _OVER, _PAST, _ONGOING))


def denies(word):
    """Return True when the word denies what follows."""
    return word in NEGATORS or (word.startswith(_DENYING_STARTS) and len(word) >= 6)


def taken_back(message, start, end, negative):
    """Return True when the words around a sign found at [start, end) take it back."""
    first, last = _clause(message.words, start)
    if any(find_phrase(message, p, first, last) for p in GENERAL):
        return True
    if _is_over(message, end) or _is_past(message, first, last):
        return True
    if negative:  # "not feeding" is itself the denial
        return False
    return _is_denied(message.words, start) or _is_ended(message.words, end)


def _is_denied(words, start):
    for word in reversed(words[max(0, start - LOOK_BACK):start]):
        if word == CLAUSE_BREAK or word in _REACH_STOPS:
            return False
        if denies(word):
            return True
    return False


def _is_ended(words, end):
    for word in words[end:end + LOOK_AHEAD]:
        if word == CLAUSE_BREAK or denies(word):
            return False
        if word in _ENDED:
            return True
    return False


def _is_over(message, end):
    for phrase in OVER:
        found = find_phrase(message, phrase, end)
        if found and not any(denies(w) for w in message.words[found[0] - 1:found[1]]):
            return True  # but "bleeding has not stopped"
    return False


def _is_past(message, first, last):
    if not any(find_phrase(message, p, first, last, gap=0) for p in PAST):
        return False
    return not any(find_phrase(message, p, first, gap=0) for p in ONGOING)


def _clause(words, at):
    first = at
    while first > 0 and words[first - 1] != CLAUSE_BREAK:
        first -= 1
    last = at
    while last < len(words) and words[last] != CLAUSE_BREAK:
        last += 1
    return first, last
