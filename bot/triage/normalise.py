"""Turn a message into comparable words, as mothers write them.

Texts arrive in capitals, without accents or with odd ones, with letters
repeated for emphasis ("homaaa") and with words run together or split. Each
word gets a set of keys: its plain form and its likely stems, so "feeds",
"feeding" and "feed" meet, and so do "kunyonya", "ananyonya" and "nyonya".
A Kiswahili verb with a negative prefix ("hanyonyi", "hatoki") keeps a "-"
mark in its keys, so "does not suckle" never meets "suckles".
"""

import functools
import re
import unicodedata

CLAUSE_BREAK = "|"  # stands between clauses: sentence marks, and "but" / "lakini"
_BREAK_WORDS = {"but", "lakini", "ila", "however"}
_SENTENCE_MARKS = re.compile(r"[.!?;,:\n]+")
_NOT_LETTERS = re.compile(r"[^a-z0-9|]+")
_REPEATS = re.compile(r"(.)\1+")

# Kiswahili subject/tense prefixes (Sheng keeps them). Negative ones mark the key "-".
_NEGATIVE_PREFIXES = ("hatu", "hawa", "haku", "haja", "hata", "kuto", "hai", "ha", "si")
_PREFIXES = ("nina", "nime", "nili", "nita", "kina", "kime", "ana", "ame", "ali", "ata", "ako",
             "ina", "ime", "ili", "ita", "una", "ume", "uli", "uta", "ku", "ni", "na", "a", "u")
# Prefixes mothers sometimes write apart from the verb: "haku nyonya", "ame zimia".
LOOSE_PREFIXES = frozenset(p for p in _NEGATIVE_PREFIXES + _PREFIXES if len(p) >= 3) | {"ha", "si"}
_MIN_ROOT = 4  # shorter remainders are whole words ("hana", "kula"), not prefix + root

# Words that deny the verb after them. All become one key, so the term "not feeding" also meets
# "cant feed", "wont feed", "refuses to feed" and "hataki kunyonya".
NOT_WORDS = frozenset({
    "not", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "cant", "cannot", "couldnt",
    "wont", "wouldnt", "hasnt", "havent", "hadnt", "aint", "refuses", "refused", "refusing",
    "refuse", "unable", "nt", "hataki", "hawezi", "anakataa", "amekataa", "amekata", "alikataa",
    "kukataa", "anakata", "siwezi", "sitaki", "hakutaka", "hajaweza", "hatak", "hawez"})
# Words that deny a thing ("no fever", "hakuna homa", "hana homa") but are not a verb's "not":
# "no problems, breastfeeding well" must not read as "not breastfeeding".
NEGATORS = NOT_WORDS | {"no", "hakuna", "hana", "sina", "bila", "haina", "hapana", "wala",
                        "without", "none", "nothing"}
NOT = "~not"


def plain(text):
    """Return the text in lower case, without accents or marks, a run of 3+ letters as one."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "")  # "doesn't" -> "doesnt"
    text = _SENTENCE_MARKS.sub(f" {CLAUSE_BREAK} ", text)
    text = _NOT_LETTERS.sub(" ", text)
    return re.sub(r"(.)\1{2,}", r"\1", text)


def words(text):
    """Return the message's words, with CLAUSE_BREAK between clauses."""
    found = []
    for word in plain(text).split():
        if word in _BREAK_WORDS:
            word = CLAUSE_BREAK
        if word == CLAUSE_BREAK and (not found or found[-1] == CLAUSE_BREAK):
            continue
        found.append(word)
    return found


def squeeze(word):
    """Fold every run of a letter to one ("feeding" -> "feding", "homaa" -> "homa")."""
    return _REPEATS.sub(r"\1", word)


@functools.lru_cache(maxsize=100_000)  # the same few thousand words come back all day
def keys(word):
    """Return the set of keys a word can be matched by."""
    if word in NOT_WORDS:
        return frozenset({NOT})
    found = set()
    for form, shortest in ((word, 3), (squeeze(word), _MIN_ROOT)):  # "kunyonyaa" too
        found.update((form, *_english_stems(form, shortest), *_kiswahili_stems(form)))
    return frozenset(found)


def _english_stems(word, shortest):
    yield "en:" + word  # so "suck" meets the stem of "sucking"
    for ending in ("ing", "ed", "en", "es", "s", "e"):
        root = word[: -len(ending)]
        # "ending" -> "end", but "fits" stays "fits" (a healthy baby is "fit") and the
        # squeezed "fiting" stays too
        if word.endswith(ending) and len(root) >= max(shortest, 3 if len(ending) > 1 else 4):
            yield "en:" + root  # apart from Kiswahili stems: "choking" is not "nimechoka"


def _kiswahili_stems(word):
    yield _drop_final_vowel(word)
    for prefix in _NEGATIVE_PREFIXES + _PREFIXES:
        root = word[len(prefix):]
        if word.startswith(prefix) and len(root) >= _MIN_ROOT:
            mark = "-" if prefix in _NEGATIVE_PREFIXES else ""
            yield mark + _drop_final_vowel(root)


def _drop_final_vowel(word):
    return word[:-1] if word[-1:] in ("a", "i") and len(word) >= _MIN_ROOT else word
