"""Checks that keep a mother in danger pointed to a hospital.

Danger-sign pages: every screen of a danger-sign flow must end in the hospital
line in its language, and never send her to a clinic (dispensaries close at
night). A page the engine splits with "98 More" is checked page by page.

Danger-sign SMS: a stage message about danger signs (topic danger_signs) names
the nearest hospital too.

Call-back promises: a text that tells her a Mentor Mother will call or reply
makes her wait; it must also say where to go if she or her baby cannot wait.
The phrases are matched in each language; a language with no entry here is
not checked, so a new language needs its phrases added.
"""

import re

from ..errors import Problem
from .screen_rules import read_through

DANGER_SIGN_FLOWS = ("danger_signs",)
# The line every danger-sign screen carries (issue 14; domain guide "Danger signs and triage").
HOSPITAL_LINE = {"en": "Go to the nearest hospital now, day or night.",
                 "sw": "Nenda hospitali iliyo karibu sasa hivi, mchana au usiku."}
CLINIC_WORDS = re.compile(r"\b(clinic|dispensary|kliniki|zahanati)\b", re.IGNORECASE)
# A promise that someone will call or answer later, and the words that say what to do meanwhile.
CALL_PROMISE = {
    "en": re.compile(r"\b(Mentor Mother will|will (call|phone|ring) you)\b", re.IGNORECASE),
    "sw": re.compile(r"\b(Mama Mshauri ata\w+|(ata|tuta|wata)kupigia)\b", re.IGNORECASE),
}
CANNOT_WAIT = {"en": "go to the nearest hospital", "sw": "hospitali iliyo karibu"}
EXAMPLE = {"en": "If you or your baby are very sick, go to the nearest hospital now.",
           "sw": "Ukiwa mgonjwa sana, au mtoto, nenda hospitali iliyo karibu sasa hivi."}
MAX_PAGES = 7  # the screen checks report a text this long


def check_danger_pages(content):
    """Return problems for danger-sign screens without the hospital line, or naming a clinic."""
    problems = []
    for flow_name in DANGER_SIGN_FLOWS:
        flow = content.flows.get(flow_name)
        for state in flow.states.values() if flow else ():
            if state.kind != "message":
                continue
            for locale, line in HOSPITAL_LINE.items():
                if locale in content.languages:
                    problems += _danger_page(content, flow, state, locale, line)
    return problems


def _danger_page(content, flow, state, locale, line):
    where = dict(state=state.name, key=state.text, line=state.line)
    text = content.texts.strings.get(locale, {}).get(state.text, "")
    if not text.rstrip().endswith(line):
        problems = [Problem(flow.file, f"The {locale} danger-sign text does not end with "
                            f"\"{line}\"", fix="End it with that line, exactly.", **where)]
    else:  # a text split by "98 More" shows the line on its last screen only
        pages = read_through(content, flow, state.name, locale, MAX_PAGES)
        problems = [Problem(flow.file, f"Screen {number} of this {locale} danger-sign page does "
                            f"not say \"{line}\"", fix="Shorten the text to fit one screen, or "
                            "split it into pages that each end with that line.", **where)
                    for number, page in enumerate(pages, 1) if line not in page]
    found = CLINIC_WORDS.search(text)
    if found:
        problems.append(Problem(flow.file, f"The {locale} danger-sign text sends her to a "
                                f"'{found.group(0)}', which may be closed at night.",
                                fix="Say the nearest hospital instead.", **where))
    return problems


def check_danger_sms(content):
    """Return problems for danger-sign SMS that do not send her to the nearest hospital."""
    problems = []
    for message_set in content.message_sets.values():
        for message in message_set.messages:
            if message.topic != "danger_signs":
                continue
            for locale, phrase in CANNOT_WAIT.items():
                text = content.texts.strings.get(locale, {}).get(message.text)
                if text is not None and phrase not in text.lower():
                    problems.append(Problem(
                        message_set.file, f"This {locale} danger-sign SMS does not say "
                        f"'{phrase}'.", state=message.id, key=message.text, line=message.line,
                        fix=f"Send her to the nearest hospital, e.g. \"{EXAMPLE[locale]}\""))
    return problems


def check_call_promises(content):
    """Return problems for texts that promise a call or reply but not what to do meanwhile."""
    problems = []
    for locale, promise in CALL_PROMISE.items():
        for key, text in sorted(content.texts.strings.get(locale, {}).items()):
            if promise.search(text) and CANNOT_WAIT[locale] not in text.lower():
                file, line = content.texts.origin.get((locale, key)) or (f"locales/{locale}", None)
                problems.append(Problem(
                    f"locales/{getattr(file, 'name', file)}", f"The {locale} text promises a "
                    "call or a reply but does not say what to do if she cannot wait.", key=key,
                    line=line, fix=f"Add a line with '{CANNOT_WAIT[locale]}', e.g. "
                    f"\"{EXAMPLE[locale]}\""))
    return problems
