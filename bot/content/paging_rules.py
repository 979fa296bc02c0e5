"""Checks on where screens break: at a sentence or a comma, never inside a phrase, a question
never apart from its answers, and every language paged alike.

The pages are the engine's own (screen_rules.read_through), once as she first sees them and
once with the wrong-answer hint on top, so what is checked is what a phone shows.
"""

import re

from ..engine import breaks
from ..errors import Problem

_NAV = re.compile(r"^(98|0|00)\. ")
_OPTION = re.compile(r"^\d+\. ")


def check_pages(flow, state, pages_by_locale):
    """Return problems for one state; `pages_by_locale` maps (locale, hinted) to its pages."""
    problems = []
    where = dict(state=state.name, line=state.line)
    for (locale, hinted), pages in pages_by_locale.items():
        seen = " with the hint" if hinted else ""
        for before, after in _breaks(pages):
            kind = breaks.kind_of_break(before, after)
            if kind in (breaks.BAD, breaks.WORD):
                problems.append(Problem(
                    flow.file, f"In {locale}{seen} a screen ends in {breaks.NAMES[kind]} "
                    f"('... {before} / {after} ...').", warning=kind == breaks.WORD,
                    fix="Reword or shorten the text so the screen ends at a full stop or a comma.",
                    **where))
        if _question_apart(pages):
            problems.append(Problem(flow.file, f"In {locale}{seen} the question is on one screen "
                                    "and its answers on the next.", fix="Shorten the text before "
                                    "the question.", **where))
    problems += _shapes(flow, pages_by_locale, where)
    return problems


def _shapes(flow, pages_by_locale, where):
    """Warn when the languages take different numbers of screens for the same state."""
    problems = []
    for hinted in (False, True):
        counts = {locale: len(pages) for (locale, shown), pages in pages_by_locale.items()
                  if shown == hinted}
        if len(set(counts.values())) > 1:
            detail = ", ".join(f"{locale}: {n}" for locale, n in counts.items())
            seen = " with the wrong-answer hint" if hinted else ""
            problems.append(Problem(flow.file, f"The languages take different numbers of "
                                    f"screens{seen} ({detail}).", warning=True,
                                    fix="Shorten the longer language so every language shows "
                                        "the same screens.", **where))
    return problems


def _body(page):
    return [line for line in page.split("\n") if not _NAV.match(line)]


def _breaks(pages):
    """Yield (last word, next word) where a text runs on from one page to the next."""
    heading = _body(pages[0])[0] if pages else ""
    for page, following in zip(pages, pages[1:], strict=False):
        body, after = _body(page), _body(following)
        if not body or not after or _OPTION.match(body[-1]) or _OPTION.match(after[0]):
            continue  # the page ends, or the next begins, with an option: no text was cut
        if after[0] == heading:
            continue  # a menu's title shown again
        yield body[-1].split()[-1], after[0].split()[0]


def _question_apart(pages):
    """True when a page ends with a question and its answers start the next page."""
    for page, following in zip(pages, pages[1:], strict=False):
        body, after = _body(page), _body(following)
        if body and after and not _OPTION.match(body[-1]) and body[-1].endswith(("?", ":")) \
                and _OPTION.match(after[0]):
            return True
    return False
