"""Incidents in the projection: a unit stops where it is until its incident is cleared.

An incident on a unit (a float broken down, a marcher taken ill) holds the
unit's head where it is from the moment the incident was opened. While the
incident is open nobody knows when it will be cleared, so the projection
expects it to last its code's duration (:data:`DEFAULT_DURATION_S`); one
open longer than that is expected to clear now (it cannot have cleared in
the past, or it would be cleared). A cleared incident held the unit from
its opening to its clearing. The units behind are held behind it by the
timing engine's own envelope, as behind any late leader.

An actual of the unit later than a hold's start says where it really was:
the hold then starts there and then, and one that ended before it is over.

An incident with no unit (a crowd on the route at some place) is shown to
the control room and the announcer but holds nobody: which unit it stops
is not known until a marshal says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from paradeops.timing.schedule import Trajectory

IncidentCode = Literal[
    "breakdown", "medical", "weather", "security", "show_stop_overrun", "crowd", "other"
]
CODES: tuple[IncidentCode, ...] = (
    "breakdown",
    "medical",
    "weather",
    "security",
    "show_stop_overrun",
    "crowd",
    "other",
)
#: How long an open incident is expected to hold its unit, by code [s]. Chosen from
#: what the organisers of street parades report: a float towed or repaired ~10 min,
#: a marcher helped off the route ~5 min, a squall waited out ~15 min, a security
#: check ~10 min, a show stop run long ~2 min, a crowd cleared off the route ~5 min.
DEFAULT_DURATION_S: Mapping[str, float] = {
    "breakdown": 600.0,
    "medical": 300.0,
    "weather": 900.0,
    "security": 600.0,
    "show_stop_overrun": 120.0,
    "crowd": 300.0,
    "other": 300.0,
}
_EPS = 1e-6


@dataclass(frozen=True)
class Incident:
    """An incident as the projection needs it; times in s from the schedule's reference."""

    code: str
    unit: str | None
    opened: float
    #: When it was cleared; None while it is open.
    cleared: float | None = None


@dataclass(frozen=True)
class Hold:
    """``unit``'s head stands still from ``since`` until ``until`` [s]."""

    unit: str
    since: float
    until: float


def expected_until(
    incident: Incident, now: float, durations: Mapping[str, float] = DEFAULT_DURATION_S
) -> float:
    """When the incident is (expected to be) over: cleared, or opened + its code's duration."""
    if incident.cleared is not None:
        return incident.cleared
    # Still open: it lasts its code's duration, or (overdue) it is expected to end now.
    duration = durations.get(incident.code, DEFAULT_DURATION_S["other"])
    return max(incident.opened + duration, now)


def holds(
    incidents: Iterable[Incident],
    now: float,
    durations: Mapping[str, float] = DEFAULT_DURATION_S,
) -> dict[str, tuple[Hold, ...]]:
    """Each unit's holds in order of start; overlapping ones merged into one."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for i in incidents:
        if i.unit is None or not math.isfinite(i.opened):
            continue
        until = expected_until(i, now, durations)
        if math.isfinite(until) and until > i.opened:
            spans.setdefault(i.unit, []).append((i.opened, until))
    return {unit: _merged(unit, sorted(s)) for unit, s in spans.items()}


def _merged(unit: str, spans: list[tuple[float, float]]) -> tuple[Hold, ...]:
    out: list[Hold] = []
    for since, until in spans:
        if out and since <= out[-1].until:
            out[-1] = Hold(unit, out[-1].since, max(out[-1].until, until))
        else:
            out.append(Hold(unit, since, until))
    return tuple(out)


#: Given a head position [m], a time [s] and whether the head has stood there already
#: (a show stop there is then spent), the trajectory onward from there (positions from
#: 0, i.e. relative to the given one), held behind the unit ahead.
Onward = Callable[[float, float, bool], Trajectory]


def apply_holds(
    traj: Trajectory, unit_holds: Iterable[Hold], latest: tuple[float, float], onward: Onward
) -> tuple[Trajectory, float | None]:
    """``traj`` with the head standing still through each hold still in force.

    ``latest`` is where and when the unit was last seen (or its planned
    step-off, unseen): a hold that ended by then is over, and none moves the
    head back behind it. Returns the trajectory and when the last hold
    applied ends (None if none did).
    """
    p, latest_t = latest
    held_until = None
    for h in unit_holds:
        if h.until <= latest_t + _EPS:
            continue
        since = max(h.since, latest_t)
        x = max(float(traj.position(since)), p)
        if x >= float(traj.x[-1]) - _EPS:
            continue  # at the end of the route already: nothing left to hold
        arrived = float(traj.arrive(x))
        if h.until <= float(traj.leave(x)) + _EPS:
            continue  # it stands there that long anyway (a show stop, held behind)
        traj = _stood(traj, x, arrived, onward(x, h.until, True))
        held_until = h.until
    return traj, held_until


def _stood(traj: Trajectory, x: float, arrived: float, ahead: Trajectory) -> Trajectory:
    """``traj`` up to ``x``, the head standing there from ``arrived``, then ``ahead``."""
    keep = traj.x < x - _EPS
    return Trajectory(
        np.concatenate((traj.x[keep], ahead.x + x)),
        np.concatenate((traj.t_left[keep], [arrived], ahead.t_left[1:])),
        np.concatenate((traj.t_right[keep], ahead.t_right)),
    )
