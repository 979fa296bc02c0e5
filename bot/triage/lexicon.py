"""The danger-sign lexicon, compiled for matching.

Staff keep it in flows/danger_sign_words.yaml (see docs/staff-guide.md). Signs are
listed most serious first: when a message shows several, the first one listed
decides the reply.
"""

from dataclasses import dataclass, field

from .normalise import CLAUSE_BREAK, NOT, keys, squeeze, words

LANGUAGES = ("en", "sw", "sheng")  # sheng: mixed Kiswahili/English/Sheng, as mothers write it
NEAR_MIN = 6  # shorter words have too many neighbours one slip away ("spits" / "spots")


@dataclass(frozen=True)
class Sign:
    id: str
    category: str
    action: str
    name: str  # text key of the sign's short name, e.g. triage.newborn_not_feeding
    rank: int  # 0 = listed first = most serious
    line: int | None = None
    exceptions: tuple = ()  # Terms in which the sign's terms mean something else


@dataclass(frozen=True)
class Term:
    sign: str
    language: str
    text: str
    words: tuple  # one frozenset of keys per word
    negative: bool  # the term itself says "not ..." ("hanyonyi", "not feeding")
    line: int | None = None


@dataclass
class Lexicon:
    signs: dict  # id -> Sign, most serious first
    terms: list
    file: str = "danger_sign_words.yaml"
    by_first_key: dict = field(default_factory=dict, repr=False)
    vocabulary: dict = field(default_factory=dict, repr=False)  # squeezed term word -> keys
    all_keys: frozenset = field(default=frozenset(), repr=False)
    _near: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        for term in self.terms:
            for key in term.words[0]:
                self.by_first_key.setdefault(key, []).append(term)
            for word in term_words(term.text):
                self.vocabulary.setdefault(squeeze(word), keys(word))
        self.all_keys = frozenset(k for term in self.terms for ks in term.words for k in ks)

    def near(self, word):
        """Return the keys of lexicon words one typing slip away from `word` (6 letters or more)."""
        found = self._near.get(word)
        if found is None:
            found = frozenset()
            squeezed = squeeze(word)
            if len(squeezed) >= NEAR_MIN and squeezed not in self.vocabulary:
                found = frozenset(k for known, ks in self.vocabulary.items()
                                  if abs(len(known) - len(squeezed)) <= 1 and len(known) >= NEAR_MIN
                                  and one_slip(known, squeezed) for k in ks)
            if len(self._near) < 50_000:  # messages are short; the cache only saves repeats
                self._near[word] = found
        return found


def term_words(text):
    """Return the words of a term (a term has no clause breaks)."""
    return [w for w in words(text) if w != CLAUSE_BREAK]


def compile_term(sign, language, text, line=None):
    """Return a Term, or None when the text has no words."""
    found = term_words(text)
    if not found:
        return None
    word_keys = tuple(keys(w) for w in found)
    negative = any(NOT in ks or any(k.startswith("-") for k in ks) for ks in word_keys)
    return Term(sign, language, text, word_keys, negative, line)


def one_slip(a, b):
    """Return True when a and b differ by one letter added, dropped, changed or two swapped."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = sorted((a, b), key=len)
    for i in range(len(long)):
        if long[:i] + long[i + 1:] == short:
            return True
    return False
