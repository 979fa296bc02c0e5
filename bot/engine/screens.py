"""Fit text and options onto USSD screens of at most 182 characters.

A screen is built from blocks: text (split between words when it is too long)
and numbered options (never split, at most six to a screen). What does not fit
goes to the next page behind "98 More"; every page ends with the navigation
lines, and the navigation lines are counted inside the limit.
"""

import re
from dataclasses import dataclass

LIMIT = 182  # GSM USSD maximum; see ../shared guide (AT USSD facts)
MAX_OPTIONS = 6  # more than six choices is too many to read on a small screen
MORE, BACK, MAIN, NEXT = "98", "0", "00", "1"
MAX_PAGES = 60  # far beyond anything readable; only a guard
_TOKENS = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Block:
    text: str
    option: bool = False


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
    queue, pages = [b for b in blocks if b.text], []
    repeat = heading is not None and len(heading.text) <= limit // 3
    for _ in range(MAX_PAGES):
        if notice is not None and len(pages) == notice_page:
            queue = [notice] + (queue[1:] if queue and queue[0] == heading else queue)
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


def _join(body, lines):
    return "\n".join([b.text for b in body] + lines)


def _fits(body, lines, limit):
    return sum(b.option for b in body) <= MAX_OPTIONS and len(_join(body, lines)) <= limit


def _fill(queue, lines, limit):
    """Take from `queue` what fits on one page; return (page blocks, rest)."""
    body, rest = [], list(queue)
    while rest:
        block = rest[0]
        if _fits(body + [block], lines, limit):
            body.append(rest.pop(0))
            continue
        if block.option and any(b.option for b in body):
            break  # options are never split while another option can go first
        room = limit - len(_join(body + [Block("")], lines))
        head, tail = _split(block.text, room)
        body.append(Block(head, block.option))
        rest[0] = Block(tail, block.option) if tail else None
        if rest[0] is None:
            rest.pop(0)
        break
    return body, rest


def _split(text, room):
    """Split `text` between words so the head is at most `room` long."""
    room = max(room, 1)
    head = ""
    for token in _TOKENS.findall(text):
        if len(head) + len(token) > room:
            break
        head += token
    head = head.rstrip()
    if not head:  # one word longer than the screen: cut it
        head = text[:room]
    sentence_end = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if head.endswith((".", "?", "!")):
        sentence_end = len(head) - 1  # the page ends exactly with a sentence
    if len(head) < len(text) and sentence_end >= room // 2:
        head = head[: sentence_end + 1]  # a whole sentence reads better than half of one
    return head, text[len(head):].lstrip()
