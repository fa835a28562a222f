"""The microscopic model against the deterministic engine, and its invariants."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paradeops.io.planfile import parse_plan
from paradeops.model.plan import Plan
from paradeops.simulation import simulate
from paradeops.simulation.sampling import without_noise
from paradeops.timing.engine import schedule
from tests.conftest import plan_text

TANKS = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}\n"
FLOAT = "- {id: fl, kind: float, length_m: 12, speed_kmh: 4, show_stop: {at: tribune, duration_s: 60}}\n"


def _plan(units: str, **kw: str) -> Plan:
    return parse_plan(plan_text(units, **kw), "test.yaml")


def _deterministic(plan: Plan, runs: int = 1) -> Any:
    s = schedule(plan)
    return s, simulate(plan, s, runs, np.random.default_rng(0), spec=without_noise(plan.simulation))


def test_zero_noise_vehicle_column_agrees_with_engine_within_acceleration_lag() -> None:
    # IDM starts from rest, the engine at full speed: the head loses at most
    # about v/a seconds (here 5.6 m/s at 1 m/s² → 5.6 s) getting up to speed;
    # the tail, starting at rest too, the same plus a few seconds of the
    # column settling to its spacing. Stated tolerance: v/a + 3 s.
    plan = _plan(TANKS)
    s, r = _deterministic(plan)
    tol = (20 / 3.6) / 1.0 + 3.0
    for p_sim, p_eng in zip(r.unit("t90m").passes, s.units[0].passes, strict=True):
        assert p_sim.head.p50 >= p_eng.head - 0.2  # never ahead of free flow
        assert p_sim.head.p50 - p_eng.head == pytest.approx(0, abs=tol)
        assert p_sim.tail.p50 - p_eng.tail == pytest.approx(0, abs=tol)


def test_zero_noise_foot_box_agrees_with_engine() -> None:
    plan = _plan(BOX)
    s, r = _deterministic(plan)
    for p_sim, p_eng in zip(r.unit("box").passes, s.units[0].passes, strict=True):
        assert p_sim.head.p50 - p_eng.head == pytest.approx(0, abs=2.0)
        assert p_sim.tail.p50 - p_eng.tail == pytest.approx(0, abs=3.0)


def test_show_stop_holds_the_float_and_queues_the_unit_behind() -> None:
    plan = _plan(FLOAT + TANKS)
    s, r = _deterministic(plan)
    fl = r.unit("fl")
    at = next(p for p in fl.passes if p.checkpoint == "tribune")
    after = next(p for p in fl.passes if p.checkpoint == "release")
    # 270 m at 4 km/h is 243 s; with the 60 s stop it takes over 300 s.
    assert after.head.p50 - at.head.p50 > 243 + 60 - 1
    assert r.unit("t90m").held_probability == 1.0


def test_same_seed_same_result_whatever_the_chunk() -> None:
    plan = _plan(BOX + TANKS + FLOAT)
    s = schedule(plan)
    a = simulate(plan, s, 20, np.random.default_rng(42), chunk=7)
    b = simulate(plan, s, 20, np.random.default_rng(42), chunk=20)
    assert a.units == b.units and a.window == b.window


def test_noise_spreads_the_times() -> None:
    plan = _plan(BOX + TANKS)
    s = schedule(plan)
    r = simulate(plan, s, 50, np.random.default_rng(1))
    p = r.unit("t90m").passes[-1].tail
    assert p.p5 < p.p50 < p.p95
    assert len(r.fan) == 2 and r.fan[0].times.shape[0] == 30


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    units = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["foot", "vehicles", "float"]))
        gap = draw(st.floats(0, 60))
        if kind == "foot":
            units.append(
                f"- {{id: u{i}, kind: foot, ranks: {draw(st.integers(1, 8))}, gap_m: {gap}, "
                f"rank_spacing_m: {draw(st.floats(0.8, 2))}, speed_kmh: {draw(st.floats(3, 7))}}}\n"
            )
        elif kind == "vehicles":
            units.append(
                f"- {{id: u{i}, kind: vehicles, count: {draw(st.integers(1, 5))}, gap_m: {gap}, "
                f"vehicle_length_m: {draw(st.floats(3, 15))}, "
                f"spacing_m: {draw(st.floats(0, 30))}, speed_kmh: {draw(st.floats(4, 25))}}}\n"
            )
        else:
            stop = ", show_stop: {at: tribune, duration_s: 20}" if draw(st.booleans()) else ""
            units.append(
                f"- {{id: u{i}, kind: float, length_m: {draw(st.floats(4, 20))}, gap_m: {gap}, "
                f"speed_kmh: {draw(st.floats(2, 10))}{stop}}}\n"
            )
    return _plan("".join(units))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.integers(0, 2**32 - 1))
def test_invariants_on_random_plans(plan: Plan, seed: int) -> None:
    s = schedule(plan)
    r = simulate(plan, s, 5, np.random.default_rng(seed))
    assert r.unfinished_runs == 0
    ground = [u for u in r.units if u.simulated]
    for u in ground:
        heads = [p.head.p50 for p in u.passes]
        tails = [p.tail.p50 for p in u.passes]
        assert np.all(np.diff(heads) > 0) and np.all(np.diff(tails) >= 0)  # along the route
        assert all(h <= t + 1e-9 for h, t in zip(heads, tails, strict=True))
    # Nobody overtakes: in every run the follower's head passes each point
    # after the leader's tail (checked on the fan's runs at every grid point).
    for lead, foll in zip(r.fan, r.fan[1:], strict=False):
        assert np.all(foll.times >= lead.times - 1e-6)
