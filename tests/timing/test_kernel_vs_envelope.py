"""The column kernel, plain and compiled, agrees with the readable NumPy envelope.

The engine runs the plain kernel on these small plans (tests/timing/test_kernel_choice.py
checks that), so the first test holds the plain kernel to the reference; the
second holds the compiled one to the plain one, array by array.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from paradeops.model.plan import AircraftUnit, Plan
from paradeops.timing import engine, kernel
from paradeops.timing.envelope import constraint, free_flow, hold_behind, limits_on_head
from paradeops.timing.schedule import Trajectory
from tests.timing.test_properties import COMMON, plans, scheduled


@COMMON
@given(plans())
def test_kernel_matches_the_reference_envelope(plan: Plan) -> None:
    s = scheduled(plan)
    x_end = s.checkpoints[-1].at_m + 2 * max(
        u.length_m + max(plan.defaults.gap_m if p.gap_m is None else p.gap_m, plan.defaults.min_gap_m)
        for u, p in zip(s.units, plan.units, strict=True)
        if u.trajectory is not None
    ) + 1.0
    ys = np.linspace(0, s.checkpoints[-1].at_m + 50, 300)
    leader: Trajectory | None = None
    lead_len = 0.0
    for u, p in zip(s.units, plan.units, strict=True):
        if u.trajectory is None:
            continue
        stop = None
        if p.show_stop is not None:
            at = next(c.at_m for c in s.checkpoints if c.id == p.show_stop.at)
            stop = (at, p.show_stop.duration_s)
        free = free_flow(u.speed_ms, x_end, limits_on_head(s.speed_limits, u.length_m), stop)
        if leader is None:
            ref = Trajectory(free.x, free.t_left + u.step_off, free.t_right + u.step_off)
            first = float("nan")
        else:
            released = s.checkpoints[-1].at_m - plan.defaults.min_gap_m
            cons = constraint(leader, lead_len + plan.defaults.min_gap_m, min(x_end, released))
            ref, first = hold_behind(free, u.step_off, cons)
        np.testing.assert_allclose(u.trajectory.arrive(ys), ref.arrive(ys), atol=1e-6)
        np.testing.assert_allclose(u.trajectory.leave(ys), ref.leave(ys), atol=1e-6)
        if u.hold_from_m is not None:
            assert abs(u.hold_from_m - first) < 1e-6
        leader, lead_len = u.trajectory, u.length_m


@COMMON
@given(plans())
def test_compiled_kernel_matches_the_plain_kernel(plan: Plan) -> None:
    pytest.importorskip("numba")
    ctx = engine._context(plan)
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    if not ground:
        return
    units, route = engine._column_inputs(ctx, ground)
    plain = kernel.schedule_column(units, route)
    compiled = kernel.compiled().schedule_column(units, route)
    np.testing.assert_array_equal(plain.offsets, compiled.offsets)
    for field in kernel.ColumnTimes._fields:
        if field == "path":
            for a, b in zip(plain.path, compiled.path, strict=True):
                np.testing.assert_allclose(a, b, atol=1e-9)
        else:
            a, b = getattr(plain, field), getattr(compiled, field)
            np.testing.assert_allclose(a, b, atol=1e-9, err_msg=field)
