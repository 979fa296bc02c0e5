"""What the machine itself was doing during a measurement.

On a shared virtual machine the host can take CPU time away ("steal"), and
then every figure of the run is lower than the code deserves. Each benchmark
prints the share stolen so a reader can tell a slow run from slow code.
"""

import time
from pathlib import Path

STAT = Path("/proc/stat")


class Steal:
    """Measure the share of CPU time the host took between start and `share()`."""

    def __init__(self):
        self.start = _read()

    def share(self):
        end = _read()
        if self.start is None or end is None:
            return None
        total = end[0] - self.start[0]
        return (end[1] - self.start[1]) / total if total else 0.0

    def line(self):
        share = self.share()
        if share is None:
            return "CPU time taken by the host during the run: not known (no /proc/stat)"
        return f"CPU time taken by the host (steal) during the run: {share:.0%}"


def _read():
    """(all CPU time, stolen time) in clock ticks since boot, or None off Linux."""
    try:
        fields = [int(part) for part in STAT.read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return sum(fields[:8]), fields[7] if len(fields) > 7 else 0


if __name__ == "__main__":
    steal = Steal()
    time.sleep(5)
    print(steal.line())
