"""Stage-based SMS message sets: one text per week or month of a stage.

A set lives in flows/message_sets/<name>.yaml; its texts live in locales/ like
every other text. The reminder worker picks the message whose `at` matches the
mother's pregnancy week, her baby's age, or her place in a series; a set
counted in days goes out on the day her stage began (or so many days after),
whatever the weekday, and may come again every so many days.
"""

from dataclasses import dataclass, field

from . import yamlfile

MESSAGE_SETS_DIR = "message_sets"


@dataclass(frozen=True)
class Message:
    id: str
    at: int
    topic: str
    text: str  # text key
    line: int | None = None
    until_week: int | None = None  # unit day: not after this week of pregnancy or baby's age


@dataclass
class MessageSet:
    name: str
    stage: str
    unit: str
    first: int
    last: int
    file: str
    opt_in: str | None = None
    every: int | None = None  # unit day: days after which each message is sent again
    messages: list = field(default_factory=list)
    _by_at: dict = field(default=None, init=False, repr=False, compare=False)

    def message_at(self, at):
        """Return the message for week/month/number `at`, or None (the first, if two share it)."""
        if self._by_at is None:  # looked up for every due mother in a national dispatch
            self._by_at = {}
            for message in self.messages:
                self._by_at.setdefault(message.at, message)
        return self._by_at.get(at)


def build_message_set(file, data, lines):
    messages = [Message(m["id"], m["at"], m["topic"], m["text"],
                        yamlfile.line_of(lines, "messages", n), m.get("until_week"))
                for n, m in enumerate(data["messages"])]
    return MessageSet(data["message_set"], data["stage"], data["unit"], data["first"],
                      data["last"], file, data.get("opt_in"), data.get("every"), messages)
