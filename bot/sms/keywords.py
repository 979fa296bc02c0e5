"""Keywords clients text in, in English and Kiswahili, as people really type them.

Matching ignores case, spaces and punctuation, and knows common misspellings.
A keyword counts when it is the whole message or its first word in a short
message ("Stop please"), so a long question that happens to start with
"help" still reaches a Mentor Mother.
"""

import re

KEYWORDS = {
    "stop": {"stop", "stopp", "stp", "sotp", "stpo", "stopall", "unsubscribe", "unsub", "cancel",
             "quit", "end", "acha", "achana", "sitaki", "simamisha", "ondoa", "ondoka"},
    "start": {"start", "strat", "statr", "stat", "startt", "anza", "anzisha", "jiunge", "subscribe",
              "unstop", "rejea"},
    "help": {"help", "hlp", "halp", "hepl", "helpme", "msaada", "saidia", "usaidizi", "info"},
    "menu": {"menu", "menyu", "meny", "manu", "menue", "orodha"},
    "english": {"english", "eng", "englsh", "kiingereza", "kingereza", "lughaenglish"},
    "kiswahili": {"kiswahili", "swahili", "swa", "kisw", "kiswahil", "kiswahli", "lughakiswahili"},
}
_BY_WORD = {word: name for name, words in KEYWORDS.items() for word in words}
_SHORT = 3  # words: longer messages are questions, not commands


def keyword(text):
    """Return the keyword a message means (stop, start, help, menu, english, kiswahili) or None."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    if not words:
        return None
    whole = "".join(words)
    if whole in _BY_WORD:
        return _BY_WORD[whole]
    if len(words) <= _SHORT:
        return _BY_WORD.get(words[0])
    return None
