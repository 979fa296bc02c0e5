"""The code keeps the project's lint rules (ruff: E, F, W, I, B, UP)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    beside = Path(sys.executable).parent / "ruff"  # installed with the test extras
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    assert ruff, "ruff is missing: install the test extras (pip install -e '.[test]')"
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
