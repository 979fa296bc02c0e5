"""When to start a process again after it died, and when to stop trying."""

QUICK_SECONDS = 30.0
"""A process that dies sooner than this after starting died "quickly": something is wrong."""

GIVE_UP_AFTER = 5
"""Quick deaths in a row after which the process is left stopped, so a crash loop cannot spin."""

FIRST_PAUSE = 1.0
"""Seconds before starting again after the first quick death; doubled after each next one."""


class Restarts:
    """The restart pauses of one process: none after a long run, growing after quick deaths."""

    def __init__(self, quick_seconds=QUICK_SECONDS, give_up_after=GIVE_UP_AFTER,
                 first_pause=FIRST_PAUSE):
        self.quick_seconds, self.give_up_after = quick_seconds, give_up_after
        self.first_pause = first_pause
        self.quick_deaths = 0
        self.started_at = None

    def started(self, now):
        """Note that the process started at `now` (seconds, any steady clock)."""
        self.started_at = now

    def died(self, now):
        """Return the pause before the next start, or None to give up."""
        if self.started_at is None or now - self.started_at >= self.quick_seconds:
            self.quick_deaths = 0  # it ran well for a while: this death is news, start at once
            return 0.0
        self.quick_deaths += 1
        if self.quick_deaths >= self.give_up_after:
            return None
        return self.first_pause * 2 ** (self.quick_deaths - 1)
