"""Move a caller through the flows, one answer at a time.

`start` answers a new dial and `step` answers one input; both take the content,
the session and a copy of the contact's fields and return a `Step`: the screen,
the new session and the effects for the channel to carry out. Nothing here
raises on bad input or stale sessions: the caller always gets a screen.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import date

from . import actions, back, conditions, layout, lists, validators
from .layout import LIMITS, RESUME_FLOW
from .model import MAIN_FLOW, START_FLOW, Effect, Screen, Session, Step, Target
from .screens import BACK, MAIN, MORE, NEXT, Block, Nav, paginate

MAX_STACK = 20  # how many screens 0 Back remembers
MAX_HOPS = 50  # routers and actions in a row before we call it a loop
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# A change of these fields also keeps the day it happened: SMS counted in days since her
# stage began (the newborn's danger signs the day the birth is recorded) need it.
DATED_FIELDS = {"stage": "stage_since"}
# Actions that only steer the flow; a screen after them is no result of anything done.
BOOKKEEPING = {"set_result", "go_to_flow"}


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
    changed: bool = False  # this step kept something on her contact or did an action
    facilities: object = None  # the facility list in use (a bot.facilities Directory)
    _values: dict | None = None  # the blanks' values, worked out once per step

    def __post_init__(self):
        if self.facilities is None:
            self.facilities = getattr(self.content, "facilities", None)  # the shipped sample

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


def start(content, contact, previous=None, today=None, entry=START_FLOW, channel="ussd",
          facilities=None):
    """Answer a new dial: offer to resume `previous` if it is worth it, else begin.

    USSD begins at the start flow and 00 leads to the main menu; another
    `entry` (the SMS menu) is its own home.
    """
    home = MAIN_FLOW if entry == START_FLOW else entry
    run = Run(content, Session(entry, "", home=home, channel=channel), dict(contact),
              today or date.today(), facilities=facilities)
    if previous is not None and _resumable(content, previous):
        run.session = Session(RESUME_FLOW, "offer", saved=previous.as_dict())
        return _finish(run)
    return _begin(run, entry)


def show(content, session, contact, today=None, facilities=None):
    """Render the screen where `session` stands, without an answer."""
    run = Run(content, session.copy(), dict(contact), today or date.today(), facilities=facilities)
    if run.session.flow != RESUME_FLOW and run.state() is None:
        return _lost(run)
    return _finish(run)


def step(content, session, contact, answer, today=None, facilities=None):
    """Answer one input from a caller standing on `session`. `facilities` is the facility list
    in use (an imported national list); without it, the sample shipped with the content."""
    run = Run(content, session.copy(), dict(contact), today or date.today(), facilities=facilities)
    answer = (answer or "").strip()
    if run.session.flow == RESUME_FLOW:
        return _answer_resume(run, answer)
    state = run.state()
    if state is None:
        return _lost(run)
    if answer == MAIN and run.session.flow != START_FLOW:
        return _go_main(run)  # not before she has chosen her language and heard the SMS offer
    pages = layout.pages(run, state)
    page = min(run.session.page, len(pages) - 1)
    if page < len(pages) - 1 and (answer == MORE or (options_last(state) and answer != BACK)):
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


def options_last(state):
    """True for screens whose numbered answers come after the text: messages and questions."""
    return state.kind == "message" or (
        state.kind == "input" and state.data["validate"]["type"] in ("yes_no", "choice"))


def _choose(run, state, answer):
    """Return (target, None) for an accepted answer, else (None, hint key)."""
    hint = "common.hint_number"
    if state.kind == "menu":
        options = layout.visible_options(run, state)
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(options):
            return Target.from_data(options[int(answer) - 1]), None
    elif state.kind == "message" and state.target and answer == NEXT:
        return state.target, None
    elif state.kind == "input":
        rules = state.data["validate"]
        if rules["type"] == "pick":
            value = lists.pick(run, rules, answer[:200])
        else:
            value = validators.check(rules, answer[:200], run.today)
        if value is not None and rules["type"] == "pin":
            run.typed_pin = value  # not in the session's answers: those are stored in Redis
            return state.target, None
        if value is not None:
            run.keep_answer(state.data["save_as"], value)
            if state.data.get("field"):
                run.set_field(state.data["field"], value)
                run.changed = True
            return state.target, None
        hint = validators.refusal(rules, answer[:200]) or state.data.get("hint", "common.hint_answer")
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
        _place(run, *back.chosen_again(run, flow, state))
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
    session.notice_page = 0
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
            if run.changed and state.kind != "input":
                back.skip_answered_questions(run)
            _trim_stack(run)
            _count(run)
            return _finish(run)
    run.effects.append(Effect("event", "loop", f"{run.session.flow}/{run.session.state}"))
    return _end(run, "common.sorry")


def _count(run):
    """Ask for the screen's indicators to be counted (`counts:`), as she arrives on it."""
    state = run.state()
    if state is not None:
        for name in state.data.get("counts", ()):
            run.effects.append(Effect("count", name))


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
        run.changed = run.changed or action.name not in BOOKKEEPING
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
    """Render the current screen; a hint stands on top of the page she was reading."""
    if hint:
        run.session.notice, run.session.notice_page = hint, run.session.page
    state = run.state()
    pages = layout.pages(run, state)
    page = min(run.session.page, len(pages) - 1)
    run.session.page = page
    last = page == len(pages) - 1
    if layout.ends_here(state) and last:
        run.session.ended = True
    return Step(Screen(pages[page], ends=run.session.ended), run.session, run.effects)


def _display(value):
    """Show stored ISO dates the way people write them: 15-03-2027."""
    found = _ISO_DATE.match(str(value))
    return f"{found[3]}-{found[2]}-{found[1]}" if found else str(value)
