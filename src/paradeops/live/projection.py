"""Projected times from the actuals, by re-running the timing engine's envelope.

For each ground unit in order of march:

1. Its latest actual is the one furthest along the route: a head seen at a
   checkpoint puts the head there; a tail seen there puts the head one unit
   length further on. Call that position ``p`` and the time ``t``.
2. From ``p`` on, the unit moves freely at its planned speed (speed limits and
   its own show stop included) starting at ``t`` — its step-off shifted so the
   actual is met — and is held behind the *projected* unit ahead with
   :func:`paradeops.timing.envelope.hold_behind`, exactly as the engine does.
3. A unit not seen yet keeps its planned step-off, pushed back by the delay
   the unit ahead has at the start point (it cannot step off into it).
4. An incident on the unit holds its head where it is until the incident
   is over (:mod:`paradeops.live.incidents`); it goes on from there as in 2.
5. No news is late news — where there is news: if the projected time at the
   next checkpoint ahead is already past ``now``, a marshal reports from that
   checkpoint (any unit has an actual there) and this unit has none, it cannot
   have reached it, so its projection starts late enough to reach it at
   ``now``. A checkpoint nobody reports from tells nothing either way.

Behind ``p`` the trajectory runs through the unit's actuals (straight lines
between them) and, before the first, is free flow ending at it: a stand-in
for the past, used to draw the unit and to hold the unit behind it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from paradeops.live.alerts import alerts
from paradeops.live.incidents import Hold, Onward, apply_holds
from paradeops.live.model import (
    Actual,
    LiveStatus,
    ProjectedPass,
    Thresholds,
    UnitState,
    UnitStatus,
)
from paradeops.timing.envelope import constraint, free_flow, hold_behind, limits_on_head
from paradeops.timing.schedule import CheckpointInfo, Schedule, Trajectory, UnitSchedule

_EPS = 1e-6


def project(
    schedule: Schedule,
    actuals: Sequence[Actual],
    now: float,
    *,
    min_gap_m: float = 5.0,
    thresholds: Thresholds | None = None,
    holds: Mapping[str, tuple[Hold, ...]] | None = None,
) -> LiveStatus:
    """The live state of the parade at ``now`` [s from the reference].

    ``holds``: each unit's incident holds (:func:`paradeops.live.incidents.holds`).
    """
    holds = holds or {}
    thresholds = thresholds or Thresholds()
    pos = {c.id: c.at_m for c in schedule.checkpoints}
    seen = _first_seen(actuals, pos)
    reporting = {cp for (_, cp, _) in seen}
    statuses: list[UnitStatus] = []
    leader: tuple[Trajectory, UnitSchedule] | None = None
    for u in schedule.units:
        if u.trajectory is None:
            statuses.append(_overhead(u, seen))
            continue
        st = _ground(schedule, u, seen, reporting, leader, now, min_gap_m, holds.get(u.id, ()))
        statuses.append(st)
        assert st.trajectory is not None
        leader = (st.trajectory, u)
    found = alerts(schedule, statuses, thresholds)
    rev = schedule.reviewing.id
    tails = [
        p.tail
        for s in statuses
        if s.trajectory is not None
        for p in s.passes
        if p.checkpoint == rev
    ]
    return LiveStatus(
        now=now,
        units=tuple(statuses),
        alerts=tuple(found),
        reviewing_last_tail=max(tails) if tails else None,
    )


def _first_seen(
    actuals: Sequence[Actual], pos: dict[str, float]
) -> dict[tuple[str, str, str], Actual]:
    """The first report of each (unit, checkpoint, part): a double tap is not news.

    A time that is not a finite number cannot be projected from (NaN compares
    false with everything, infinity has no position): such an actual is no news.
    """
    seen: dict[tuple[str, str, str], Actual] = {}
    for a in actuals:
        if a.checkpoint not in pos or not math.isfinite(a.t):
            continue
        key = (a.unit, a.checkpoint, a.part)
        if key not in seen or a.t < seen[key].t:
            seen[key] = a
    return seen


def _overhead(u: UnitSchedule, seen: dict[tuple[str, str, str], Actual]) -> UnitStatus:
    """Aircraft are timed over a point; actuals are shown, nothing is projected."""
    passes = []
    for p in u.passes:
        h, t = seen.get((u.id, p.checkpoint, "head")), seen.get((u.id, p.checkpoint, "tail"))
        passes.append(
            ProjectedPass(
                p.checkpoint,
                h.t if h else p.head,
                t.t if t else p.tail,
                p.head,
                p.tail,
                h is not None,
                t is not None,
                h is None,
                t is None,
            )
        )
    first = passes[0] if passes else None
    delay = first.head - first.planned_head if first and first.head_observed else 0.0
    return UnitStatus(u.id, u.name, u.kind, "overhead", delay, tuple(passes), None, u.length_m)


@dataclass(frozen=True)
class _Latest:
    """Where a unit's head is last known to be: at ``p`` [m] at ``t`` [s]."""

    p: float
    t: float
    #: The actual that puts it there; None for a unit not seen yet (at the start, planned).
    actual: Actual | None
    #: The first checkpoint beyond ``p``; None once the head is past the last.
    next: CheckpointInfo | None


def _ground(
    s: Schedule,
    u: UnitSchedule,
    seen: dict[tuple[str, str, str], Actual],
    reporting: set[str],
    leader: tuple[Trajectory, UnitSchedule] | None,
    now: float,
    min_gap_m: float,
    unit_holds: tuple[Hold, ...] = (),
) -> UnitStatus:
    planned = u.trajectory
    assert planned is not None
    pos = {c.id: c.at_m for c in s.checkpoints}
    mine = [a for (unit, _, _), a in seen.items() if unit == u.id]
    latest = _latest(s, u, mine, pos, leader)
    traj, held_until = _projected(
        s, u, mine, pos, latest, reporting, leader, now, min_gap_m, unit_holds
    )
    passes = _passes(s, u, seen, traj, latest)
    last, p = latest.actual, latest.p
    if latest.next is not None:
        nxt = latest.next.at_m
        delay = float(traj.arrive(nxt)) - float(planned.arrive(nxt))
    else:
        assert last is not None
        delay = last.t - float(planned.arrive(p))
    state: UnitState = "waiting" if last is None else "marching"
    if last is not None and p >= s.checkpoints[-1].at_m + u.length_m - _EPS:
        state = "passed"
    return UnitStatus(
        u.id,
        u.name,
        u.kind,
        state,
        delay,
        passes,
        traj,
        u.length_m,
        last=last,
        held_until=held_until if held_until is not None and held_until >= now else None,
    )


def _head_at(a: Actual, pos: dict[str, float], length_m: float) -> float:
    """Where an actual puts the head: at its checkpoint, or a unit length beyond for a tail."""
    return pos[a.checkpoint] + (length_m if a.part == "tail" else 0.0)


def _latest(
    s: Schedule,
    u: UnitSchedule,
    mine: list[Actual],
    pos: dict[str, float],
    leader: tuple[Trajectory, UnitSchedule] | None,
) -> _Latest:
    """The actual furthest along the route; unseen, the planned step-off pushed back."""
    if not mine:
        return _Latest(0.0, u.step_off + _inherited_delay(leader), None, s.checkpoints[0])
    last = max(mine, key=lambda a: (_head_at(a, pos, u.length_m), a.t))
    p = _head_at(last, pos, u.length_m)
    nxt = next((c for c in s.checkpoints if c.at_m > p + _EPS), None)
    return _Latest(p, last.t, last, nxt)


def _projected(
    s: Schedule,
    u: UnitSchedule,
    mine: list[Actual],
    pos: dict[str, float],
    latest: _Latest,
    reporting: set[str],
    leader: tuple[Trajectory, UnitSchedule] | None,
    now: float,
    min_gap_m: float,
    unit_holds: tuple[Hold, ...] = (),
) -> tuple[Trajectory, float | None]:
    """The past through the actuals, then free flow held behind the projected unit ahead.

    Returns it with when the unit's incident hold ends (None without one).
    """
    assert u.trajectory is not None
    x_end = float(u.trajectory.x[-1])
    stop = next(
        (
            (pos[p.checkpoint], p.head_leaves - p.head)
            for p in u.passes
            if p.head_leaves is not None
        ),
        None,
    )
    caps = limits_on_head(s.speed_limits, u.length_m)  # the whole unit keeps to a limit
    free = free_flow(u.speed_ms, x_end, caps, stop)
    p, t = latest.p, latest.t
    behind = _through(free, [(_head_at(a, pos, u.length_m), a.t) for a in mine], p, t)
    nxt_cp = latest.next
    if nxt_cp is not None and nxt_cp.id in reporting:
        # No news is late news: not seen at the next checkpoint, so not there before now.
        ahead_free = free_flow(u.speed_ms, x_end - p, _cut(caps, p), _cut_stop(stop, p))
        t = max(t, now - float(ahead_free.arrive(nxt_cp.at_m - p)))
    onward = _onward(s, u, caps, stop, leader, min_gap_m)
    traj = _splice(behind, onward(p, t, False), p)
    return apply_holds(traj, unit_holds, (p, latest.t), onward)


def _onward(
    s: Schedule,
    u: UnitSchedule,
    caps: tuple[tuple[float, float, float], ...],
    stop: tuple[float, float] | None,
    leader: tuple[Trajectory, UnitSchedule] | None,
    min_gap_m: float,
) -> Onward:
    """How the unit goes on from a place and time: freely, held behind the unit ahead."""
    assert u.trajectory is not None
    x_end = float(u.trajectory.x[-1])

    def from_(p: float, t: float, stood: bool) -> Trajectory:
        here = _cut_stop(stop, p)
        if stood and here is not None and here[0] <= _EPS:
            here = None  # it has stood at its show stop already (and longer)
        ahead_free = free_flow(u.speed_ms, x_end - p, _cut(caps, p), here)
        # Past the release point the unit ahead disperses and holds no one (as in
        # the engine): the constraint ends where this head is when its tail leaves.
        released = s.checkpoints[-1].at_m - min_gap_m - p
        if leader is None or released <= _EPS:
            return _shift(ahead_free, t)
        ltraj, lu = leader
        cons = constraint(ltraj, p + lu.length_m + min_gap_m, min(released, x_end - p))
        return hold_behind(ahead_free, t, cons)[0]

    return from_


def _passes(
    s: Schedule,
    u: UnitSchedule,
    seen: dict[tuple[str, str, str], Actual],
    traj: Trajectory,
    latest: _Latest,
) -> tuple[ProjectedPass, ...]:
    """Each checkpoint: what was seen there, else the projection; and whether still ahead."""
    cps = np.array([c.at_m for c in s.checkpoints])
    heads, tails = traj.arrive(cps), traj.arrive(cps + u.length_m)
    unseen, p = latest.actual is None, latest.p
    passes = []
    for c, h, tl, plan in zip(s.checkpoints, heads, tails, u.passes, strict=True):
        oh, ot = seen.get((u.id, c.id, "head")), seen.get((u.id, c.id, "tail"))
        passes.append(
            ProjectedPass(
                c.id,
                oh.t if oh else float(h),
                ot.t if ot else float(tl),
                plan.head,
                plan.tail,
                oh is not None,
                ot is not None,
                unseen or c.at_m > p + _EPS,
                unseen or c.at_m + u.length_m > p + _EPS,
            )
        )
    return tuple(passes)


def _inherited_delay(leader: tuple[Trajectory, UnitSchedule] | None) -> float:
    """A unit not yet seen steps off no earlier than the delay of the unit ahead allows."""
    if leader is None:
        return 0.0
    ltraj, lu = leader
    assert lu.trajectory is not None
    return max(0.0, float(ltraj.arrive(0.0)) - float(lu.trajectory.arrive(0.0)))


def _through(free: Trajectory, points: list[tuple[float, float]], p: float, t: float) -> Trajectory:
    """The past up to ``(p, t)``: through the actuals, free flow before the first."""
    pts = sorted({(x, tt) for x, tt in points if x <= p + _EPS} | {(p, t)})
    kept: list[tuple[float, float]] = []
    for x, tt in pts:
        # A report out of order in time (a slow thumb) cannot move the head backwards.
        if kept and (x <= kept[-1][0] + _EPS or tt < kept[-1][1]):
            continue
        kept.append((x, tt))
    x0, t0 = kept[0]
    lead = _shift(free, t0 - float(free.arrive(x0)))
    before = lead.x < x0 - _EPS
    xs = np.concatenate((lead.x[before], [x for x, _ in kept]))
    tl = np.concatenate((lead.t_left[before], [tt for _, tt in kept]))
    tr = np.concatenate((lead.t_right[before], [tt for _, tt in kept]))
    return Trajectory(xs, tl, tr)


def _shift(tr: Trajectory, dt: float) -> Trajectory:
    return Trajectory(tr.x, tr.t_left + dt, tr.t_right + dt)


def _cut(
    limits: Sequence[tuple[float, float, float]], p: float
) -> tuple[tuple[float, float, float], ...]:
    """Speed limits seen from position ``p`` (which becomes 0)."""
    return tuple((max(a - p, 0.0), b - p, v) for a, b, v in limits if b > p + _EPS)


def _cut_stop(stop: tuple[float, float] | None, p: float) -> tuple[float, float] | None:
    if stop is None or stop[0] < p - _EPS:
        return None
    return (max(stop[0] - p, 0.0), stop[1])


def _splice(behind: Trajectory, ahead: Trajectory, p: float) -> Trajectory:
    """``behind`` up to ``p``, then ``ahead`` (given from 0, i.e. from ``p``)."""
    keep = behind.x < p - _EPS
    return Trajectory(
        np.concatenate((behind.x[keep], ahead.x + p)),
        np.concatenate((behind.t_left[keep], ahead.t_left)),
        np.concatenate((behind.t_right[keep], ahead.t_right)),
    )
