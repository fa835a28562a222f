"""Which column kernel the engine runs: plain Python unless numba pays for itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paradeops.timing import engine, kernel

ROOT = Path(__file__).resolve().parents[2]


def test_a_small_column_runs_plain_python_in_a_fresh_process() -> None:
    """``validate`` and a one-shot ``schedule`` of a real plan never import numba."""
    code = (
        "import sys; from pathlib import Path; from paradeops.io.planfile import load_plan; "
        "from paradeops.timing.engine import schedule; "
        "schedule(load_plan(Path('examples/victory-day-2025/plan.yaml'))); "
        "print('numba' in sys.modules)"
    )
    p = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert p.stdout.strip() == "False", p.stderr


def test_a_long_column_runs_compiled_when_numba_is_installed() -> None:
    pytest.importorskip("numba")
    chosen = engine.column_kernel(engine.COMPILED_FROM_UNITS)
    assert chosen is kernel.compiled().schedule_column


def test_once_compiled_every_column_runs_compiled() -> None:
    pytest.importorskip("numba")
    kernel.compiled()
    assert kernel.is_compiled()
    assert engine.column_kernel(1) is kernel.compiled().schedule_column
