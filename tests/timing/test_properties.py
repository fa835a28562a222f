"""Invariants of the timing engine on random plans (Hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from paradeops.errors import UserError
from paradeops.model.plan import Plan
from paradeops.timing.engine import schedule
from paradeops.timing.envelope import free_flow, limits_on_head
from paradeops.timing.schedule import Schedule

TOL = 1e-6


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    n_cp = draw(st.integers(2, 6))
    steps = draw(st.lists(st.floats(20, 800), min_size=n_cp - 1, max_size=n_cp - 1))
    at = np.concatenate(([0.0], np.cumsum(steps)))
    rev = draw(st.integers(0, n_cp - 1))
    cps = [
        {"id": f"c{i}", "at_m": float(a), "reviewing": i == rev} for i, a in enumerate(at)
    ]
    limits = []
    if n_cp > 2 and draw(st.booleans()):
        a = draw(st.integers(0, n_cp - 2))
        b = draw(st.integers(a + 1, n_cp - 1))
        limits.append({"from": f"c{a}", "to": f"c{b}", "max_kmh": draw(st.floats(2, 15))})
    units: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["foot", "vehicles", "float", "aircraft"]))
        u: dict[str, Any] = {"id": f"u{i}", "kind": kind}
        if kind == "foot":
            u |= {
                "ranks": draw(st.integers(1, 20)),
                "rank_spacing_m": draw(st.floats(0.8, 2)),
                "cadence_spm": draw(st.floats(60, 130)),
                "pace_m": draw(st.floats(0.5, 0.9)),
            }
        elif kind == "vehicles":
            u |= {
                "count": draw(st.integers(1, 12)),
                "vehicle_length_m": draw(st.floats(3, 15)),
                "spacing_m": draw(st.floats(0, 40)),
                "speed_kmh": draw(st.floats(3, 40)),
            }
        elif kind == "float":
            u |= {"length_m": draw(st.floats(1, 30)), "speed_kmh": draw(st.floats(1, 6))}
        else:
            u |= {"over": f"c{rev}", "at": "10:20:00"}
        if kind != "aircraft":
            if draw(st.booleans()):
                u["gap_m"] = draw(st.floats(0, 60))
            if draw(st.integers(0, 3)) == 0:
                u["show_stop"] = {
                    "at": f"c{draw(st.integers(0, n_cp - 1))}",
                    "duration_s": draw(st.floats(1, 120)),
                }
            if units and draw(st.integers(0, 4)) == 0:
                minute = draw(st.integers(0, 20))
                u["step_off"] = f"10:{minute:02d}:00"
        units.append(u)
    if all(u["kind"] == "aircraft" for u in units):
        units.append({"id": "last", "kind": "float", "length_m": 5, "speed_kmh": 3})
    return Plan.model_validate(
        {
            "version": 1,
            "parade": {
                "name": "random",
                "date": "2025-05-09",
                "timezone": "UTC",
                "start": "10:00:00",
            },
            "route": {"checkpoints": cps, "speed_limits": limits},
            "defaults": {"gap_m": draw(st.floats(0, 50)), "min_gap_m": draw(st.floats(0, 10))},
            "units": units,
        }
    )


COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scheduled(plan: Plan) -> Schedule:
    """The schedule of a random plan; a random ``step_off`` the unit ahead
    makes impossible is an error by design (tests/timing/test_model_step_off.py),
    and such an example is drawn again."""
    try:
        return schedule(plan)
    except UserError as e:
        assert all(p.field is not None and p.field.endswith(".step_off") for p in e.problems)
        reject()


def _ground(s: Schedule):  # type: ignore[no-untyped-def]
    return [u for u in s.units if u.trajectory is not None]


@COMMON
@given(plans())
def test_times_increase_along_the_route(plan: Plan) -> None:
    s = scheduled(plan)
    for u in _ground(s):
        heads = [p.head for p in u.passes]
        tails = [p.tail for p in u.passes]
        assert all(b > a for a, b in zip(heads, heads[1:], strict=False))
        assert all(b > a for a, b in zip(tails, tails[1:], strict=False))
        assert all(t >= h - TOL for h, t in zip(heads, tails, strict=True))
        assert heads[0] == u.step_off or abs(heads[0] - u.step_off) < 1e-6 or heads[0] > u.step_off


@COMMON
@given(plans())
def test_no_unit_ever_comes_closer_than_min_gap_to_the_one_ahead(plan: Plan) -> None:
    s = scheduled(plan)
    ground = _ground(s)
    end = s.checkpoints[-1].at_m
    min_gap = plan.defaults.min_gap_m
    # Past the release point (the last checkpoint) units disperse.
    ys = np.linspace(0, end - min_gap, 400)
    for lead, follow in zip(ground, ground[1:], strict=False):
        shift = lead.length_m + min_gap
        # The follower's head reaches y no earlier than the leader's head reaches y + shift.
        earliest = lead.trajectory.arrive(ys + shift)
        assert np.all(follow.trajectory.arrive(ys) >= earliest - 1e-6)
        # ... and in time: sampled positions never overlap while both are on the route.
        times = np.linspace(follow.step_off, follow.passes[-1].tail, 300)
        lead_tail = lead.trajectory.position(times) - lead.length_m
        gap = lead_tail - follow.trajectory.position(times)
        on_route = (follow.trajectory.position(times) > 0) & (lead_tail <= end)
        assert np.all(gap[on_route] >= min_gap - 1e-6)


@COMMON
@given(plans())
def test_a_held_unit_never_arrives_before_its_free_flow_time(plan: Plan) -> None:
    s = scheduled(plan)
    limits = s.speed_limits
    ys = np.linspace(0, s.checkpoints[-1].at_m, 200)
    for u in _ground(s):
        unit = next(x for x in plan.units if x.id == u.id)
        stop = None
        if unit.show_stop is not None:
            stop = (next(c.at_m for c in s.checkpoints if c.id == unit.show_stop.at),
                    unit.show_stop.duration_s)
        caps = limits_on_head(limits, u.length_m)
        free = free_flow(u.speed_ms, ys[-1] + u.length_m + 1, caps, stop)
        assert np.all(u.trajectory.arrive(ys) >= u.step_off + free.arrive(ys) - 1e-6)
        assert u.held_s >= 0


@COMMON
@given(plans())
def test_the_trajectory_never_moves_faster_than_the_unit_may(plan: Plan) -> None:
    s = scheduled(plan)
    for u in _ground(s):
        tr = u.trajectory
        pace = (tr.t_left[1:] - tr.t_right[:-1]) / np.diff(tr.x)
        assert np.all(pace >= 1 / u.speed_ms - 1e-6)
        assert np.all(tr.t_right >= tr.t_left - 1e-9)


@COMMON
@given(plans())
def test_passes_made_on_demand_agree_with_the_arrays_and_the_summary(plan: Plan) -> None:
    s = scheduled(plan)
    for u in s.units:
        assert [p.checkpoint for p in u.passes] == list(u.checkpoint_ids)
        assert [p.head for p in u.passes] == u.heads.tolist()
        assert [p.tail for p in u.passes] == u.tails.tolist()
        leaves = u.head_leaves.tolist()
        assert [p.head_leaves for p in u.passes] == [None if t != t else t for t in leaves]
        for p in u.passes:
            assert u.at(p.checkpoint) == p
        if u.trajectory is not None:
            # The trajectory's arrival at each checkpoint is the head's pass.
            at_m = [c.at_m for c in s.checkpoints]
            assert np.allclose(u.trajectory.arrive(at_m), u.heads, rtol=0, atol=1e-6)
    ground = _ground(s)
    assert s.summary.first_head == min(u.passes[0].head for u in ground)
    assert s.summary.last_tail == max(u.passes[-1].tail for u in ground)
