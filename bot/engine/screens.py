"""Fit text and options onto USSD screens of at most 182 characters.

A screen is built from blocks: text (split where breaks.py finds the best
place when it is too long) and numbered options (never split, at most six to a
screen). What does not fit goes to the next page behind "98 More"; every page
ends with the navigation lines, and the navigation lines are counted inside the
limit. A question is never cut off from its answers: when they do not fit
after it, the question's last sentence moves with them to the next page.
"""

from dataclasses import dataclass, replace

from . import breaks

LIMIT = 182  # GSM USSD maximum; see ../shared guide (AT USSD facts)
MAX_OPTIONS = 6  # more than six choices is too many to read on a small screen
MORE, BACK, MAIN, NEXT = "98", "0", "00", "1"
MAX_PAGES = 60  # far beyond anything readable; only a guard


@dataclass(frozen=True)
class Block:
    text: str
    option: bool = False
    follows: bool = False  # the rest of the text before it: on the same page, in the same line
    with_next: bool = False  # a question: shown only where its first answer fits too


@dataclass(frozen=True)
class Nav:
    """Localised labels and which ways out this screen offers."""

    more: str
    back: str
    main: str
    can_back: bool
    can_main: bool


def footer(nav, page, last):
    lines = [] if last else [f"{MORE}. {nav.more}"]
    ways = []
    if nav.can_back or page > 0:
        ways.append(f"{BACK}. {nav.back}")
    if nav.can_main:
        ways.append(f"{MAIN}. {nav.main}")
    if ways:
        lines.append(" ".join(ways))
    return lines


def paginate(blocks, nav, limit=LIMIT, heading=None, notice=None, notice_page=0):
    """Return the pages, each a string of at most `limit` characters.

    A short `heading` (a menu's title) that fitted whole on one page is shown
    again at the top of the next, so every page says what its options are for.
    A `notice` (a wrong-answer hint) opens page `notice_page`, where she was
    reading, in place of the repeated heading; the pages before it do not change.
    """
    repeat = heading is not None and len(heading.text) <= limit // 3
    queue = _kept_with_answers([b for b in blocks if b.text], heading if repeat else None)
    pages = []
    for _ in range(MAX_PAGES):
        if notice is not None and len(pages) == notice_page:
            rest = queue[1:] if queue and queue[0] == heading else queue
            queue = [notice] + [replace(b, follows=False) if n == 0 else b for n, b in enumerate(rest)]
        last_lines = footer(nav, len(pages), last=True)
        if _fits(queue, last_lines, limit):
            pages.append(_join(queue, last_lines))
            return pages
        lines = footer(nav, len(pages), last=False)
        body, queue = _fill(queue, lines, limit)
        pages.append(_join(body, lines))
        if repeat and heading in body and queue and any(b.option for b in body):
            queue.insert(0, heading)
    return pages  # the checker reports texts this long; never loop for ever on a caller's time


def _kept_with_answers(blocks, heading):
    """Let the last sentence of the text before the options (the question, or the end of a
    message before "1. Continue") move with them to the next page when they do not fit after it.
    A short menu title (`heading`) is shown again instead (see paginate)."""
    kept = []
    for block, after in zip(blocks, blocks[1:] + [None], strict=True):
        if after is not None and after.option and not block.option and block != heading:
            lead, question = breaks.last_sentence(block.text)
            if lead:
                kept.append(Block(lead, follows=block.follows))
            kept.append(Block(question, follows=bool(lead) or block.follows, with_next=True))
            continue
        kept.append(block)
    return kept


def _join(body, lines):
    text = ""
    for n, block in enumerate(body):
        text += (" " if block.follows else "\n") + block.text if n else block.text
    return "\n".join(([text] if body else []) + lines)


def _fits(body, lines, limit):
    return sum(b.option for b in body) <= MAX_OPTIONS and len(_join(body, lines)) <= limit


def _fill(queue, lines, limit):
    """Take from `queue` what fits on one page; return (page blocks, rest)."""
    body, rest = [], list(queue)
    while rest:
        block = rest[0]
        if block.with_next and any(not b.with_next for b in body) and \
                not _fits(body + rest[:2], lines, limit):
            break  # the question goes with its first answer to the next page
        if _fits(body + [block], lines, limit):
            body.append(rest.pop(0))
            continue
        if block.option and body:
            break  # an option is never cut in two: it opens the next page
        room = limit - len(_join(body + [Block("", follows=block.follows)], lines))
        head, tail = breaks.split(block.text, room)
        body.append(Block(head, block.option, block.follows))
        rest[0] = Block(tail, block.option) if tail else None
        if rest[0] is None:
            rest.pop(0)
        break
    return body, rest
