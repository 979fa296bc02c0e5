"""Move a caller through the flows, one answer at a time.

`start` answers a new dial and `step` answers one input; both take the content,
the session and a copy of the contact's fields and return a `Step`: the screen,
the new session and the effects for the channel to carry out. Nothing here
raises on bad input or stale sessions: the caller always gets a screen.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from . import actions, conditions, validators
from .model import MAIN_FLOW, START_FLOW, Effect, Screen, Session, Step, Target
from .screens import BACK, LIMIT, MAIN, MORE, NEXT, Block, Nav, paginate

RESUME_FLOW = "_resume"  # the built-in "continue where you left off" question
MAX_STACK = 20  # how many screens 0 Back remembers
MAX_HOPS = 50  # routers and actions in a row before we call it a loop
LIMITS = {"ussd": LIMIT, "sms": 160}  # characters a screen or a reply may hold
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# A change of these fields also keeps the day it happened: SMS counted in days since her
# stage began (the newborn's danger signs the day the birth is recorded) need it.
DATED_FIELDS = {"stage": "stage_since"}


@dataclass
class Run:
    """One step in progress: what the engine knows and what it has decided."""

    content: object
    session: Session
    contact: dict
    today: date
    effects: list = field(default_factory=list)
    jump: Target | None = None
    end_text: str | None = None
    typed_pin: str | None = None  # a PIN typed in this step, for set_pin / check_pin; never kept
    _values: dict | None = None  # the blanks' values, worked out once per step

    @property
    def results(self):
        return self.session.results

    @property
    def language(self):
        lang = self.contact.get("language")
        return lang if lang in self.content.languages else self.content.default_language

    def set_field(self, name, value):
        if name in DATED_FIELDS and self.contact.get(name) != value:
            self.set_field(DATED_FIELDS[name], self.today.isoformat())
        self.contact[name] = value
        self._values = None
        self.effects.append(Effect("set_field", name, value))

    def keep_answer(self, name, value):
        self.results[name] = value
        self._values = None

    def text(self, key):
        language = self.language
        blanks = self.content.texts.placeholders(key, language)
        if not blanks:
            return self.content.texts.get(key, language)
        if self._values is None:
            self._values = {k: _display(v) for k, v in {**self.contact, **self.results}.items()
                            if not k.startswith("pin_")}  # a text can never show her PIN's hash
        fixed = self.content.texts.fixed  # the programme name: the same in every text
        values = {b: self._values.get(b, "-") for b in blanks if b not in fixed}  # never a name
        return self.content.texts.get(key, language, **values)

    def state(self):
        return self.content.state(self.session.flow, self.session.state)


def start(content, contact, previous=None, today=None, entry=START_FLOW, channel="ussd"):
    """Answer a new dial: offer to resume `previous` if it is worth it, else begin.

    USSD begins at the start flow and 00 leads to the main menu; another
    `entry` (the SMS menu) is its own home.
    """
    home = MAIN_FLOW if entry == START_FLOW else entry
    run = Run(content, Session(entry, "", home=home, channel=channel), dict(contact),
              today or date.today())
    if previous is not None and _resumable(content, previous):
        run.session = Session(RESUME_FLOW, "offer", saved=previous.as_dict())
        return _finish(run)
    return _begin(run, entry)


def show(content, session, contact, today=None):
    """Render the screen where `session` stands, without an answer."""
    run = Run(content, session.copy(), dict(contact), today or date.today())
    if run.session.flow != RESUME_FLOW and run.state() is None:
        return _lost(run)
    return _finish(run)


def step(content, session, contact, answer, today=None):
    """Answer one input from a caller standing on `session`."""
    run = Run(content, session.copy(), dict(contact), today or date.today())
    answer = (answer or "").strip()
    if run.session.flow == RESUME_FLOW:
        return _answer_resume(run, answer)
    state = run.state()
    if state is None:
        return _lost(run)
    if answer == MAIN:
        return _go_main(run)
    pages = _pages(run, state)
    page = min(run.session.page, len(pages) - 1)
    if page < len(pages) - 1 and (answer == MORE or (_options_last(state) and answer != BACK)):
        # Numbered answers show on the last page: a number typed before she has read that
        # far (a consent, say) only turns the page. Free answers (a date) count anywhere.
        run.session.page = page + 1
        return _finish(run)
    if answer == BACK:
        return _back(run, page)
    target, hint = _choose(run, state, answer)
    if target is None:
        return _finish(run, hint=hint)
    return _go(run, target)


def _options_last(state):
    """True for screens whose numbered answers come after the text: messages and questions."""
    return state.kind == "message" or (
        state.kind == "input" and state.data["validate"]["type"] in ("yes_no", "choice"))


def _choose(run, state, answer):
    """Return (target, None) for an accepted answer, else (None, hint key)."""
    hint = "common.hint_number"
    if state.kind == "menu":
        options = _visible_options(run, state)
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(options):
            return Target.from_data(options[int(answer) - 1]), None
    elif state.kind == "message" and state.target and answer == NEXT:
        return state.target, None
    elif state.kind == "input":
        rules = state.data["validate"]
        value = validators.check(rules, answer[:200], run.today)
        if value is not None and rules["type"] == "pin":
            run.typed_pin = value  # not in the session's answers: those are stored in Redis
            return state.target, None
        if value is not None:
            run.keep_answer(state.data["save_as"], value)
            if state.data.get("field"):
                run.set_field(state.data["field"], value)
            return state.target, None
        hint = state.data.get("hint", "common.hint_answer")
    return None, hint


def _begin(run, entry):
    _place(run, entry, run.content.flows[entry].start, saved=None, stack=[])
    return _settle(run)


def _go_main(run):
    home = run.session.home
    _place(run, home, run.content.flows[home].start, stack=[])
    return _settle(run)


def _back(run, page):
    if page > 0:
        run.session.page = page - 1
    elif run.session.stack:
        flow, state = run.session.stack.pop()
        _place(run, flow, state)
        if run.state() is None:
            return _lost(run)
    return _finish(run)


def _go(run, target):
    """Leave the current screen for `target`, remembering it for 0 Back."""
    here = (run.session.flow, run.session.state)
    run.session.stack = (run.session.stack + [here])[-MAX_STACK:]
    _move(run, target)
    return _settle(run)


def _move(run, target):
    flow = target.flow or run.session.flow
    state = target.state if target.state else _flow_start(run, flow)
    _place(run, flow, state)


def _place(run, flow, state, **also):
    """Stand the run's session on `state`, first page, no notice.

    The run works on its own copy of the session (made when the step began),
    so changing it in place keeps the engine pure and costs far less than
    building a new Session at every hop.
    """
    session = run.session
    session.flow, session.state, session.page, session.notice = flow, state, 0, None
    for name, value in also.items():
        setattr(session, name, value)


def _flow_start(run, flow):
    found = run.content.flows.get(flow)
    return found.start if found else ""


def _settle(run):
    """Pass through routers and actions until a state that shows a screen."""
    for _ in range(MAX_HOPS):
        state = run.state()
        if state is None:
            return _lost(run)
        if state.kind == "router":
            _move(run, _route(run, state))
        elif state.kind == "action":
            target = _act(run, state)
            if run.end_text:
                return _end(run, run.end_text)
            if target is None:
                run.effects.append(Effect("event", "dead_end", f"{run.session.flow}/{state.name}"))
                return _go_main(run)
            _move(run, target)
        else:
            _trim_stack(run)
            return _finish(run)
    run.effects.append(Effect("event", "loop", f"{run.session.flow}/{run.session.state}"))
    return _end(run, "common.sorry")


def _route(run, state):
    for route in state.data["routes"]:
        if conditions.holds(route["when"], run.contact, run.results):
            return Target.from_data(route)
    return Target.from_data(state.data["otherwise"])


def _act(run, state):
    action = actions.REGISTRY.get(state.data["do"])
    run.jump = None
    if action is None:
        run.effects.append(Effect("event", "unknown_action", state.data["do"]))
    else:
        action.run(dict(state.data.get("with", {})), run)
    return run.jump or state.target


def _trim_stack(run):
    """Coming back to a screen already on the stack forgets the detour."""
    here = (run.session.flow, run.session.state)
    if here == (run.session.home, run.content.flows[run.session.home].start):
        run.session.stack = []  # nothing lies behind the main menu
    elif here in run.session.stack:
        run.session.stack = run.session.stack[: run.session.stack.index(here)]


def _lost(run):
    """The caller stands on a state that no longer exists (the flow was edited)."""
    run.effects.append(Effect("event", "state_missing", f"{run.session.flow}/{run.session.state}"))
    _go_main(run)
    run.session.notice = "common.menu_changed"
    return _finish(run)


def _end(run, key):
    run.session = replace(run.session, ended=True, page=0, notice=None)
    nav = Nav(run.text("common.more"), run.text("common.back"), "", False, False)
    pages = paginate([Block(run.text(key))], nav, limit=LIMITS[run.session.channel])
    return Step(Screen(pages[0], ends=len(pages) == 1), run.session, run.effects)


def _answer_resume(run, answer):
    saved = run.session.saved or {}
    if answer == "1" and saved:
        run.session = replace(Session.from_dict(saved), page=0, notice=None, saved=None)
        return _finish(run) if run.state() is not None else _lost(run)
    if answer in ("2", MAIN):
        return _begin(run, START_FLOW)
    return _finish(run, hint="common.hint_number")


def _resumable(content, previous):
    if previous.ended or previous.flow in (RESUME_FLOW, START_FLOW):
        return False
    main = content.flows.get(previous.home)
    at_main = previous.flow == previous.home and main is not None and previous.state == main.start
    return not at_main and content.state(previous.flow, previous.state) is not None


def _finish(run, hint=None):
    """Render the current screen; a hint restarts it from its first page."""
    if hint:
        run.session.notice, run.session.page = hint, 0
    state = run.state()
    pages = _pages(run, state)
    page = min(run.session.page, len(pages) - 1)
    run.session.page = page
    last = page == len(pages) - 1
    if _ends_here(state) and last:
        run.session.ended = True
    return Step(Screen(pages[page], ends=run.session.ended), run.session, run.effects)


def _ends_here(state):
    return state is not None and (state.kind == "end" or bool(state.data.get("end")))


def _pages(run, state):
    """The screen's pages. A screen whose words depend on nothing but its language (no blanks,
    no options shown only to some) is laid out once per content and kept: most screens
    callers walk through are such menus and messages."""
    if not _is_fixed(run, state):
        return _lay_out(run, state)
    session = run.session
    key = (session.flow, session.state, run.language, session.channel, session.home,
           bool(session.stack), session.notice)
    kept = run.content.__dict__.setdefault("_fixed_pages", {})
    pages = kept.get(key)
    if pages is None:
        pages = kept[key] = _lay_out(run, state)
    return pages


def _is_fixed(run, state):
    if state is None or run.session.flow == RESUME_FLOW:
        return False
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
    ends = _ends_here(state)
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
    notice = Block(run.text(run.session.notice))
    with_notice = _laid_out((notice, *body), nav, limit, heading)
    if heading is not None and len(with_notice) > len(pages):
        # The hint would push options onto another page: let it stand in for the title.
        return _laid_out((notice, *body[1:]), nav, limit, notice)
    return with_notice


@lru_cache(maxsize=4096)
def _laid_out(body, nav, limit, heading):
    """The pages of these blocks. Most callers see the same few screens, so each is laid out
    once per process: laying out was three quarters of the engine's time per step."""
    return tuple(paginate(list(body), nav, limit, heading=heading))


def _blocks(run, state):
    if run.session.flow == RESUME_FLOW:
        return [Block(run.text("common.resume_question")),
                Block(f"1. {run.text('common.resume_continue')}", True),
                Block(f"2. {run.text('common.resume_main')}", True)]
    blocks = [Block(run.text(state.text))]
    if state.kind == "menu":
        labels = [option["text"] for option in _visible_options(run, state)]
    elif state.kind == "message" and state.target:
        labels = ["common.next"]
    elif state.kind == "input" and state.data["validate"]["type"] == "yes_no":
        labels = ["common.yes", "common.no"]
    elif state.kind == "input" and state.data["validate"]["type"] == "choice":
        labels = [choice["text"] for choice in state.data["validate"]["choices"]]
    else:
        labels = []
    return blocks + [Block(f"{n}. {run.text(key)}", True) for n, key in enumerate(labels, 1)]


def _visible_options(run, state):
    return [option for option in state.data["options"]
            if "when" not in option or conditions.holds(option["when"], run.contact, run.results)]


def _display(value):
    """Show stored ISO dates the way people write them: 15-03-2027."""
    found = _ISO_DATE.match(str(value))
    return f"{found[3]}-{found[2]}-{found[1]}" if found else str(value)
