"""Checks on SMS texts: cost, privacy, and stage-based sets without gaps.

An SMS the bot sends on its own may be read by anyone holding a shared phone,
so it must never name HIV or its treatment (HIV and AIDS Prevention and
Control Act 2006: no disclosure without consent). Only a set marked
`opt_in: hiv`, which a mother chose after a plain warning, may.
"""

import re
from collections import Counter

from ..errors import Problem
from . import gsm

# Words that reveal HIV status or treatment, in English and Kiswahili.
PRIVATE_WORDS = re.compile(
    r"\b(hiv|aids|arvs?|art|antiretrovirals?|viral\s+load|pmtct|vvu|ukimwi|virusi\s+vya\s+ukimwi"
    r"|makali\s+ya\s+virusi|wingi\s+wa\s+virusi|cd4|prep|pep)\b", re.IGNORECASE)

# The peer workers' title and the USSD menu's brand: Mentor Mothers are mothers living with HIV,
# so an SMS naming them tells whoever reads it. SMS name the programme as %{programme}, filled
# from PROGRAMME_NAME_IN_SMS; only a set she chose after the HIV warning may name them.
PROGRAMME_WORDS = re.compile(r"\b(mentor\s+mothers?|mama\s+mentor|mama\s+(mshauri|washauri))\b",
                             re.IGNORECASE)

# What the programme promises: a message for every week of pregnancy (4-42), every week of the
# baby's first year from the week of the birth, then every month from the first birthday to the
# third (issues 14 and 15; domain guide, stage-based messaging).
REQUIRED = {("pregnancy", "week"): (4, 42), ("baby", "week"): (0, 52), ("baby", "month"): (12, 36)}


def sms_texts(content):
    """Return {text key: (file, message id or None, private allowed)} for every SMS text."""
    found = {}
    for message_set in content.message_sets.values():
        for message in message_set.messages:
            found[message.text] = (message_set.file, message.id, message_set.opt_in == "hiv")
    for locale in content.languages:
        for key in content.texts.strings.get(locale, {}):
            if key.startswith("sms_") and key not in found:
                found[key] = (f"locales/{key.split('.')[0]}.{locale}.yml", None, False)
    return found


def check_sms(content):
    problems = []
    for message_set in content.message_sets.values():
        problems += _coverage(message_set)
    problems += _stage_coverage(content)
    problems += _unique_ids(content)
    for key, (file, message_id, private_ok) in sorted(sms_texts(content).items()):
        for locale in content.languages:
            text = content.texts.strings.get(locale, {}).get(key)
            if text is None:
                continue  # reported with the other missing texts
            problems += _cost(file, key, locale, content.texts.with_fixed(text, locale), message_id)
            if not private_ok:
                problems += privacy(file, key, locale, text, message_id)
                problems += programme_named(file, key, locale, text, message_id)
    return problems


def _cost(file, key, locale, text, message_id):
    if gsm.encoding(text) == "GSM-7" and gsm.length(text) <= 160:
        return []
    odd = gsm.outside_gsm(text)
    detail = (f"it uses {odd!r}, which are not GSM characters, so the whole SMS is sent as UCS-2 "
              if odd else "")
    return [Problem(file, f"The {locale} SMS is {gsm.length(text)} characters; {detail}it costs "
                    f"{gsm.segments(text)} SMS parts instead of 1.", state=message_id, key=key,
                    fix="Shorten it to 160 plain characters; use straight quotes ' \" and '-'.")]


def privacy(file, key, locale, text, message_id):
    """Refuse an SMS sent unasked that names HIV or its treatment."""
    return _names(PRIVATE_WORDS, file, key, locale, text, message_id,
                  "It is sent without being asked for and may be read by someone else on a shared "
                  "phone.",
                  "Reword it without naming HIV or its treatment, or move it to a set with "
                  "'opt_in: hiv'.")


def programme_named(file, key, locale, text, message_id):
    """Refuse an SMS that names the Mentor Mothers or the USSD brand instead of %{programme}."""
    return _names(PROGRAMME_WORDS, file, key, locale, text, message_id,
                  "Mentor Mothers live with HIV, so whoever reads this SMS on a shared phone could "
                  "guess hers.",
                  "Write %{programme} where the SMS names the programme (it becomes "
                  "PROGRAMME_NAME_IN_SMS), and 'a health worker from %{programme}' for the person "
                  "who will call her.")


def _names(words_pattern, file, key, locale, text, message_id, why, fix):
    """One problem naming the words of `words_pattern` found in an SMS, or none."""
    words = sorted({w.group(0) for w in words_pattern.finditer(text)}, key=str.lower)
    if not words:
        return []
    return [Problem(file, f"The {locale} SMS names {', '.join(words)}. {why}", state=message_id,
                    key=key, fix=fix)]


def _coverage(message_set):
    problems, counts = _day_settings(message_set), Counter(m.at for m in message_set.messages)
    unit = message_set.unit
    # A set counted in days goes out on a few chosen days, not on every one.
    missing = [n for n in range(message_set.first, message_set.last + 1)
               if not counts[n] and unit != "day"]
    if missing:
        problems.append(Problem(message_set.file, f"No message for {unit} {_ranges(missing)}.",
                                fix=f"Add one message for each {unit} from {message_set.first} to "
                                    f"{message_set.last}."))
    for at, count in sorted(counts.items()):
        message = message_set.message_at(at)
        if count > 1:
            problems.append(Problem(message_set.file, f"{count} messages are for {unit} {at}.",
                                    state=message.id, line=message.line,
                                    fix=f"Keep one message for each {unit}."))
        if not message_set.first <= at <= message_set.last:
            problems.append(Problem(message_set.file, f"{unit.capitalize()} {at} is outside this "
                                    f"set's {message_set.first} to {message_set.last}.",
                                    state=message.id, line=message.line,
                                    fix="Correct 'at', or 'first' and 'last'."))
    return problems


def _day_settings(message_set):
    """'every' and 'until_week' mean something only for a set counted in days."""
    if message_set.unit == "day":
        return []
    problems = [Problem(message_set.file, "'until_week' works only with 'unit: day'.",
                        state=m.id, line=m.line, fix="Remove 'until_week' from this message.")
                for m in message_set.messages if m.until_week is not None]
    if message_set.every:
        problems.append(Problem(message_set.file, "'every' works only with 'unit: day'.",
                                fix="Remove 'every', or count this set in days."))
    return problems


def _stage_coverage(content):
    problems = []
    for (stage, unit), (first, last) in REQUIRED.items():
        sets = [s for s in content.message_sets.values() if s.stage == stage]
        if not sets:
            continue
        have = {m.at for s in sets if s.unit == unit for m in s.messages}
        missing = [n for n in range(first, last + 1) if n not in have]
        if missing:
            problems.append(Problem("message_sets", f"Mothers at the {stage} stage would get no "
                                    f"message in {unit} {_ranges(missing)}.",
                                    fix=f"Add a {stage} set with unit {unit} that covers these."))
    return problems


def _unique_ids(content):
    seen, problems = {}, []
    for message_set in content.message_sets.values():
        for message in message_set.messages:
            if message.id in seen:
                problems.append(Problem(message_set.file, f"The id '{message.id}' is also used in "
                                        f"{seen[message.id]}.", state=message.id, line=message.line,
                                        fix="Give every message its own id."))
            seen.setdefault(message.id, message_set.file)
    return problems


def _ranges(numbers):
    """Write [4, 5, 6, 9] as '4-6, 9'."""
    parts, start = [], numbers[0]
    for prev, cur in zip(numbers, numbers[1:] + [None], strict=True):
        if cur != prev + 1:  # a gap, or the end
            parts.append(f"{start}-{prev}" if prev != start else str(start))
            start = cur
    return ", ".join(parts)
