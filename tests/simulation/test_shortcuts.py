"""The shortcuts against the full model (issue 13).

A unit in free flow, or in equilibrium behind a unit that cruises, is
advanced in one move until the earliest moment anything can change for it
(docs/simulation.md, *Cruising units*). The full model (``shortcuts=False``)
computes every agent at every step. On every shipped example and on the
synthetic large parade, with the same seed, the two must give P5, P50 and P95
of every unit's head and tail passing time at every checkpoint within 1 s of
each other, and the same runs must finish.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paradeops.io.planfile import load_plan
from paradeops.model.plan import Plan
from paradeops.simulation import SimulationResult, simulate
from paradeops.synthetic import rose_parade_plan
from paradeops.timing.engine import schedule

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/plan.yaml"))
#: The largest difference allowed at any checkpoint [s] (issue 13).
TOLERANCE_S = 1.0


def _both(plan: Plan, runs: int, seed: int) -> tuple[SimulationResult, SimulationResult]:
    sched = schedule(plan)
    return tuple(  # type: ignore[return-value]
        simulate(plan, sched, runs, np.random.default_rng(seed), seed=seed, shortcuts=sc)
        for sc in (False, True)
    )


def _largest_difference(full: SimulationResult, fast: SimulationResult) -> float:
    worst = 0.0
    for uf, us in zip(full.units, fast.units, strict=True):
        assert uf.id == us.id
        for pf, ps in zip(uf.passes, us.passes, strict=True):
            for a, b in ((pf.head, ps.head), (pf.tail, ps.tail)):
                for q in ("p5", "p50", "p95"):
                    worst = max(worst, abs(getattr(a, q) - getattr(b, q)))
    return worst


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_shortcuts_agree_with_the_full_model_on_the_examples(path: Path) -> None:
    full, fast = _both(load_plan(path), runs=20, seed=5)
    assert fast.unfinished_runs == full.unfinished_runs == 0
    assert _largest_difference(full, fast) <= TOLERANCE_S
    # The held and late probabilities come from the same passing times.
    assert fast.window.probability_late == full.window.probability_late


def test_the_shortcuts_agree_with_the_full_model_on_a_large_parade() -> None:
    full, fast = _both(rose_parade_plan(100), runs=6, seed=11)
    assert fast.unfinished_runs == full.unfinished_runs == 0
    assert _largest_difference(full, fast) <= TOLERANCE_S


def test_a_unit_alone_on_the_road_cruises_exactly() -> None:
    # One entry alone on the 9 km route: once at its speed it cruises from
    # event to event (the limit, the stand), and every pass on the way is
    # timed on its straight line: within a millisecond of the full model.
    plan = rose_parade_plan(1)
    full, fast = _both(plan, runs=3, seed=2)
    assert _largest_difference(full, fast) < 1e-3
