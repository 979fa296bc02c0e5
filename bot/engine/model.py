"""The data the engine works on: content in, session and effects out."""

import copy
from dataclasses import dataclass, field

START_FLOW = "start"  # what a dial runs first (asks the language of a new number)
MAIN_FLOW = "main"  # where 00 leads


@dataclass(frozen=True)
class Target:
    """Where a choice leads: a state in the same flow, another flow, or nowhere."""

    state: str | None = None
    flow: str | None = None

    @classmethod
    def from_data(cls, data):
        if not isinstance(data, dict):
            return None
        if data.get("flow") or data.get("next"):
            return cls(state=data.get("next"), flow=data.get("flow"))
        return None


@dataclass
class State:
    """One step of a flow, as written in the flow file."""

    name: str
    kind: str
    data: dict
    line: int | None = None

    @property
    def text(self):
        return self.data.get("text")

    @property
    def target(self):
        return Target.from_data(self.data)


@dataclass
class Flow:
    name: str
    start: str
    states: dict
    file: str = ""
    spec: int = 1
    lines: dict = field(default_factory=dict)  # key path -> line in the file, for messages
    channel: str = "ussd"  # sms flows are answered by SMS and must fit 160 characters


@dataclass
class Content:
    """All flows and texts the bot serves, loaded and checked together."""

    flows: dict
    texts: object
    default_language: str = "en"
    languages: tuple = ("en", "sw")
    message_sets: dict = field(default_factory=dict)  # name -> MessageSet (stage-based SMS)
    schedules: dict = field(default_factory=dict)  # name -> list of suggested visits (dicts)
    danger_signs: object = None  # triage.lexicon.Lexicon from flows/danger_sign_words.yaml
    referrals: object = None  # referrals.services.ReferralList from flows/referral_services.yaml
    facilities: object = None  # facilities.Directory from flows/facilities.csv (the shipped sample)

    def state(self, flow, name):
        found = self.flows.get(flow)
        return found.states.get(name) if found else None


@dataclass
class Session:
    """Where one caller stands: the engine reads and returns it, the store keeps it."""

    flow: str
    state: str
    page: int = 0
    stack: list = field(default_factory=list)  # earlier screens, for 0 Back
    results: dict = field(default_factory=dict)  # answers given in this session
    ended: bool = False
    saved: dict | None = None  # the dropped session a resume offer would restore
    notice: str | None = None  # text key shown above this screen (a hint or a notice)
    notice_page: int = 0  # the page the notice stands on: the one she was reading
    home: str = MAIN_FLOW  # where 00 leads: the USSD main menu, or the SMS menu
    channel: str = "ussd"  # ussd screens hold 182 characters, sms replies 160

    def copy(self):
        """A copy whose stack and answers can change without touching this one."""
        twin = copy.copy(self)
        twin.stack, twin.results = list(self.stack), dict(self.results)
        return twin

    def as_dict(self):
        return {
            "flow": self.flow,
            "state": self.state,
            "page": self.page,
            "stack": [list(item) for item in self.stack],
            "results": dict(self.results),
            "ended": self.ended,
            "saved": self.saved,
            "notice": self.notice,
            "notice_page": self.notice_page,
            "home": self.home,
            "channel": self.channel,
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            flow=str(data["flow"]),
            state=str(data["state"]),
            page=int(data.get("page", 0)),
            stack=[tuple(item) for item in data.get("stack", [])],
            results=dict(data.get("results", {})),
            ended=bool(data.get("ended", False)),
            saved=data.get("saved"),
            notice=data.get("notice"),
            notice_page=int(data.get("notice_page", 0)),
            home=str(data.get("home", MAIN_FLOW)),
            channel=str(data.get("channel", "ussd")),
        )


@dataclass(frozen=True)
class Screen:
    """What the phone shows; `ends` closes the USSD session."""

    text: str
    ends: bool = False

    def for_ussd(self):
        return ("END " if self.ends else "CON ") + self.text


@dataclass(frozen=True)
class Effect:
    """Something the channel must do after the step, e.g. save a contact field.

    kind: set_field (name, value), clear_field (name), request_callback (reason, topic),
    event (name, detail) for run-time trouble worth reporting.
    """

    kind: str
    name: str = ""
    value: str = ""


@dataclass
class Step:
    screen: Screen
    session: Session
    effects: list = field(default_factory=list)
