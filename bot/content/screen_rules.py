"""Checks on what USSD callers see: plain characters, and screens that fit.

Each screen state is rendered by the engine itself, in every language, with
every page and the wrong-answer hint, so what is checked is exactly what a
phone would show.
"""

import re
from dataclasses import replace

from ..engine import Session, show, step
from ..engine.runner import LIMITS, options_last
from ..errors import Problem
from . import gsm, paging_rules

_USSD_KEYS = re.compile(r"^(?:0|00|98)\. ", re.MULTILINE)  # the navigation lines of a USSD screen
MAX_PAGES = 6  # more "98 More" pages than this and a caller on a 30-second timer gives up
# The longest values the blanks in texts can take, so screens are measured at their fullest.
SAMPLE_CONTACT = {"next_visit": "2027-12-31", "visit_date": "2027-12-31", "weeks": "42",
                  "due_date": "2027-12-31", "birth_date": "2026-12-31",
                  "upcoming_visits": "31-12-2027, 31-12-2027, 31-12-2027",
                  "clinic": "Mathare North Health Centre 12",
                  # the longest visit name the schedule gives (sms_reminders.visit_six_weeks)
                  "suggested_visit": "6-week visit (your check and baby's vaccines)",
                  "suggested_date": "31-12-2027"}


def check_screens(content, keys_by_state):
    """Return problems for characters and screen sizes; `keys_by_state` as from checks.text_keys."""
    problems = []
    for (flow_name, state_name), keys in keys_by_state.items():
        flow = content.flows[flow_name]
        state = flow.states[state_name]
        for key in keys:
            for locale in content.languages:
                odd = gsm.outside_gsm(content.texts.strings.get(locale, {}).get(key, ""))
                if odd:
                    problems.append(Problem(
                        flow.file, f"The {locale} text uses {odd!r}, which many phones show as "
                        "boxes or question marks.", state=state.name, key=key, line=state.line,
                        fix="Use plain letters, straight quotes ' \" and '-' instead."))
        if state.kind not in ("router", "action"):
            problems += _pages(content, flow, state)
    return problems


def _pages(content, flow, state):
    problems, seen = [], {}
    if flow.channel == "sms" and state.kind == "message" and not state.data.get("end") \
            and not state.target:
        problems.append(Problem(flow.file, "This SMS message leaves her nothing to reply: "
                                "a number she texts next would get 'Reply with a number'.",
                                fix="Give the message 'end: true' and end its text with "
                                "'Reply MENU for the menu'.", state=state.name, line=state.line))
    for locale in content.languages:
        pages = read_through(content, flow, state.name, locale, MAX_PAGES + 1)
        seen[(locale, False)] = pages
        if _hint(state):
            seen[(locale, True)] = read_through(content, flow, state.name, locale, MAX_PAGES + 1,
                                                notice=_hint(state))
        where = dict(state=state.name, line=state.line)
        limit = LIMITS[flow.channel]
        if any(len(page) > limit for page in pages):
            problems.append(Problem(flow.file, f"A {locale} screen is longer than {limit} "
                                    "characters.", fix="Shorten the texts on it.", **where))
        if len(pages) > MAX_PAGES:
            problems.append(Problem(flow.file, f"In {locale} this takes more than {MAX_PAGES} "
                                    "screens to read.", fix="Split it into a menu of shorter "
                                    "messages.", **where))
        if flow.channel == "sms" and any(_USSD_KEYS.search(page) for page in pages):
            problems.append(Problem(flow.file, f"The {locale} SMS reply shows USSD keys (0 Back, "
                                    "00 Menu or 98 More), which do nothing in an SMS.",
                                    fix="Keep the reply to one SMS (160 characters).", **where))
        cut = _cut_options(content, state, locale, "\n".join(pages))
        if cut:
            problems.append(Problem(flow.file, f"The {locale} option '{cut}' is too long to show "
                                    "whole on one screen.", fix="Shorten the option text.",
                                    **where))
    return problems + paging_rules.check_pages(flow, state, seen)


def _hint(state):
    """The hint a wrong answer shows on this state, or None where nothing can be answered."""
    if state.kind == "input":
        return state.data.get("hint", "common.hint_answer")
    if state.kind == "menu":
        return "common.hint_number"
    return None  # a message: a wrong key is rare where the only answer is "1. Continue"


def read_through(content, flow, state_name, locale, most, notice=None):
    """Up to `most` screens a caller reads on one state, following "98 More", blanks at their
    fullest; she came from the main menu (or the SMS menu), so 0 Back shows. With `notice`
    (a hint's text key), as she sees it after a wrong answer where she types her answer."""
    contact = {**SAMPLE_CONTACT, "language": locale}
    home = flow.name if flow.channel == "sms" else "main"
    session = Session(flow.name, state_name, stack=[(home, content.flows[home].start)],
                      home=home, channel=flow.channel)
    pages = read_through_from(content, session, contact, most)
    if notice is None:
        return pages
    if len(pages) > 1 and options_last(content.state(flow.name, state_name)):
        # Her answers show on the last page: that is where a wrong one is typed.
        last = replace(session, page=len(pages) - 1, notice=notice, notice_page=len(pages) - 1)
        return pages[:-1] + read_through_from(content, last, contact, most - len(pages) + 1)
    return read_through_from(content, replace(session, notice=notice), contact, most)


def read_through_from(content, session, contact, most):
    """Up to `most` screens from where `session` stands, following "98 More"."""
    result, pages = show(content, session, contact), []
    while len(pages) < most:
        pages.append(result.screen.text)
        if "\n98. " not in result.screen.text:
            break
        result = step(content, result.session, contact, "98")
    return pages


def _cut_options(content, state, locale, shown):
    labels = [o["text"] for o in state.data.get("options", []) if "when" not in o]
    labels += [c["text"] for c in state.data.get("validate", {}).get("choices", [])]
    for key in labels:
        label = content.texts.strings.get(locale, {}).get(key, "")
        if label and f". {label}" not in shown:
            return label
    return None


