"""The words of every screen and SMS, per language, served through python-i18n.

Files follow python-i18n's own naming, `locales/<namespace>.<locale>.yml`, so the
key `nutrition.title` lives in `nutrition.en.yml` and `nutrition.sw.yml` side by
side. We read the files ourselves with the strict YAML reader (python-i18n's own
reader would turn a text of `No` into False) and hand every string to
python-i18n. Each catalogue gets its own prefix in python-i18n's process-wide
store, so two catalogues (a test fixture and the real content) never mix, and a
missing key raises instead of falling back to English: a mother must never read
a key or a text in a language she did not choose.
"""

import itertools
import re
from pathlib import Path

import i18n

from ..errors import Problem
from . import yamlfile

GLOSSARY = "glossary.yml"
PLACEHOLDER = re.compile(r"%\{(\w+)\}|%(\w+)")
# The name SMS give the programme, filled into %{programme} wherever a text has it. Neutral on
# purpose: "Mother and child" is what every MCH clinic offers, so an SMS read by someone else
# on a shared phone says nothing of HIV, whereas the peer workers' title (Mentor Mothers are
# mothers living with HIV) would. Programmes set their own with PROGRAMME_NAME_IN_SMS.
DEFAULT_PROGRAMME_NAME = "Mama na Mtoto"
# %{ussd_code} is USSD_CODE, the code she dials (*384*123#). Until a programme sets it, each
# language's own words for "our USSD code" stand in, so an SMS never says "dial  and choose".
UNSET_WORDS = {"ussd_code": "sms_menu.ussd_code_unset"}
_NO_FALLBACK = "-"  # a locale with no texts: python-i18n falls back to it and finds nothing
_catalogue_ids = itertools.count(1)

i18n.set("error_on_missing_translation", True)
i18n.set("fallback", _NO_FALLBACK)
i18n.set("load_path", [])


class Texts:
    """Every text key in every language, with the file and line each came from."""

    def __init__(self, programme_name=DEFAULT_PROGRAMME_NAME, ussd_code=""):
        self._prefix = f"c{next(_catalogue_ids)}"
        # blanks every text fills the same way, from the settings
        self.fixed = {"programme": programme_name, "ussd_code": ussd_code}
        self.strings = {}  # locale -> {key: text}
        self.origin = {}  # (locale, key) -> (file, line)
        self._blanks = {}  # (locale, key) -> the %{blanks} in that text
        self._plain = {}  # (locale, key) -> python-i18n's answer for a text with no blanks

    @classmethod
    def load(cls, directory, programme_name=DEFAULT_PROGRAMME_NAME, ussd_code=""):
        """Read every `<namespace>.<locale>.yml` under `directory`."""
        texts, problems = cls(programme_name, ussd_code), []
        for path in sorted(Path(directory).glob("*.yml")):
            if path.name == GLOSSARY:  # the glossary of terms (glossary.py), not texts
                continue
            parts = path.name.split(".")
            if len(parts) != 3:
                problems.append(Problem(
                    _shown(path), "The file name must be <topic>.<language>.yml.",
                    fix="Rename it, e.g. nutrition.sw.yml."))
                continue
            namespace, locale = parts[0], parts[1]
            try:
                data, lines, duplicates = yamlfile.load(path.read_text(encoding="utf-8"))
            except (yamlfile.YamlError, UnicodeDecodeError) as err:
                problems.append(Problem(_shown(path), f"This file is not valid YAML: {err}",
                                        line=getattr(err, "line", None),
                                        fix="Check the indentation, and put every text in quotes."))
                continue
            for key_path, line in duplicates:
                problems.append(Problem(
                    _shown(path), f"The key '{'.'.join(map(str, key_path))}' is written twice.",
                    line=line, fix="Keep one of them."))
            texts._add_tree(data or {}, namespace, locale, path, lines, (), problems)
        return texts, problems

    def _add_tree(self, data, namespace, locale, path, lines, key_path, problems):
        if not isinstance(data, dict):
            problems.append(Problem(
                _shown(path), "Texts must be written as 'key: text' lines.",
                line=yamlfile.line_of(lines, *key_path), fix="Compare with another file here."))
            return
        for name, value in data.items():
            here = key_path + (name,)
            if isinstance(value, dict):
                self._add_tree(value, namespace, locale, path, lines, here, problems)
                continue
            key = ".".join([namespace, *map(str, here)])
            if not isinstance(value, str):
                problems.append(Problem(
                    _shown(path), f"The text for '{key}' must be words.",
                    line=yamlfile.line_of(lines, *here), fix="Put the text in double quotes."))
                continue
            self.add(locale, key, value, (path, yamlfile.line_of(lines, *here)))

    def add(self, locale, key, text, origin=None):
        """Add one text (used by the loader and by tests)."""
        self.strings.setdefault(locale, {})[key] = text
        self.origin[(locale, key)] = origin
        self._blanks.pop((locale, key), None)
        self._plain.pop((locale, key), None)
        i18n.add_translation(f"{self._prefix}.{key}", text, locale=locale)

    @property
    def locales(self):
        return sorted(self.strings)

    def has(self, key, locale):
        return key in self.strings.get(locale, {})

    def get(self, key, locale, **params):
        """Return the text for `key` in `locale`, placeholders filled; KeyError if missing."""
        fixed = self.placeholders(key, locale) & self.fixed.keys()
        if fixed:
            params = {**{name: self.fixed_words(name, locale) for name in fixed}, **params}
        if params:
            return i18n.t(f"{self._prefix}.{key}", locale=locale, **params)
        # A screen asks for the same few texts on every dial: python-i18n's lookup and
        # formatting took a third of the engine's time, and its answer never changes.
        found = self._plain.get((locale, key))
        if found is None:
            found = self._plain[(locale, key)] = i18n.t(f"{self._prefix}.{key}", locale=locale)
        return found

    def with_fixed(self, text, locale):
        """`text` with the blanks every text fills the same way (the programme name) filled."""
        for name in self.fixed:
            text = text.replace(f"%{{{name}}}", self.fixed_words(name, locale))
        return text

    def fixed_words(self, name, locale):
        """What a fixed blank says in `locale`: its setting, or the language's words while unset."""
        value = self.fixed[name]
        if not value and name in UNSET_WORDS:
            # Plain text, never formatted: a blank inside it would stay a blank.
            value = self.strings.get(locale, {}).get(UNSET_WORDS[name], "")
        return value

    def placeholders(self, key, locale):
        """The %{blanks} a text has (worked out once per text: screens ask on every render)."""
        found = self._blanks.get((locale, key))
        if found is None:
            text = self.strings.get(locale, {}).get(key, "")
            found = self._blanks[(locale, key)] = frozenset(a or b for a, b in PLACEHOLDER.findall(text))
        return found


def _shown(path):
    return f"locales/{Path(path).name}"
