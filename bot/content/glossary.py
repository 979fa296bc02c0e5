"""The programme's glossary (locales/glossary.yml): one word for one thing in Kiswahili.

A mother who reads "siku ya kliniki" on one screen and "ziara" on the next may
think they are two things, and an English word left in a Kiswahili SMS may be
the one word she cannot read. The checker warns on both, naming the file, key,
line and the word to use. These are warnings: the bot runs, a reviewer reads.
"""

import fnmatch
import re
from dataclasses import dataclass

from ..errors import Problem
from .texts import GLOSSARY as FILE
from .texts import PLACEHOLDER

SCHEMA = "glossary.schema.json"
CHECKED_LANGUAGE = "sw"


@dataclass(frozen=True)
class Term:
    """A programme term: its English, the preferred Kiswahili, the variants to avoid."""

    en: str
    sw: str
    note: str  # when or how to use it; may be empty
    avoid: tuple  # (phrase, compiled pattern)
    exceptions: tuple  # text keys (fnmatch patterns) where the variants are right
    line: int

    def found_in(self, key, text):
        """Return the first variant to avoid that `text` uses, unless `key` is an exception."""
        if any(fnmatch.fnmatchcase(key, pattern) for pattern in self.exceptions):
            return None
        return next((phrase for phrase, pattern in self.avoid if pattern.search(text)), None)


@dataclass(frozen=True)
class Glossary:
    """The programme's terms, and the English words a Kiswahili text should not hold."""

    terms: tuple
    english_words: tuple  # (word, compiled pattern)
    allowed: tuple  # phrases removed before looking for English words

    def english_in(self, text):
        """Return the English words left in `text`, once each, in the glossary's order."""
        for phrase in self.allowed:
            text = text.replace(phrase, " ")
        return [word for word, pattern in self.english_words if pattern.search(text)]

    def preferred_for(self, english_word):
        """Return the term whose English contains `english_word`, if any."""
        pattern = whole_words(english_word)
        return next((term for term in self.terms if pattern.search(term.en)), None)


def whole_words(phrase):
    """Compile `phrase` to match as whole words, any case, any spacing."""
    words = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


def build_glossary(data, lines):
    """Return the Glossary from the schema-valid data of locales/glossary.yml."""
    terms = tuple(
        Term(term["en"], term["sw"], term.get("note", ""),
             tuple((p, whole_words(p)) for p in term.get("avoid", [])),
             tuple(term.get("except", [])), lines.get(("terms", n)))
        for n, term in enumerate(data["terms"]))
    english = data["english_words"]
    return Glossary(terms, tuple((w, whole_words(w)) for w in english["words"]),
                    tuple(sorted(english.get("allowed", []), key=len, reverse=True)))


def check_texts(glossary, texts):
    """Return a warning for each avoided variant and English word in the Kiswahili texts."""
    if glossary is None:
        return []
    problems = []
    for key, text in sorted(texts.strings.get(CHECKED_LANGUAGE, {}).items()):
        file, line = texts.origin.get((CHECKED_LANGUAGE, key)) or (None, None)
        shown = f"locales/{getattr(file, 'name', file or CHECKED_LANGUAGE)}"
        words = PLACEHOLDER.sub(" ", text)
        for term in glossary.terms:
            variant = term.found_in(key, words)
            if variant:
                problems.append(Problem(
                    shown, f"'{variant}' is a word to avoid for \"{term.en}\".", key=key,
                    line=line, warning=True,
                    fix=f"Write \"{term.sw}\" instead{_noted(term)} (locales/{FILE}, line "
                        f"{term.line})."))
        for word in glossary.english_in(words):
            problems.append(Problem(shown, f"The English word '{word}' is left in this Kiswahili "
                                    "text.", key=key, line=line, warning=True,
                                    fix=_english_fix(glossary, word)))
    return problems


def _noted(term):
    return f", {term.note}" if term.note else ""


def _english_fix(glossary, word):
    term = glossary.preferred_for(word)
    said = f"Write it in Kiswahili, e.g. \"{term.sw}\" for \"{term.en}\"" if term else \
        "Write it in Kiswahili"
    return (f"{said}. If it must stay (a name, a keyword), add the phrase to "
            f"english_words.allowed in locales/{FILE}.")
