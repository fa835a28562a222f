"""A unit's free motion by the plan, and which stretches of the route show it.

Where a speed limit the unit could reach governs a stretch, or its show stop
lies on it, the measured times there are not the unit's own pace.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from paradeops.calibration.arrays import BoolArray
from paradeops.calibration.results import Constraint
from paradeops.model.plan import Plan, Unit
from paradeops.model.units import length_m, speed_ms
from paradeops.timing.envelope import free_flow, limits_on_head
from paradeops.timing.schedule import FloatArray, Schedule, Trajectory

#: A speed limit governs a unit that could reach it: one below the unit's
#: planned speed times this (rehearsals run up to some per cent fast).
LIMIT_MARGIN = 1.2


@dataclass(frozen=True)
class FreeShape:
    """A unit's free motion by the plan, and which stretches show it."""

    free: Trajectory  # F(x): free travel time of the head from the start [s]
    length: float
    head_z: FloatArray  # F(x_k)
    tail_z: FloatArray  # F(x_k + length): the tail at x_k is the head at x_k + length
    #: Per stretch k -> k+1: no speed limit the unit could reach, no show stop.
    free_stretch: BoolArray
    limits: tuple[Constraint, ...]


def free_shape(plan: Plan, schedule: Schedule, unit: Unit, x: FloatArray) -> FreeShape:
    """The unit's free travel by the plan (limits and its show stop, no holds)."""
    length, speed = length_m(unit), speed_ms(unit)
    stop = None
    pos = {c.id: c.at_m for c in schedule.checkpoints}
    if unit.show_stop is not None:
        stop = (pos[unit.show_stop.at], unit.show_stop.duration_s)
    limits = limits_on_head(schedule.speed_limits, length)
    free = free_flow(speed, float(x[-1]) + length + 1.0, limits, stop)
    free_stretch = np.ones(max(len(x) - 1, 0), dtype=bool)
    if stop is not None:
        free_stretch &= ~np.isclose(x[:-1], stop[0])  # the stop's length is the day's
    found: list[Constraint] = []
    for (lo, hi, vmax), spec in zip(limits, plan.route.speed_limits, strict=True):
        if vmax >= speed * LIMIT_MARGIN:
            continue
        governed = (x[:-1] < hi) & (x[1:] > lo)
        if not governed.any():
            continue
        free_stretch &= ~governed
        stretches = np.nonzero(governed)[0]
        cp = schedule.checkpoints
        found.append(
            Constraint(
                "speed_limit",
                cp[int(stretches[0]) + 1].id,
                (),
                f"{spec.max_kmh:g} km/h limit from {spec.from_} to {spec.to} "
                f"(planned {speed * 3.6:.4g} km/h): its speed from {cp[int(stretches[0])].id} "
                f"to {cp[int(stretches[-1]) + 1].id} is the limit's",
            )
        )
    return FreeShape(
        free,
        length,
        free.arrive(x),
        free.arrive(x + length),
        free_stretch,
        tuple(found),
    )
