"""A no-noise simulation agrees with the engine under speed limits and show stops.

Both hold a whole unit to a limit while any part of it is inside the
stretch, keep the planned distances inside a unit at every speed, stop a
unit's head at its show stop for the planned time, and free a follower once
the unit ahead's tail passes the release point. What remains is the
documented allowance (docs/simulation.md, "Agreement with the engine"): the
engine starts, stops and restarts at full speed, the simulation from rest at
``accel_ms2`` and braking at ``decel_ms2``; a unit held behind another keeps
IDM's headway ``tau_s`` on top of ``min_gap_m``; lags are inherited down the
column.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from paradeops.io.planfile import parse_plan
from paradeops.model.plan import Plan, Unit
from paradeops.model.units import length_m, speed_ms
from paradeops.simulation import simulate
from paradeops.simulation.sampling import without_noise
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule
from tests.conftest import plan_text

TANKS = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
LIMIT = "  speed_limits:\n    - {from: start, to: tribune, max_kmh: 12}\n"


def _simulated(plan: Plan):  # type: ignore[no-untyped-def]
    s = schedule(plan)
    return s, simulate(plan, s, 1, np.random.default_rng(0), spec=without_noise(plan.simulation))


def test_six_tanks_under_a_limit_keep_their_length_in_the_simulation() -> None:
    # Engine: tail at the tribune at 362.6 × 0.3 = 108.78 s (tests/timing/
    # test_model_speed_limits.py). The simulation's head gets up to 12 km/h
    # from rest at 1 m/s²: it loses at most v/a = 3.33 s; the column keeps its
    # 25 m spacing at 12 km/h, so the tail loses the same and no more.
    plan = parse_plan(plan_text(TANKS, extra=LIMIT), "t.yaml")
    s, r = _simulated(plan)
    tribune = r.unit("t90m").passes[1]
    head_lag = tribune.head.p50 - s.units[0].passes[1].head
    tail_lag = tribune.tail.p50 - 108.78
    assert 0 <= head_lag <= 12 / 3.6 / 1.0
    assert abs(tail_lag - head_lag) < 0.5


def test_one_foot_unit_with_a_show_stop_under_a_limit_worked_by_hand() -> None:
    # One foot unit: 3 ranks 1.5 m apart (+ 0.5 m depth: 3.5 m long), 3 km/h,
    # a 20 s show stop at the tribune (180 m), 2 km/h from start to release.
    # v = 2/3.6 = 0.5556 m/s (the limit holds the whole route).
    # Engine: head at the tribune 180 / 0.5556 = 324.0 s, leaves at 344.0 s;
    # tail at the tribune when the head is at 183.5 m: 344.0 + 3.5/0.5556 =
    # 350.3 s; head at the release 344.0 + 270/0.5556 = 830.0 s.
    # Simulation (step 0.2 s): the head gets to 0.5556 m/s from rest at
    # 1.5 m/s² (IIDM; at most v/a = 0.37 s lost), keeps it, and brakes at
    # b = 2 m/s² onto the braking curve to the stop: v/(2b) = 0.14 s lost, so
    # it arrives at most 0.37 + 0.14 = 0.51 s (+ a step) late, never early.
    # It stands 20 s from its arrival (the restart waits for the next step:
    # up to 0.2 s more) and gets up to speed again: at most another 0.37 s.
    # Before the fix it crept in asymptotically: 336.2 s (12.2 s late).
    plan = parse_plan(plan_text(
        "- {id: box, kind: foot, ranks: 3, rank_spacing_m: 1.5, speed_kmh: 3, "
        "show_stop: {at: tribune, duration_s: 20}}\n",
        extra="  speed_limits:\n    - {from: start, to: release, max_kmh: 2}\n",
    ), "t.yaml")
    s, r = _simulated(plan)
    start, tribune, release = s.units[0].passes
    assert (tribune.head, tribune.head_leaves) == pytest.approx((324.0, 344.0), abs=0.01)
    assert tribune.tail == pytest.approx(350.3, abs=0.01)
    assert release.head == pytest.approx(830.0, abs=0.01)
    sim = r.unit("box").passes
    v, a, b = 2 / 3.6, 1.5, 2.0
    assert 324.0 <= sim[1].head.p50 <= 324.0 + v / a + v / (2 * b) + 0.2
    # The tail passes the tribune after the restart: both losses and the step.
    assert 350.3 <= sim[1].tail.p50 <= 350.3 + 2 * v / a + v / (2 * b) + 0.4
    assert 830.0 <= sim[2].head.p50 <= 830.0 + 2 * v / a + v / (2 * b) + 0.4


CHECKPOINT_M = {"start": 0.0, "tribune": 180.0, "release": 450.0}
#: Standing queues may differ by this much between the simulation and the
#: engine (the head of a held unit may stop inside ``min_gap_m``; a follower
#: reacting a step late stands up to ``v·step_s`` closer): see ``_ill_posed``.
STANDING_TOLERANCE_M = 3.0


def _ill_posed(plan: Plan, s: Schedule) -> bool:
    """Where the engine's answer jumps: a unit's head or tail stands (show stop
    or held behind one) within ``STANDING_TOLERANCE_M`` of a checkpoint other
    than its own stop point, or of the point where it lets the next unit step
    off (``gap_m`` past the start). There a few decimetres change a passing
    time by a whole stop (docs/simulation.md)."""
    marks = list(CHECKPOINT_M.values())
    for j, (u, planned) in enumerate(zip(plan.units, s.units, strict=True)):
        tr = planned.trajectory
        assert tr is not None
        length = length_m(u)
        nxt = plan.units[j + 1] if j + 1 < len(plan.units) else None
        gap = [] if nxt is None else [plan.defaults.gap_m if nxt.gap_m is None else nxt.gap_m]
        for x in tr.x[tr.t_right - tr.t_left > 1e-6]:
            if any(1e-6 < abs(x - c) < STANDING_TOLERANCE_M for c in marks):
                return True
            if any(abs(x - length - c) < STANDING_TOLERANCE_M for c in marks + gap):
                return True
    return False


def speed_changes(plan: Plan, unit: Unit) -> tuple[float, float]:
    """The rises and the drops [m/s] in ``unit``'s planned speed from its
    step-off until its tail passes the last checkpoint: from rest to its
    speed, down into and up out of each limited stretch (capped while any part
    of the unit is inside, as in the engine), down to 0 at its show stop and
    up again."""
    v, length = speed_ms(unit), length_m(unit)
    end = CHECKPOINT_M["release"] + length
    stop = None if unit.show_stop is None else CHECKPOINT_M[unit.show_stop.at]
    limits = [(CHECKPOINT_M[lim.from_], CHECKPOINT_M[lim.to] + length, lim.max_kmh / 3.6)
              for lim in plan.route.speed_limits]
    cuts = sorted({0.0, end, *(x for a, b, _ in limits for x in (a, b) if x < end)})
    profile = [0.0]  # the head's speed on each piece, from rest
    for x0, x1 in zip(cuts, cuts[1:], strict=False):
        mid = (x0 + x1) / 2
        if stop is not None and x0 <= stop < x1:
            profile += [_capped(v, limits, x0 + 1e-9), 0.0]
        profile.append(_capped(v, limits, mid))
    steps = np.diff(profile)
    return float(steps[steps > 0].sum()), float(-steps[steps < 0].sum())


def _capped(v: float, limits: list[tuple[float, float, float]], x: float) -> float:
    return min([v] + [w for a, b, w in limits if a <= x < b])


def allowance(plan: Plan) -> list[float]:
    """Per unit, how much later than the engine the simulation may be [s]
    (docs/simulation.md): for the unit and every unit ahead, each rise ``Δv``
    of its planned speed costs ``Δv/a`` and each drop ``Δv/(2b)`` (a:
    ``accel_ms2``, b: ``decel_ms2`` of the unit's kind), and every unit ahead
    adds its ``tau_s``."""
    out, total = [], 0.0
    for unit in plan.units:
        p = getattr(plan.simulation.idm, unit.kind)
        rises, drops = speed_changes(plan, unit)
        total += rises / p.accel_ms2 + drops / (2 * p.decel_ms2)
        out.append(total)
        total += p.tau_s
    return out


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    units = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["foot", "vehicles", "float"]))
        gap = draw(st.floats(5, 60))
        stop = ""
        if draw(st.booleans()):
            at = draw(st.sampled_from(list(CHECKPOINT_M)))
            stop = f", show_stop: {{at: {at}, duration_s: {draw(st.floats(1, 60))}}}"
        if kind == "foot":
            units.append(
                f"- {{id: u{i}, kind: foot, ranks: {draw(st.integers(1, 8))}, gap_m: {gap}, "
                f"rank_spacing_m: {draw(st.floats(0.8, 2))}, speed_kmh: {draw(st.floats(3, 7))}{stop}}}\n"
            )
        elif kind == "vehicles":
            units.append(
                f"- {{id: u{i}, kind: vehicles, count: {draw(st.integers(1, 5))}, gap_m: {gap}, "
                f"vehicle_length_m: {draw(st.floats(3, 15))}, "
                f"spacing_m: {draw(st.floats(2, 30))}, speed_kmh: {draw(st.floats(4, 25))}{stop}}}\n"
            )
        else:
            units.append(
                f"- {{id: u{i}, kind: float, length_m: {draw(st.floats(4, 20))}, gap_m: {gap}, "
                f"speed_kmh: {draw(st.floats(2, 10))}{stop}}}\n"
            )
    limit = ""
    if draw(st.integers(0, 4)):  # most plans have a limit
        stretch = draw(st.sampled_from(
            [("start", "tribune"), ("tribune", "release"), ("start", "release")]
        ))
        limit = (
            f"  speed_limits:\n    - {{from: {stretch[0]}, to: {stretch[1]}, "
            f"max_kmh: {draw(st.floats(2, 15))}}}\n"
        )
    return parse_plan(plan_text("".join(units), extra=limit), "t.yaml")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_no_noise_simulation_agrees_with_the_engine(plan: Plan) -> None:
    s = schedule(plan)
    assume(not _ill_posed(plan, s))
    r = simulate(plan, s, 1, np.random.default_rng(0), spec=without_noise(plan.simulation))
    for planned, unit, allowed in zip(s.units, plan.units, allowance(plan), strict=True):
        for p_eng, p_sim in zip(planned.passes, r.unit(unit.id).passes, strict=True):
            for eng, sim in ((p_eng.head, p_sim.head.p50), (p_eng.tail, p_sim.tail.p50)):
                assert sim >= eng - 1.0, (unit.id, p_eng.checkpoint, sim - eng)
                assert sim <= eng + allowed + 1.0, (unit.id, p_eng.checkpoint, sim - eng, allowed)
