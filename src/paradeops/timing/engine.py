"""``schedule(plan)``: the movement table of a parade, by the rules of DESIGN.md.

Units march in order. The first steps off at the reference time; each later
one when the unit ahead has opened its planned gap, at an explicit time, or
at the time worked back from a target. Each is then held behind the one
ahead by :func:`paradeops.timing.envelope.hold_behind`. Aircraft are timed
over a point and take no road space.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from paradeops.errors import Problem, UserError
from paradeops.model.plan import AircraftUnit, Plan, Unit
from paradeops.model.units import length_m, speed_ms
from paradeops.timing.envelope import constraint, free_flow, hold_behind
from paradeops.timing.findings import find_all
from paradeops.timing.schedule import (
    CheckpointInfo,
    Pass,
    Schedule,
    Summary,
    Trajectory,
    UnitSchedule,
)

#: A target is met when the computed time is within this of it [s].
TARGET_TOLERANCE_S = 0.5
#: Holds shorter than this are rounding, not a finding [s].
HOLD_THRESHOLD_S = 0.5


@dataclass(frozen=True)
class _Ctx:
    plan: Plan
    reference: dt.datetime
    checkpoints: tuple[CheckpointInfo, ...]
    limits: tuple[tuple[float, float, float], ...]
    x_end: float  # trajectories are computed up to here [m]

    def seconds(self, clock: dt.time) -> float:
        at = dt.datetime.combine(self.plan.parade.date, clock, self.reference.tzinfo)
        return (at - self.reference).total_seconds()

    def pos(self, checkpoint: str) -> float:
        return next(c.at_m for c in self.checkpoints if c.id == checkpoint)


def reference_time(plan: Plan) -> dt.datetime:
    zone = ZoneInfo(plan.parade.timezone)
    return dt.datetime.combine(plan.parade.date, plan.parade.start, zone)


def schedule(plan: Plan) -> Schedule:
    """The deterministic schedule of ``plan`` (checked by the loader)."""
    ctx = _context(plan)
    units: list[UnitSchedule] = []
    leader: tuple[Unit, UnitSchedule] | None = None
    holds: dict[str, float] = {}
    for i, unit in enumerate(plan.units):
        if isinstance(unit, AircraftUnit):
            units.append(_aircraft(ctx, unit))
            continue
        us, first_held = _ground(ctx, i, unit, leader)
        units.append(us)
        if not math.isnan(first_held):
            holds[unit.id] = first_held
        leader = (unit, us)
    findings = find_all(plan, ctx.checkpoints, units, holds, _window_end(ctx))
    return Schedule(
        parade=plan.parade.name,
        reference=ctx.reference,
        checkpoints=ctx.checkpoints,
        units=tuple(units),
        findings=tuple(findings),
        summary=_summary(ctx, units),
        window_end=_window_end(ctx),
        speed_limits=ctx.limits,
    )


def _context(plan: Plan) -> _Ctx:
    cps = plan.route.checkpoints
    origin = cps[0].at_m or 0.0
    reviewing = plan.reviewing.id
    infos = tuple(
        CheckpointInfo(c.id, c.label, (c.at_m or 0.0) - origin, c.id == reviewing) for c in cps
    )
    pos = {c.id: c.at_m for c in infos}
    limits = tuple((pos[s.from_], pos[s.to], s.max_kmh / 3.6) for s in plan.route.speed_limits)
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    reach = max(length_m(u) + max(_gap(plan, u), plan.defaults.min_gap_m) for u in ground)
    return _Ctx(plan, reference_time(plan), infos, limits, infos[-1].at_m + 2 * reach + 1.0)


def _gap(plan: Plan, unit: Unit) -> float:
    return plan.defaults.gap_m if unit.gap_m is None else unit.gap_m


def _window_end(ctx: _Ctx) -> float | None:
    end = ctx.plan.parade.window_end
    return None if end is None else ctx.seconds(end)


def _ground(
    ctx: _Ctx, index: int, unit: Unit, leader: tuple[Unit, UnitSchedule] | None
) -> tuple[UnitSchedule, float]:
    length, speed = length_m(unit), speed_ms(unit)
    stop = None
    if unit.show_stop is not None:
        stop = (ctx.pos(unit.show_stop.at), unit.show_stop.duration_s)
    free = free_flow(speed, ctx.x_end, ctx.limits, stop)

    if leader is None:
        t0 = 0.0
        traj = Trajectory(free.x, free.t_left, free.t_right)
        first_held = float("nan")
    else:
        lunit, lsched = leader
        assert lsched.trajectory is not None
        llen = lsched.length_m
        t0 = _step_off(ctx, index, unit, free, length, lsched.trajectory, llen)
        cons = constraint(lsched.trajectory, llen + ctx.plan.defaults.min_gap_m, ctx.x_end)
        traj, first_held = hold_behind(free, t0, cons)
        if unit.target is not None:
            _check_target(ctx, index, unit, traj, length)

    cp = np.array([c.at_m for c in ctx.checkpoints])
    heads, leaves, tails = traj.arrive(cp), traj.leave(cp), traj.arrive(cp + length)
    passes = tuple(
        Pass(
            c.id,
            float(h),
            float(t),
            float(lv) if stop is not None and lv - h > 1e-9 else None,
        )
        for c, h, lv, t in zip(ctx.checkpoints, heads, leaves, tails, strict=True)
    )
    free_end = t0 + float(free.arrive(cp[-1] + length))
    held = max(0.0, float(tails[-1]) - free_end)
    return (
        UnitSchedule(
            id=unit.id,
            name=unit.label,
            kind=unit.kind,
            length_m=length,
            speed_ms=speed,
            step_off=t0,
            passes=passes,
            held_s=held if held >= HOLD_THRESHOLD_S else 0.0,
            trajectory=traj,
            description=unit.description,
            debut=unit.debut,
        ),
        first_held if held >= HOLD_THRESHOLD_S else float("nan"),
    )


def _step_off(
    ctx: _Ctx,
    index: int,
    unit: Unit,
    free: Trajectory,
    length: float,
    leader: Trajectory,
    leader_length: float,
) -> float:
    if unit.step_off is not None:
        return ctx.seconds(unit.step_off)
    if unit.target is not None:
        at = ctx.pos(unit.target.at)
        if unit.target.head is not None:
            return ctx.seconds(unit.target.head) - float(free.arrive(at))
        assert unit.target.tail is not None
        return ctx.seconds(unit.target.tail) - float(free.arrive(at + length))
    return float(leader.arrive(leader_length + _gap(ctx.plan, unit)))


def _check_target(ctx: _Ctx, index: int, unit: Unit, traj: Trajectory, length: float) -> None:
    target = unit.target
    assert target is not None
    at = ctx.pos(target.at)
    part, clock = ("head", target.head) if target.head is not None else ("tail", target.tail)
    assert clock is not None
    wanted = ctx.seconds(clock)
    got = float(traj.arrive(at + (length if part == "tail" else 0.0)))
    if abs(got - wanted) <= TARGET_TOLERANCE_S:
        return
    earliest = ctx.reference + dt.timedelta(seconds=got)
    field = f"units[{index}].target"
    raise UserError(
        problems=[
            Problem(
                f"{unit.id}'s {part} cannot pass {target.at} at {clock.isoformat()}: "
                f"the unit ahead holds it back until {earliest:%H:%M:%S}",
                line=ctx.plan.line_of(("units", index, "target")),
                field=field,
                hint=f"set the target at {earliest:%H:%M:%S} or later, "
                "or move the units ahead earlier",
            )
        ]
    )


def _aircraft(ctx: _Ctx, unit: AircraftUnit) -> UnitSchedule:
    t = ctx.seconds(unit.at)
    speed = speed_ms(unit)
    return UnitSchedule(
        id=unit.id,
        name=unit.label,
        kind=unit.kind,
        length_m=unit.length_m,
        speed_ms=speed,
        step_off=t,
        passes=(Pass(unit.over, t, t + unit.length_m / speed),),
        description=unit.description,
        debut=unit.debut,
    )


def _summary(ctx: _Ctx, units: list[UnitSchedule]) -> Summary:
    ground = [u for u in units if u.trajectory is not None]
    first, last = ctx.checkpoints[0].id, ctx.checkpoints[-1].id
    rev = next(c.id for c in ctx.checkpoints if c.reviewing)

    def times(cp: str, part: str) -> list[float]:
        return [getattr(p, part) for u in ground for p in u.passes if p.checkpoint == cp]

    first_head = min(times(first, "head"))
    last_tail = max(times(last, "tail"))
    return Summary(
        first_head=first_head,
        last_tail=last_tail,
        duration_s=last_tail - first_head,
        reviewing_first_head=min(times(rev, "head")),
        reviewing_last_tail=max(times(rev, "tail")),
    )
