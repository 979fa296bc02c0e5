"""The engine alone (no Flask, no Redis), and the time to load and check all flows.

Run: .venv/bin/python -m bench.engine_and_startup

Engine: a typical walk (dial, Kiswahili, not now, a topic, a sub-topic, back,
main menu) repeated many times, in steps per second. Startup: loading and
checking every flow, text and message set, as the app does when it starts.
"""

import time
from datetime import date
from pathlib import Path

from bench.machine import Steal
from bot.content.loader import load_content, read_content
from bot.engine import start, step

ROOT = Path(__file__).resolve().parent.parent
WALK = ["2", "2", "1", "2", "0", "00", "3", "1", "98", "0", "00"]


def engine_rate(content, seconds=3.0):
    today, steps, started = date(2026, 11, 24), 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        contact = {}
        result = start(content, contact, today=today)
        for answer in WALK:
            result = step(content, result.session, contact, answer, today=today)
            for effect in result.effects:
                if effect.kind == "set_field":
                    contact[effect.name] = effect.value
        steps += 1 + len(WALK)
    return steps / (time.perf_counter() - started)


def best_of(runs, action):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main():
    steal = Steal()
    content = load_content(ROOT / "flows", ROOT / "locales")
    print(f"engine alone: {engine_rate(content):.0f} steps/s (one core)")
    read = best_of(5, lambda: read_content(ROOT / "flows", ROOT / "locales"))
    print(f"load and check all flows, texts and message sets: {read * 1000:.0f} ms (best of 5)")
    print(steal.line())


if __name__ == "__main__":
    main()
