"""How serve starts a part again: at once after a long run, after growing pauses while it keeps
dying soon after starting, never again after a few such deaths or when it cannot start at all.
The programs here are real short-lived processes."""

import os
import sys
import time
from pathlib import Path

import pytest

from bot.supervisor.children import ChildProcess
from bot.supervisor.restarts import Restarts

from .serve_process import alive


def test_a_part_that_ran_a_while_is_started_again_at_once():
    restarts = Restarts()
    restarts.started(1000.0)
    assert restarts.died(1000.0 + 3600) == 0


def test_quick_deaths_wait_longer_each_time_then_give_up():
    restarts, pauses, now = Restarts(), [], 0.0
    for _ in range(5):
        restarts.started(now)
        now += 2
        pauses.append(restarts.died(now))
    assert pauses == [1, 2, 4, 8, None]


def test_a_long_run_forgives_earlier_quick_deaths():
    restarts = Restarts()
    for now in (0, 5, 10):
        restarts.started(now)
        restarts.died(now + 1)
    restarts.started(20)
    assert restarts.died(20 + 60) == 0
    restarts.started(100)
    assert restarts.died(101) == 1  # counted from the start again


def _run(part, seconds=20):
    """Tick `part` until it is given up; return what it said."""
    said, deadline = [], time.monotonic() + seconds
    while part.tick(time.monotonic(), said.append):
        assert time.monotonic() < deadline, said
        time.sleep(0.01)
    return said


def _program(code, tmp_path, **options):
    return ChildProcess("The test program", [sys.executable, "-c", code], dict(os.environ),
                        str(tmp_path), **options)


def test_a_program_that_keeps_failing_is_given_up_with_a_clear_message(tmp_path):
    part = _program("raise SystemExit(2)", tmp_path,
                    restarts=Restarts(first_pause=0.01, give_up_after=3))
    part.given_up_note = "The lines above say why."
    assert _run(part) == [
        "The test program stopped (exit code 2); starting it again in 0.01 s.",
        "The test program stopped (exit code 2); starting it again in 0.02 s.",
        "The test program stopped (exit code 2); it stopped 3 times soon after starting, so it is "
        "not started again. The lines above say why."]


def test_a_program_that_says_it_cannot_start_is_given_up_at_once(tmp_path):
    part = _program("raise SystemExit(4)", tmp_path, hopeless_codes=(3, 4))
    assert _run(part) == ["The test program stopped (exit code 4); it cannot start, so it is not "
                          "started again."]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_what_a_dead_program_leaves_behind_ends_with_it(tmp_path):
    noted = tmp_path / "left.pid"
    code = ("import subprocess, sys; left = subprocess.Popen(['sleep', '30']); "
            f"open({str(noted)!r}, 'w').write(str(left.pid)); sys.exit(1)")
    part = _program(code, tmp_path, restarts=Restarts(give_up_after=1))
    _run(part)
    left, deadline = int(Path(noted).read_text()), time.monotonic() + 5
    while alive(left) and time.monotonic() < deadline:  # killed: gone as soon as it is scheduled
        time.sleep(0.02)
    assert not alive(left)
