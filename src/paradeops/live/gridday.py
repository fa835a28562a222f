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

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.live.model import LiveStatus
from paradeops.timing.envelope import limits_on_head
from paradeops.timing.schedule import Schedule, UnitSchedule

FloatArray = npt.NDArray[np.float64]
#: Evenly spaced grid points (checkpoints and show stops are added).
GRID_POINTS = 120
#: Most places added where units stand (see :func:`standing`).
MAX_EXTRA = 240
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


def grid_of(
    schedule: Schedule, points: int = GRID_POINTS, extra: Sequence[float] = ()
) -> FloatArray:
    """Even points to the route's end, with checkpoints, show stops and ``extra`` places."""
    ends = [float(u.trajectory.x[-1]) for u in schedule.units if u.trajectory is not None]
    end = max([schedule.checkpoints[-1].at_m, *ends])
    fixed = {c.at_m for c in schedule.checkpoints} | {end}
    fixed |= {s[0] for u in schedule.units if (s := stop_of(schedule, u)) is not None}
    fixed |= {x for x in extra if 0.0 <= x <= end}
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


def planned(schedule: Schedule, min_gap_m: float, now: float, extra: Sequence[float] = ()) -> Day:
    """The plan on the grid: free times at the planned speeds, no arrivals yet (all -inf)."""
    grid = grid_of(schedule, extra=extra)
    ground = [u for u in schedule.units if u.trajectory is not None]
    free = [
        free_times(schedule, u, grid, u.speed_ms, s[1] if (s := stop_of(schedule, u)) else None)
        for u in ground
    ]
    return Day(
        now=now,
        grid=grid,
        ids=tuple(u.id for u in ground),
        lengths=np.array([u.length_m for u in ground]),
        heads=np.full((len(ground), len(grid)), -np.inf),
        free=np.array(free).reshape(len(ground), len(grid) - 1),
        past=np.zeros(len(ground), dtype=np.int64),
        stand_m=schedule.reviewing.at_m,
        release_m=schedule.checkpoints[-1].at_m,
        min_gap_m=min_gap_m,
    )


def pace(free: FloatArray, arrived: FloatArray, past: int) -> float:
    """How a unit has walked so far against its free pace: the median over the grid
    segments behind it of time taken / free time, between 0.8 and 1.25; 1 with fewer
    than three. Segments it stood in (over twice the free time) are not its pace."""
    if past < 4:
        return 1.0
    r = np.diff(arrived[:past]) / free[: past - 1]
    r = r[(r > 0.5) & (r < 2.0)]
    return float(np.clip(np.median(r), 0.8, 1.25)) if len(r) >= 3 else 1.0


def rest_of_day(
    plan: Day, arrived: FloatArray, now: float, hold: FloatArray, step_off: FloatArray
) -> Day:
    """From the arrivals so far: the rest of the day at each unit's pace so far.

    ``arrived`` holds every unit's head arrival at the grid points (those after
    ``now`` are ignored); ``hold`` the seconds each stands where (incidents,
    orders); ``step_off`` the earliest step-off of units not yet off.
    """
    past = past_points(plan.grid, arrived, now)
    floor = np.full_like(arrived, -np.inf)
    free = plan.free.copy()
    for k, n in enumerate(past):
        floor[k, :n] = arrived[k, :n]
        if n < len(plan.grid):  # not there yet by now
            floor[k, n] = max(now, float(step_off[k])) if n == 0 else now
        free[k] *= pace(plan.free[k], arrived[k], int(n))
    day = dataclasses.replace(plan, now=now, heads=floor, free=free, past=past)
    return dataclasses.replace(day, heads=propagate(day, hold))


def standing(live: LiveStatus, most: int = MAX_EXTRA) -> list[float]:
    """Where units stand (held now, or projected to stand behind another): these must be
    grid points, or a stand between two is smeared over both segments."""
    held = {
        float(st.trajectory.position(live.now))
        for st in live.units
        if st.held_until is not None and st.trajectory is not None
    }
    for st in live.units:
        tr = st.trajectory
        if tr is not None and len(held) < most:
            held.update(tr.x[tr.t_right > tr.t_left + 0.5].tolist()[: most - len(held)])
    return sorted(held)


def day_from(
    schedule: Schedule,
    live: LiveStatus,
    min_gap_m: float,
    orders: Sequence[tuple[str, str, float]] = (),
) -> Day:
    """The control room's view on the grid: the projection's past, its step-offs and
    its units held now (``held_until``), ``orders`` (unit, checkpoint, seconds) still
    ahead, and each unit at its pace so far."""
    plan = planned(schedule, min_gap_m, live.now, standing(live))
    status = {st.id: st for st in live.units}
    sts = [status[uid] for uid in plan.ids]
    arrived = np.array([st.trajectory.arrive(plan.grid) for st in sts if st.trajectory])
    arrived = arrived.reshape(len(sts), len(plan.grid))
    past = past_points(plan.grid, arrived, live.now)
    hold = np.zeros_like(arrived)
    for k, st in enumerate(sts):
        if st.held_until is not None and st.trajectory is not None:
            x = float(st.trajectory.position(live.now))  # a grid point (see above)
            j = min(int(np.searchsorted(plan.grid, x - _EPS)), len(plan.grid) - 1)
            hold[k, j] = max(st.held_until - arrived[k, j], 0.0)
    at = {c.id: c.at_m for c in schedule.checkpoints}
    index = {u: k for k, u in enumerate(plan.ids)}
    for unit, cp, seconds in orders:
        if unit in index and cp in at:
            k, j = index[unit], int(np.searchsorted(plan.grid, at[cp] - _EPS))
            if j >= past[k]:  # not reached yet (one held there now is held_until's)
                hold[k, j] += seconds
    return rest_of_day(plan, arrived, live.now, hold, arrived[:, 0])


def past_points(grid: FloatArray, heads: FloatArray, now: float) -> npt.NDArray[np.int64]:
    """How many grid points each head has reached by ``now`` (0: not stepped off)."""
    return np.asarray((heads <= now + _EPS).sum(axis=1), dtype=np.int64)


def leader_bound(day: Day, leader: FloatArray, length: float, free: FloatArray) -> FloatArray:
    """Earliest arrival at each grid point allowed by the head ahead (``-inf`` past release).

    Between two grid points the head ahead is where it would be walking freely
    towards the later one (it may have stood at the earlier one, a stand not
    smeared over the segment), but not before it got to the earlier one.
    """
    j, back, near = _reach(day, np.array([length]), free[None, :])
    return _bound(leader, j[0], back[0], near)


def _reach(
    day: Day, lengths: FloatArray, free: FloatArray
) -> tuple[npt.NDArray[np.int64], FloatArray, npt.NDArray[np.bool_]]:
    """Where each leader's head must be for the unit behind to reach each grid point:
    the grid segment (its start ``j``), the seconds walked back from its end, and
    which grid points are before the release (the leader bounds nothing after)."""
    g = day.grid
    q = np.minimum(g[None, :] + lengths[:, None] + day.min_gap_m, g[-1])
    j = np.clip(np.searchsorted(g, q, side="right") - 1, 0, len(g) - 2)
    pace = free / np.diff(g)  # s per m on each segment
    back = (g[j + 1] - q) * np.take_along_axis(pace, j, axis=1)
    return j, back, g <= day.release_m - day.min_gap_m + _EPS


def _bound(
    leader: FloatArray, j: npt.NDArray[np.int64], back: FloatArray, near: npt.NDArray[np.bool_]
) -> FloatArray:
    bound = np.maximum(leader[j + 1] - back, leader[j])
    return np.where(near, bound, -np.inf)


def propagate(day: Day, hold: FloatArray, first: int = 0) -> FloatArray:
    """Head arrivals with ``hold[unit, grid point]`` seconds stood there (on leaving it).

    Units before ``first`` are taken as they are in ``day.heads``.
    """
    out = day.heads.copy()
    j, back, near = _reach(day, day.lengths, day.free)  # once for all units: it is most of it
    for k in range(first, len(day.ids)):
        lead = None if k == 0 else _bound(out[k - 1], j[k - 1], back[k - 1], near)
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
