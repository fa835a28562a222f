"""Regression guard: the simulation gives the same figures as before the kernel refactor.

Every literal here was recorded from commit 1c0d0f1 (before the kernels took
named groups of arrays, issue 12), with the examples' plans, seed 1. They are
no hand-worked truths (tests/simulation/test_model*.py holds those): they pin
the behaviour, so a restructuring or speed-up of the kernel that changes any
result by more than 1e-9 s (or one agent-update) fails here. The city parade
runs 10 times rather than 50 to keep the test short (50 take half a minute).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from paradeops.io.planfile import load_plan
from paradeops.simulation import SimulationResult, simulate
from paradeops.simulation.results import Percentiles
from paradeops.timing.engine import schedule

ROOT = Path(__file__).resolve().parents[2]
TOL = 1e-9

Triple = tuple[float, float, float]


@cache
def _result(example: str, runs: int) -> SimulationResult:
    plan = load_plan(ROOT / "examples" / example / "plan.yaml")
    return simulate(plan, schedule(plan), runs, np.random.default_rng(1), seed=1)


def _triple(p: Percentiles) -> Triple:
    return (p.p5, p.p50, p.p95)


VICTORY_DAY_PASSES = [
    # unit, checkpoint, P(held), head P5/P50/P95, tail P5/P50/P95
    ("colour-guard", "tribune", 0.0,
     (407.46989605940576, 424.6942614558207, 443.5231918570556),
     (409.56515132715464, 426.8906664604582, 445.81736143857967)),
    ("massed-band", "tribune", 0.28,
     (967.7477283767971, 998.7437063552543, 1042.4714577605491),
     (983.442850464259, 1014.5118201157375, 1058.8865678154764)),
    ("yars", "release", 0.0,
     (2049.5026077816774, 2085.040546124301, 2115.645777992863),
     (2072.4866277909246, 2108.483366807536, 2139.015537919407)),
]  # fmt: skip

CITY_PARADE_PASSES = [
    ("mounted-police", "finish", 0.0,
     (3041.548002013445, 3085.725199279461, 3213.619448143393),
     (3049.8343965975832, 3094.1631821742385, 3222.456637653448)),
    ("float-old-town-traders", "grandstand", 0.9,  # a show stop at the grandstand
     (2263.208558310053, 2333.111085962424, 2391.8574154010753),
     (2275.089692180498, 2345.5619774621273, 2404.6107927057446)),
    ("mounted-police-rear", "finish", 0.9,
     (8295.511348239992, 8346.075733189056, 8487.405551669739),
     (8300.697661356277, 8351.429980237051, 8492.987266456485)),
]  # fmt: skip

CASES = [
    # example, runs, agent-updates, P(late), last tail P5/P50/P95, the 4th gap, passes
    ("victory-day-2025", 50, 53288034, 0.0,
     (1973.133271553681, 2008.1000357773046, 2038.7571157410698),
     ("space-academy", 0.0, (6.434791073902682, 29.502523689287614, 58.76353803008454)),
     VICTORY_DAY_PASSES),
    ("city-parade", 10, 108107909, 1.0,
     (7311.801631182068, 7351.861238303656, 7452.668985070805),
     ("dance-capoeira-riverside", 0.0,
      (5.953708468553975, 13.272858291156695, 72.49557983565091)),
     CITY_PARADE_PASSES),
]  # fmt: skip


@pytest.mark.parametrize(
    ("example", "runs", "updates", "p_late", "last_tail", "gap", "passes"), CASES
)
def test_same_figures_as_before_the_refactor(
    example: str,
    runs: int,
    updates: int,
    p_late: float,
    last_tail: Triple,
    gap: tuple[str, float, Triple],
    passes: list[tuple[str, str, float, Triple, Triple]],
) -> None:
    r = _result(example, runs)
    assert r.unfinished_runs == 0
    assert r.agent_updates == updates
    assert r.window.probability_late == p_late
    assert _triple(r.window.last_tail) == pytest.approx(last_tail, abs=TOL)
    g = r.gaps[3]
    assert (g.unit, g.probability) == gap[:2]
    assert _triple(g.gap_m) == pytest.approx(gap[2], abs=TOL)
    for unit_id, checkpoint, held, head, tail in passes:
        u = r.unit(unit_id)
        assert u.held_probability == held
        p = next(p for p in u.passes if p.checkpoint == checkpoint)
        assert _triple(p.head) == pytest.approx(head, abs=TOL), (unit_id, checkpoint)
        assert _triple(p.tail) == pytest.approx(tail, abs=TOL), (unit_id, checkpoint)
