"""The IDM kernel against Eclipse SUMO on a small column (skips only without SUMO)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("sumo") is None, reason="eclipse-sumo is not installed"
)


def test_small_column_agrees_with_sumo_within_half_a_second() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import vs_sumo
    finally:
        sys.path.pop(0)
    if not vs_sumo.sumo_binary().exists():
        pytest.skip("the eclipse-sumo wheel has no sumo binary here")
    c = vs_sumo.Column(vehicles=12, route_m=400.0, points=(50.0, 200.0, 400.0), step=0.1)
    worst, ours, sumo, _ = vs_sumo.compare(c, runs=4)
    assert worst < 0.5
    assert ours > 0 and sumo > 0
