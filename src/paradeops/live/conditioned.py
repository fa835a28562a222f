"""ETA ranges conditioned on what has happened: the live projection, run many times.

The microscopic kernel cannot start from a mid-parade state yet, so the
ranges come from the live projection's own model (:mod:`paradeops.live.projection`),
made random for what is still to come:

* the past is fixed: everything behind each ground unit's head *now* (its
  position on the deterministic projection at ``now``) is taken as it is;
* from there on, each run draws, per unit, from the plan's ``simulation:``
  distributions (:func:`paradeops.simulation.sampling.draw`): a speed factor
  (its free speed is ``speed × factor``, still capped by the route's speed
  limits), a step-off delay (only for units that have not stepped off), a
  show-stop overrun (only for a show stop still ahead or under way);
* an open incident holds its unit where it stands until ``opened + d``,
  ``d`` drawn from its code's lognormal in the plan
  (``simulation.incident_duration_s``: median and P90) given that it has
  lasted ``now − opened`` already (:func:`paradeops.live.incidents.drawn_durations`),
  so it never ends before ``now``;
* each unit is held behind the unit ahead as in the projection: its head may
  reach ``x`` only once the head ahead has reached ``x + length ahead + min_gap``,
  up to the release point (where the unit ahead disperses).

Positions are a grid of at most :data:`MAX_GRID` points (every checkpoint and
show stop on it); times between grid points are linear. Aircraft are timed
over a point, not on the route: they have no ranges. No I/O, no clock: ``now``
and the generator are passed in, so a seed gives the same ranges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.live.incidents import Incident, drawn_durations
from paradeops.live.model import LiveStatus, UnitStatus
from paradeops.model.simulation_spec import IncidentDurations, SimulationSpec
from paradeops.simulation.sampling import Samples, draw
from paradeops.timing.envelope import limits_on_head
from paradeops.timing.schedule import Schedule, UnitSchedule

FloatArray = npt.NDArray[np.float64]
#: Most positions simulated along the route (checkpoints and show stops included).
MAX_GRID = 160
_EPS = 1e-6


@dataclass(frozen=True)
class Ranges:
    """Every run's head arrival times along the route, per ground unit."""

    now: float
    #: Positions [m] from the start point, increasing.
    grid: FloatArray
    #: Ground units in order of march, with their lengths [m].
    unit_ids: tuple[str, ...]
    lengths: FloatArray
    #: Head arrival [s from the reference]: ``[unit, run, grid point]``.
    heads: FloatArray
    #: Where each unit's head is now [m]: arrivals behind it are the past.
    head_now: FloatArray

    @property
    def runs(self) -> int:
        return int(self.heads.shape[1])

    def arrivals(self, unit: int, pos: float) -> FloatArray:
        """Every run's head arrival at ``pos`` [s] (linear between grid points)."""
        g = self.grid
        j = int(np.clip(np.searchsorted(g, pos, side="right") - 1, 0, len(g) - 2))
        frac = min(max((pos - g[j]) / (g[j + 1] - g[j]), 0.0), 1.0)
        h = self.heads[unit]
        return np.asarray(h[:, j] + frac * (h[:, j + 1] - h[:, j]), dtype=float)


def grid_for(schedule: Schedule, max_points: int = MAX_GRID) -> FloatArray:
    """Evenly spaced positions to the end of the longest trajectory, plus checkpoints and stops."""
    ends = [float(u.trajectory.x[-1]) for u in schedule.units if u.trajectory is not None]
    end = max(ends) if ends else schedule.checkpoints[-1].at_m
    fixed = {c.at_m for c in schedule.checkpoints} | {end}
    for u in schedule.units:
        stop = _stop(schedule, u)
        if stop is not None:
            fixed.add(stop[0])
    even = np.linspace(0.0, end, max(2, max_points - len(fixed)))
    return np.unique(np.concatenate((even, sorted(fixed))))


def _stop(schedule: Schedule, u: UnitSchedule) -> tuple[float, float] | None:
    """The unit's show stop: (where [m], planned duration [s]), or None."""
    for c, head, leaves in zip(schedule.checkpoints, u.heads, u.head_leaves, strict=False):
        if not math.isnan(float(leaves)):
            return c.at_m, float(leaves) - float(head)
    return None


def _caps(schedule: Schedule, u: UnitSchedule, mids: FloatArray) -> FloatArray:
    """The speed limit over each grid segment (by its midpoint) for the whole unit [m/s]."""
    cap = np.full(len(mids), np.inf)
    for a, b, v in limits_on_head(schedule.speed_limits, u.length_m):
        cap = np.where((mids >= a) & (mids <= b), np.minimum(cap, v), cap)
    return cap


def incident_until(
    incidents: Iterable[Incident],
    unit: str,
    now: float,
    rng: np.random.Generator,
    runs: int,
    durations: IncidentDurations | None = None,
) -> FloatArray | None:
    """When the unit's open incidents end, per run (None if it has none open).

    ``durations``: the plan's ``simulation.incident_duration_s`` (its defaults if None).
    """
    durations = durations or IncidentDurations()
    until: FloatArray | None = None
    for i in incidents:
        if i.unit != unit or i.cleared is not None or not math.isfinite(i.opened):
            continue
        d = drawn_durations(durations.of(i.code), now - i.opened, rng, runs)
        # The draw already ends no earlier than now; this guards against rounding only.
        end = np.maximum(i.opened + d, now)
        until = end if until is None else np.maximum(until, end)
    return until


@dataclass(frozen=True)
class _Start:
    """Where a unit's random future begins: at ``x0`` [m] at ``t0`` [s] (per run)."""

    x0: float
    t0: FloatArray
    #: Whether its show stop is still ahead of ``x0`` (else spent, or being stood).
    stop_ahead: bool


def _start(
    u: UnitSchedule,
    st: UnitStatus,
    k: int,
    samples: Samples,
    until: FloatArray | None,
    stop: tuple[float, float] | None,
    now: float,
) -> _Start:
    assert st.trajectory is not None
    x0 = float(st.trajectory.position(now))
    if x0 <= _EPS:  # not stepped off, by the projection: the planned moment, late or not
        t0 = np.maximum(u.step_off + samples.step_off_delay_s[:, k], now)
    else:
        t0 = np.full(samples.speed_factor.shape[0], now)
    stop_ahead = stop is not None and stop[0] > x0 + _EPS
    if stop is not None and abs(stop[0] - x0) <= _EPS and x0 > _EPS:
        arrived = float(st.trajectory.arrive(x0))
        if arrived <= now:  # standing at its show stop now: it goes on when the stop is over
            t0 = np.maximum(
                t0, arrived + np.maximum(stop[1] + samples.show_stop_overrun_s[:, k], 0)
            )
    if until is not None:
        t0 = np.maximum(t0, until)
    return _Start(x0, t0, stop_ahead)


def _segment_times(
    schedule: Schedule,
    u: UnitSchedule,
    grid: FloatArray,
    factor: FloatArray,
    dwell: tuple[int, FloatArray] | None,
) -> FloatArray:
    """Free travel time over each grid segment, per run ``[run, segment]`` [s]."""
    mids = (grid[:-1] + grid[1:]) / 2
    speed = np.minimum(u.speed_ms * factor[:, None], _caps(schedule, u, mids)[None, :])
    d = np.diff(grid)[None, :] / speed
    if dwell is not None:
        j, extra = dwell
        d[:, j] += extra
    return np.asarray(d, dtype=float)


def _leader_bound(
    grid: FloatArray,
    leader: FloatArray | None,
    leader_length: float,
    min_gap_m: float,
    release: float,
) -> FloatArray:
    """Earliest arrival at each grid point allowed by the unit ahead ``[run, grid]`` (or -inf)."""
    if leader is None:
        return np.full((1, len(grid)), -np.inf)
    q = grid + leader_length + min_gap_m
    j = np.clip(np.searchsorted(grid, q, side="right") - 1, 0, len(grid) - 2)
    frac = np.clip((q - grid[j]) / (grid[j + 1] - grid[j]), 0.0, 1.0)
    bound = leader[:, j] + frac * (leader[:, j + 1] - leader[:, j])
    # Past the release point the unit ahead disperses and holds no one.
    return np.where(grid[None, :] <= release - min_gap_m + _EPS, bound, -np.inf)


def _unit_runs(
    schedule: Schedule,
    u: UnitSchedule,
    st: UnitStatus,
    start: _Start,
    draws: tuple[FloatArray, FloatArray],
    bound: FloatArray,
    grid: FloatArray,
) -> FloatArray:
    """Head arrivals along the grid per run: the past as projected, the rest drawn.

    ``draws`` are the runs' speed factors and show-stop overruns of this unit.
    """
    assert st.trajectory is not None
    factor, overrun = draws
    runs = len(factor)
    out = np.broadcast_to(st.trajectory.arrive(grid), (runs, len(grid))).copy()
    ahead = np.flatnonzero(grid > start.x0 + _EPS)
    if len(ahead) == 0:
        return out
    # The route from x0: x0 itself, then the grid points beyond it.
    g = np.concatenate(([start.x0], grid[ahead]))
    on_grid = np.flatnonzero(np.abs(grid - start.x0) <= _EPS)
    lead0 = bound[:, on_grid[:1]] if len(on_grid) else np.full((bound.shape[0], 1), -np.inf)
    lead = np.concatenate((lead0, bound[:, ahead]), axis=1)
    stop = _stop(schedule, u)
    dwell = None
    if stop is not None and start.stop_ahead:
        m = int(np.searchsorted(g, stop[0] - _EPS))
        if m < len(g) - 1:
            dwell = (m, np.maximum(stop[1] + overrun, 0.0))
    d = _segment_times(schedule, u, g, factor, dwell)
    # t[i+1] = max(t[i] + d[i], lead[i+1]) for all i at once: with s the sums of d,
    # t = s + the running max of (lead - s), begun at t0.
    s = np.concatenate((np.zeros((runs, 1)), np.cumsum(d, axis=1)), axis=1)
    lead = np.maximum(
        lead, np.concatenate((start.t0[:, None], np.full((runs, len(g) - 1), -np.inf)), axis=1)
    )
    out[:, ahead] = (s + np.maximum.accumulate(lead - s, axis=1))[:, 1:]
    return out


def conditioned(
    schedule: Schedule,
    live: LiveStatus,
    spec: SimulationSpec,
    rng: np.random.Generator,
    *,
    runs: int,
    incidents: Iterable[Incident] = (),
    min_gap_m: float = 5.0,
    max_grid: int = MAX_GRID,
) -> Ranges:
    """``runs`` futures of the parade from ``live`` (the projection at ``live.now``)."""
    now, grid = live.now, grid_for(schedule, max_grid)
    ground = [
        (u, st)
        for u, st in zip(schedule.units, live.units, strict=True)
        if u.trajectory is not None and st.trajectory is not None
    ]
    samples = draw(spec, [u.id for u, _ in ground], runs, rng)
    incidents = tuple(incidents)
    release = schedule.checkpoints[-1].at_m
    heads = np.empty((len(ground), runs, len(grid)))
    head_now = np.empty(len(ground))
    leader: tuple[FloatArray, float] | None = None
    for k, (u, st) in enumerate(ground):
        until = incident_until(incidents, u.id, now, rng, runs, spec.incident_duration_s)
        start = _start(u, st, k, samples, until, _stop(schedule, u), now)
        bound = _leader_bound(
            grid,
            None if leader is None else leader[0],
            leader[1] if leader else 0.0,
            min_gap_m,
            release,
        )
        draws = (samples.speed_factor[:, k], samples.show_stop_overrun_s[:, k])
        heads[k] = _unit_runs(schedule, u, st, start, draws, bound, grid)
        head_now[k] = start.x0
        leader = (heads[k], u.length_m)
    return Ranges(
        now=now,
        grid=grid,
        unit_ids=tuple(u.id for u, _ in ground),
        lengths=np.array([u.length_m for u, _ in ground]),
        heads=heads,
        head_now=head_now,
    )
