"""The danger-sign lexicon (flows/danger_sign_words.yaml): read, compile and check it.

Each finding names the file, the line and the fix, like every other content
check. A lexicon with problems is never used: the bot refuses to start on it,
and keeps the previous one when an edit breaks it.
"""

from ..errors import Problem
from ..triage.lexicon import LANGUAGES, Lexicon, Sign, compile_term
from . import gsm, sms_rules, yamlfile

FILE = "danger_sign_words.yaml"
SCHEMA = "danger_sign_words.schema.json"
REPLY_KEYS = ("triage.reply_hospital", "triage.reply_crisis", "triage.reply_gbv",
              "triage.unknown_sign")
REPLY_SEGMENTS = 2  # the reply may take two SMS parts (306 characters); one is better


def build_lexicon(data, lines, problems):
    """Return the compiled Lexicon from schema-valid data, adding problems found."""
    signs, terms, seen = {}, [], {}
    for rank, sign_data in enumerate(data["signs"]):
        line = yamlfile.line_of(lines, "signs", rank)
        exceptions = tuple(filter(None, (compile_term(sign_data["id"], "any", text)
                                         for text in sign_data.get("except", []))))
        sign = Sign(sign_data["id"], sign_data["category"], sign_data["action"], sign_data["name"],
                    rank, line, exceptions)
        if sign.id in signs:
            problems.append(Problem(FILE, f"The sign id '{sign.id}' is used twice.", line=line,
                                    state=sign.id, fix="Give every sign its own id."))
            continue
        signs[sign.id] = sign
        for language in LANGUAGES:
            for n, text in enumerate(sign_data["terms"].get(language, [])):
                where = yamlfile.line_of(lines, "signs", rank, "terms", language, n)
                term = compile_term(sign.id, language, text, where)
                if term is None:
                    problems.append(Problem(FILE, f"The {language} term {text!r} has no letters.",
                                            state=sign.id, line=where,
                                            fix="Write the words a mother would use, or remove it."))
                    continue
                problems += _duplicate(term, seen)
                terms.append(term)
    return Lexicon(signs, terms, FILE)


def _duplicate(term, seen):
    """Report a term that reads the same as an earlier one once normalised."""
    earlier = seen.setdefault(term.words, term)
    if earlier is term:
        return []
    where = f"sign '{earlier.sign}'" if earlier.sign != term.sign else "this sign"
    return [Problem(FILE, f"The term {term.text!r} finds the same messages as {earlier.text!r} "
                    f"(line {earlier.line}, {where}): capitals, marks, repeated letters, verb forms "
                    "and words for 'not' are set aside when matching.", state=term.sign,
                    line=term.line, fix="Keep one of them; a term belongs to one sign only.")]


def used_texts(lexicon, texts):
    """Return {text key: (file, sign id, line)} for the texts the lexicon and replies use."""
    if lexicon is None:  # missing or broken, and reported: its texts are not "unused"
        return {key: ("locales", None, None) for strings in texts.strings.values()
                for key in strings if key.startswith("triage.")}
    used = {key: ("locales", None, None) for key in REPLY_KEYS}
    for sign in lexicon.signs.values():
        used.setdefault(sign.name, (FILE, sign.id, sign.line))
    return used


def check_replies(content):
    """Check the urgent replies as sent: naming the sign, in GSM-7, two SMS at most, no HIV words."""
    lexicon, problems = content.danger_signs, []
    if lexicon is None:
        return problems
    for locale in content.languages:
        strings = content.texts.strings.get(locale, {})
        names = {s.name: strings[s.name] for s in lexicon.signs.values() if s.name in strings}
        for key, name in sorted(names.items()):
            problems += _plain_sms(_file(key, locale), key, locale, name, "sign name")
        longest = max(names.values(), key=len, default="")
        for key in (k for k in REPLY_KEYS[:3] if k in strings):  # a missing one is reported already
            file, text = _file(key, locale), strings[key]
            if "%{sign}" not in text:
                problems.append(Problem(file, f"The {locale} reply does not name the sign.", key=key,
                                        fix="Put %{sign} where the sign's name should go."))
            filled = content.texts.with_fixed(text.replace("%{sign}", "x" * len(longest)), locale)
            problems += _plain_sms(file, key, locale, filled,
                                   f"reply with the longest sign name ({longest!r})")
            problems += sms_rules.programme_named(file, key, locale, text, None)
    return problems


def _plain_sms(file, key, locale, text, what):
    problems = sms_rules.privacy(file, key, locale, text, None)
    if gsm.encoding(text) != "GSM-7" or gsm.segments(text) > REPLY_SEGMENTS:
        odd = gsm.outside_gsm(text)
        problems.append(Problem(file, f"The {locale} {what} is {gsm.length(text)} characters"
                                + (f" and uses {odd!r}" if odd else "") + "; the reply must fit "
                                f"{REPLY_SEGMENTS} plain SMS parts (306 characters).", key=key,
                                fix="Shorten it; use straight quotes ' \" and '-'."))
    return problems


def _file(key, locale):
    return f"locales/{key.split('.')[0]}.{locale}.yml"
