"""Every error the bot raises on purpose, in one place.

Definition errors are found while loading flows and texts, before any mother
sees them; they say which file, state and field to fix. Run-time trouble inside
a session is not an exception at all: the engine turns it into an event and
carries on, so a caller always gets a screen.
"""


class BotError(Exception):
    """Base for the bot's own errors."""


class Problem:
    """One thing wrong in a flow or text file, worded for the person who edits it."""

    def __init__(self, file, message, state=None, key=None, fix=None, line=None, warning=False):
        self.warning = warning  # worth fixing, but the bot can run with it
        self.file = file
        self.state = state
        self.key = key
        self.message = message
        self.fix = fix
        self.line = line

    def __str__(self):
        where = str(self.file)
        if self.line:
            where += f", line {self.line}"
        if self.state:
            where += f", state '{self.state}'"
        if self.key:
            where += f", key '{self.key}'"
        text = f"{where}: {'warning: ' if self.warning else ''}{self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text

    def as_dict(self):
        return {
            "file": str(self.file),
            "line": self.line,
            "state": self.state,
            "key": self.key,
            "message": self.message,
            "fix": self.fix,
            "level": "warning" if self.warning else "error",
        }


class InvalidContent(BotError):
    """Flows or texts that cannot be used; carries every problem found."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in flows or texts:\n{lines}")


class InvalidSetting(BotError):
    """A setting in the environment that the bot cannot use; says which one and how to fix it."""

    def __init__(self, name, problem, fix):
        self.name = name
        super().__init__(f"The setting {name} cannot be used: {problem} Fix: {fix}")


class InvalidSettings(InvalidSetting):
    """Several settings the bot cannot use: one line each, so all are fixed in one go."""

    def __init__(self, problems):
        self.problems = list(problems)
        self.name = ", ".join(p.name for p in self.problems)
        BotError.__init__(self, "\n".join(str(p) for p in self.problems))


class StoreUnavailable(BotError):
    """Redis did not answer in time."""
