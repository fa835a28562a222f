from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EX25 = ROOT / "examples" / "victory-day-2025" / "plan.yaml"
EX23 = ROOT / "examples" / "victory-day-2023" / "plan.yaml"

# A straight 100 m route, the reviewing stand at 50 m. Two foot units of
# 11 ranks 0.95 m apart, the last 0.5 m deep (10 x 0.95 + 0.5 = 10 m long)
# at 120 steps/min x 0.5 m = 1 m/s, gap 10 m:
#   a: head at the stand at 50 s, tail at 60 s (steps off at 0)
#   b: steps off when a's head is at 10 + 10 = 20 m, i.e. at 20 s;
#      head at the stand at 70 s, tail at 80 s.
BASE = """\
version: 1
parade: {name: Test parade, date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"}
route:
  checkpoints:
    - {id: start, at_m: 0}
    - {id: stand, at_m: 50, reviewing: true}
    - {id: end, at_m: 100}
defaults: {gap_m: 10, min_gap_m: 5}
units:
  - {id: a, kind: foot, ranks: 11, files: 4, rank_spacing_m: 0.95, cadence_spm: 120, pace_m: 0.5}
  - {id: b, kind: foot, ranks: 11, files: 5, rank_spacing_m: 0.95, cadence_spm: CADENCE_B, pace_m: 0.5}
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(text: str, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def base_plan() -> Callable[..., str]:
    def _base(extra: str = "", cadence_b: float = 120) -> str:
        return BASE.replace("CADENCE_B", f"{cadence_b:g}") + extra

    return _base
