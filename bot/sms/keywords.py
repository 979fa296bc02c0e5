"""Keywords clients text in, in English and Kiswahili, as people really type them.

Matching ignores case, spaces and punctuation, and knows common misspellings.
A keyword counts when it is the whole message, or its first word followed only by
words such as "please" ("Stop please"), so a question that happens to start with
"help" or "stop" still reaches a Mentor Mother. A plainly worded opt-out ("stop
sending me these", "sitaki hizi jumbe tena") counts as STOP too: her "no" must not
wait in a queue for a Mentor Mother to read it.
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
    # Her YES to a registration a Mentor Mother made (bot/enrolment/confirmation.py); from anyone
    # else a "yes" answers a person, and bot/sms/incoming.py passes it on as a message.
    "confirm": {"yes", "yess", "yea", "ndiyo", "ndio", "ndyo", "ndiiyo", "ndiyoo"},
}
# The keyword words that are Kiswahili: a first message "MSAADA" is answered in Kiswahili.
KISWAHILI_WORDS = {"acha", "achana", "sitaki", "simamisha", "ondoa", "ondoka", "anza", "anzisha",
                   "jiunge", "rejea", "msaada", "saidia", "usaidizi", "menyu", "orodha",
                   "kiingereza", "kingereza", "kiswahili", "kiswahil", "kiswahli", "kisw",
                   "lughakiswahili", "ndiyo", "ndio", "ndyo", "ndiiyo", "ndiyoo"}
_BY_WORD = {word: name for name, words in KEYWORDS.items() for word in words}
_SHORT = 3  # words: longer messages are questions, not commands
# Words that may follow a keyword ("Stop please", "MENU tafadhali", "Anza tena"). Anything else
# makes it a sentence: "stop the medicine?" and "sitaki kunyonyesha" are questions for a
# Mentor Mother, never an opt-out.
_FILLER = {"please", "pls", "plz", "now", "all", "it", "them", "me", "sms", "smss", "msg", "msgs",
           "messages", "message", "texts", "thanks", "thank", "you", "asante", "tafadhali", "tena",
           "zote", "jumbe", "ujumbe", "sasa", "again", "hizi", "hizo", "na", "kwa", "yes", "ok"}

# Opt-out sentences, matched on the message's words joined by single spaces. Each needs the
# messages themselves as object ("stop sending", "these sms", "jumbe"), so "how do I stop the
# bleeding" or "sitaki kunyonyesha" stay questions. Checked on short messages only.
_THEM = r"(?:these|this|the|your|any|all|those|such)?\s?(?:sms|smss|messages?|msgs?|texts?|sms's)"
_OPT_OUT = [re.compile(pattern) for pattern in (
    r"\bstop (?:sending|texting|messaging)\b",
    r"\b(?:don'?t|dont|do not|never) (?:send|text|message) (?:me|us)\b",
    rf"\bno more {_THEM}",
    rf"\b(?:i )?(?:don'?t|dont|do not) want (?:to (?:get|receive) )?{_THEM}",
    rf"\bstop (?:all |the |these |your |this )?{_THEM}",
    r"\b(?:remove|delete|unsubscribe) me\b",
    r"\btake me off\b",
    r"\bsitaki (?:hizi |hizo |hii |tena |kupata |kupokea )*(?:jumbe|ujumbe|sms|meseji|msg)",
    r"\bacha (?:kunitumia|kutuma|kunitext)",
    r"\b(?:usi|msi)nitumie\b",
    r"\b(?:niondoe|nitoe)\b",
    r"\b(?:simamisha|sitisha|acheni|acha) (?:hizi |hizo |zote )*(?:jumbe|ujumbe|sms|meseji)",
    r"\b(?:jumbe|ujumbe|sms|meseji) (?:zenu |zako |hizi )*(?:zitoshe|basi|tosha|imetosha)",
)]
_PHRASE_WORDS = 12  # a longer message is a question that mentions SMS, not an opt-out


def keyword(text):
    """Return the keyword a message means (stop, start, help, menu, english, kiswahili, confirm)
    or None."""
    word = _keyword_word(text)
    if word is not None:
        return _BY_WORD[word]
    return "stop" if opts_out(text) else None


def keyword_language(text):
    """"sw" when the keyword she typed is a Kiswahili word, "en" for an English one, else None."""
    word = _keyword_word(text)
    if word is None:
        return None
    return "sw" if word in KISWAHILI_WORDS else "en"


def opts_out(text):
    """True when a short message plainly asks for no more SMS, in English or Kiswahili."""
    words = re.findall(r"[a-z']+", (text or "").lower())
    if not words or len(words) > _PHRASE_WORDS:
        return False
    joined = " ".join(words)
    return any(pattern.search(joined) for pattern in _OPT_OUT)


def _keyword_word(text):
    """The keyword word the message is (or starts with, when short), or None."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    if not words:
        return None
    whole = "".join(words)
    if whole in _BY_WORD:
        return whole
    if len(words) <= _SHORT and words[0] in _BY_WORD and set(words[1:]) <= _FILLER:
        return words[0]
    return None
