"""The rest of the day on a grid of positions: what holds at control points would do.

The hold-and-release rule (:mod:`paradeops.live.orders`) tries orders out
before it recommends them, many times per push, so it needs a model cheaper
than re-running the projection. This is the projection's own model (Newell's
envelope, :mod:`paradeops.timing.envelope`) on a grid: each ground unit's head
arrival at each grid point, ``t[j+1] = max(t[j] + hold[j] + free[j], floor[j+1],
leader bound[j+1])``, where the leader bound is when the head ahead has reached
``x + its length + min_gap`` (up to the release point, where it disperses).

Starting from a projection, its arrivals are the floor: a hold can only make
a unit (and those behind it) later, never earlier, so what the projection
knows (incident holds, show stops, actuals) stays. The past (every grid point
the head has reached by ``now``) is fixed. No I/O, no clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.live.model import LiveStatus
from paradeops.timing.envelope import limits_on_head
from paradeops.timing.schedule import Schedule, UnitSchedule

FloatArray = npt.NDArray[np.float64]
#: Evenly spaced grid points (checkpoints and show stops are added).
GRID_POINTS = 120
_EPS = 1e-6


@dataclass(frozen=True)
class Day:
    """Ground units in order of march on a grid of positions."""

    now: float
    grid: FloatArray
    ids: tuple[str, ...]
    lengths: FloatArray
    #: Head arrival [s]: ``[unit, grid point]``; a floor for any re-run.
    heads: FloatArray
    #: Free travel time over each grid segment (a show stop still ahead as a dwell).
    free: FloatArray
    #: Grid points each head has reached by ``now`` (fixed past): ``[unit]``.
    past: npt.NDArray[np.int64]
    stand_m: float
    release_m: float
    min_gap_m: float

    @property
    def stand(self) -> int:
        return int(np.flatnonzero(np.abs(self.grid - self.stand_m) <= _EPS)[0])


def grid_of(schedule: Schedule, points: int = GRID_POINTS) -> FloatArray:
    ends = [float(u.trajectory.x[-1]) for u in schedule.units if u.trajectory is not None]
    end = max([schedule.checkpoints[-1].at_m, *ends])
    fixed = {c.at_m for c in schedule.checkpoints} | {end}
    fixed |= {s[0] for u in schedule.units if (s := stop_of(schedule, u)) is not None}
    return np.unique(np.concatenate((np.linspace(0.0, end, points), sorted(fixed))))


def stop_of(schedule: Schedule, u: UnitSchedule) -> tuple[float, float] | None:
    """The unit's show stop: (where [m], planned duration [s]), or None."""
    for c, head, leaves in zip(schedule.checkpoints, u.heads, u.head_leaves, strict=False):
        if not math.isnan(float(leaves)):
            return c.at_m, float(leaves) - float(head)
    return None


def free_times(
    schedule: Schedule, u: UnitSchedule, grid: FloatArray, speed_ms: float, dwell_s: float | None
) -> FloatArray:
    """Free travel time over each grid segment at ``speed_ms`` under the route's limits."""
    mids = (grid[:-1] + grid[1:]) / 2
    cap = np.full(len(mids), np.inf)
    for a, b, v in limits_on_head(schedule.speed_limits, u.length_m):
        cap = np.where((mids >= a) & (mids <= b), np.minimum(cap, v), cap)
    d = np.diff(grid) / np.minimum(speed_ms, cap)
    stop = stop_of(schedule, u)
    if stop is not None and dwell_s is not None:
        j = int(np.searchsorted(grid, stop[0] - _EPS))
        if j < len(d):
            d[j] += max(dwell_s, 0.0)
    return np.asarray(d, dtype=float)


def day_from(schedule: Schedule, live: LiveStatus, min_gap_m: float) -> Day:
    """The projection ``live`` on the grid: its arrivals, and the units' free pace."""
    grid = grid_of(schedule)
    ground = [
        (u, st)
        for u, st in zip(schedule.units, live.units, strict=True)
        if u.trajectory is not None and st.trajectory is not None
    ]
    heads = np.array([st.trajectory.arrive(grid) for _, st in ground if st.trajectory])
    now_at = np.array(
        [float(st.trajectory.position(live.now)) for _, st in ground if st.trajectory]
    )
    free = []
    for (u, _), x in zip(ground, now_at, strict=True):
        stop = stop_of(schedule, u)
        ahead = stop is not None and stop[0] > x + _EPS
        free.append(free_times(schedule, u, grid, u.speed_ms, stop[1] if ahead and stop else None))
    return Day(
        now=live.now,
        grid=grid,
        ids=tuple(u.id for u, _ in ground),
        lengths=np.array([u.length_m for u, _ in ground]),
        heads=heads.reshape(len(ground), len(grid)),
        free=np.array(free).reshape(len(ground), len(grid) - 1),
        past=past_points(grid, heads.reshape(len(ground), len(grid)), live.now),
        stand_m=schedule.reviewing.at_m,
        release_m=schedule.checkpoints[-1].at_m,
        min_gap_m=min_gap_m,
    )


def past_points(grid: FloatArray, heads: FloatArray, now: float) -> npt.NDArray[np.int64]:
    """How many grid points each head has reached by ``now`` (0: not stepped off)."""
    return np.asarray((heads <= now + _EPS).sum(axis=1), dtype=np.int64)


def leader_bound(day: Day, leader: FloatArray, length: float) -> FloatArray:
    """Earliest arrival at each grid point allowed by the head ahead (``-inf`` past release)."""
    g = day.grid
    q = g + length + day.min_gap_m
    bound = np.interp(q, g, leader)
    return np.where(g <= day.release_m - day.min_gap_m + _EPS, bound, -np.inf)


def propagate(day: Day, hold: FloatArray, first: int = 0) -> FloatArray:
    """Head arrivals with ``hold[unit, grid point]`` seconds stood there (on leaving it).

    Units before ``first`` are taken as they are in ``day.heads``.
    """
    out = day.heads.copy()
    for k in range(first, len(day.ids)):
        lead = None if k == 0 else leader_bound(day, out[k - 1], float(day.lengths[k - 1]))
        out[k] = _unit(day, k, hold[k], lead)
    return out


def _unit(day: Day, k: int, hold: FloatArray, lead: FloatArray | None) -> FloatArray:
    """One unit: ``t[j+1] = max(t[j] + hold[j] + free[j], floor[j+1], bound[j+1])``."""
    t = day.heads[k].copy()
    j0 = max(int(day.past[k]) - 1, 0)  # the last point reached: its time is fixed
    floor = t[j0:].copy() if lead is None else np.maximum(t[j0:], lead[j0:])
    if day.past[k] > 0:
        floor[0] = t[j0]
    c = day.free[k, j0:] + hold[j0:-1]
    s = np.concatenate(([0.0], np.cumsum(c)))
    t[j0:] = s + np.maximum.accumulate(floor - s)
    return np.asarray(t, dtype=float)


def gaps_at_stand(day: Day, heads: FloatArray) -> FloatArray:
    """Road empty in front of each unit as its head reaches the stand [m] (NaN for the first).

    Up to the tail ahead, or up to the release point once that unit has dispersed.
    """
    st = day.stand
    out = np.full(len(day.ids), np.nan)
    for k in range(1, len(day.ids)):
        x = float(np.interp(heads[k, st], heads[k - 1], day.grid))
        out[k] = min(x - float(day.lengths[k - 1]), day.release_m) - day.stand_m
    return out


def tails_at_stand(day: Day, heads: FloatArray) -> FloatArray:
    """When each unit's tail passes the stand [s]."""
    return np.array(
        [
            float(np.interp(day.stand_m + float(day.lengths[k]), day.grid, heads[k]))
            for k in range(len(day.ids))
        ]
    )
