"""Lay out the screen a session stands on: its blocks of text and options, its navigation, and
the wrong-answer hint, fitted into pages (screens.py) and kept once laid out."""

from dataclasses import replace
from functools import lru_cache

from . import breaks, conditions, lists
from .model import START_FLOW
from .screens import LIMIT, Block, Nav, paginate

RESUME_FLOW = "_resume"  # the built-in "continue where you left off" question
LIMITS = {"ussd": LIMIT, "sms": 160}  # characters a screen or a reply may hold


def ends_here(state):
    """True for a state whose last page closes the session."""
    return state is not None and (state.kind == "end" or bool(state.data.get("end")))


def pages(run, state):
    """The screen's pages. A screen whose words depend on nothing but its language (no blanks,
    no options shown only to some) is laid out once per content and kept: most screens
    callers walk through are such menus and messages."""
    if not _is_fixed(run, state):
        return _lay_out(run, state)
    session = run.session
    key = (session.flow, session.state, run.language, session.channel, session.home,
           bool(session.stack), session.notice, session.notice_page)
    kept = run.content.__dict__.setdefault("_fixed_pages", {})
    found = kept.get(key)
    if found is None:
        found = kept[key] = _lay_out(run, state)
    return found


def _is_fixed(run, state):
    if state is None or run.session.flow == RESUME_FLOW:
        return False
    if state.kind == "input" and state.data["validate"]["type"] == "pick":
        return False  # the list depends on her earlier answers and on the facility list in use
    known = run.content.__dict__.setdefault("_fixed_states", {})
    key = (run.session.flow, run.session.state, run.language, run.session.notice)
    if key not in known:
        keys = [state.text, run.session.notice, "common.more", "common.back", "common.main",
                "common.next", "common.yes", "common.no"]
        if state.kind == "menu":
            keys += [option["text"] for option in state.data["options"]]
        elif state.kind == "input" and state.data["validate"]["type"] == "choice":
            keys += [choice["text"] for choice in state.data["validate"]["choices"]]
        known[key] = (state.kind != "menu" or not any("when" in o for o in state.data["options"])) \
            and not any(run.content.texts.placeholders(k, run.language) for k in keys if k)
    return known[key]


def _lay_out(run, state):
    body = _blocks(run, state)
    ends = ends_here(state)
    home = run.session.home
    at_main = run.session.flow == home and state is not None and (
        run.session.state == run.content.flows[home].start)
    # An SMS reply offers no Back or Menu keys: she texts MENU to start again (the SMS flow
    # says so in its texts), and a number she replies always means an option she can see.
    by_sms = run.session.channel == "sms"
    nav = Nav(run.text("common.more"), run.text("common.back"), run.text("common.main"),
              can_back=bool(run.session.stack) and not ends and not by_sms,
              can_main=not (ends or at_main or by_sms
                            or run.session.flow in (START_FLOW, RESUME_FLOW)))
    has_options = any(b.option for b in body)
    heading = body[0] if has_options and not body[0].option else None
    limit = LIMITS[run.session.channel]
    pages = _laid_out(tuple(body), nav, limit, heading)
    if not run.session.notice:
        return pages
    return _with_notice(run, body, nav, limit, heading, pages)


def _with_notice(run, body, nav, limit, heading, pages):
    """The pages with the hint on top of the page she answered on. Where the hint would push
    the options on to another page it stands in for a menu's title, or above a long question
    for all but the question itself, which she has just read."""
    notice = Block(run.text(run.session.notice), with_next=True)  # never alone on a page
    page = run.session.notice_page
    if page:
        with_notice = _laid_out(tuple(body), nav, limit, heading, notice, page)
    else:
        with_notice = _laid_out((notice, *body), nav, limit, heading)
    if heading is None or len(with_notice) <= len(pages):
        return with_notice
    if len(heading.text) <= limit // 3:
        return with_notice if page else _laid_out((notice, *body[1:]), nav, limit, notice)
    question = Block(breaks.last_sentence(heading.text)[1])
    nav = replace(nav, can_back=nav.can_back or page > 0)
    return pages[:page] + _laid_out((notice, question, *body[1:]), nav, limit, None)


@lru_cache(maxsize=4096)
def _laid_out(body, nav, limit, heading, notice=None, notice_page=0):
    """The pages of these blocks. Most callers see the same few screens, so each is laid out
    once per process: laying out was three quarters of the engine's time per step."""
    return tuple(paginate(list(body), nav, limit, heading=heading, notice=notice,
                          notice_page=notice_page))


def _blocks(run, state):
    if run.session.flow == RESUME_FLOW:
        return [Block(run.text("common.resume_question")),
                Block(f"1. {run.text('common.resume_continue')}", True),
                Block(f"2. {run.text('common.resume_main')}", True)]
    blocks = [Block(run.text(state.text))]
    if state.kind == "menu":
        labels = [option["text"] for option in visible_options(run, state)]
    elif state.kind == "message" and state.target:
        labels = ["common.next"]
    elif state.kind == "input" and state.data["validate"]["type"] == "yes_no":
        labels = ["common.yes", "common.no"]
    elif state.kind == "input" and state.data["validate"]["type"] == "choice":
        labels = [choice["text"] for choice in state.data["validate"]["choices"]]
    elif state.kind == "input" and state.data["validate"]["type"] == "pick":
        found = lists.items(run, state.data["validate"])
        return blocks + [Block(f"{n}. {label}", True) for n, (_, label) in enumerate(found, 1)]
    else:
        labels = []
    return blocks + [Block(f"{n}. {run.text(key)}", True) for n, key in enumerate(labels, 1)]


def visible_options(run, state):
    return [option for option in state.data["options"]
            if "when" not in option or conditions.holds(option["when"], run.contact, run.results)]
