"""``schedule(plan)``: the movement table of a parade, by the rules of docs/timing.md.

Units march in order. The first steps off at the reference time; each later
one when the unit ahead has opened its planned gap, at an explicit time, or
at the time worked back from a target. Each is then held behind the one
ahead (Newell's lower envelope, :mod:`paradeops.timing.envelope`, compiled
for whole columns in :mod:`paradeops.timing.kernel`). Aircraft are timed over
a point and take no road space.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from paradeops.errors import Problem, UserError
from paradeops.extras import installed
from paradeops.model.clock import ClockTime, instant, plan_spelling, seconds_between
from paradeops.model.plan import AircraftUnit, Plan, Unit
from paradeops.model.units import length_m, planned_gap_m, speed_ms
from paradeops.timing import kernel
from paradeops.timing.findings import find_all
from paradeops.timing.schedule import (
    CheckpointInfo,
    FloatArray,
    Schedule,
    Summary,
    UnitSchedule,
)

log = logging.getLogger(__name__)

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

    def instant(self, clock: ClockTime, field: str) -> dt.datetime:
        """The instant a plan's clock time names (the rule of :mod:`paradeops.model.clock`)."""
        return instant(clock, self.plan.parade.date, self.zone, field)

    def seconds(self, clock: ClockTime, field: str = "a clock time") -> float:
        """Seconds from the reference to ``clock``'s instant, through UTC."""
        return seconds_between(self.reference, self.instant(clock, field))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.plan.parade.timezone)

    def index(self, checkpoint: str) -> int:
        return next(i for i, c in enumerate(self.checkpoints) if c.id == checkpoint)

    def plan_clock(self, seconds: float) -> str:
        """The instant ``seconds`` after the reference as the plan would write it
        (24:03:55 after midnight, ISO in a repeated hour)."""
        utc = self.reference.astimezone(dt.UTC) + dt.timedelta(seconds=seconds)
        return plan_spelling(utc, self.plan.parade.date, self.zone)

    def unit_error(self, index: int, field: str, message: str, hint: str) -> UserError:
        """A problem with ``units[index].<field>``, located at its line of the plan."""
        line = self.plan.line_of(("units", index, field))
        return UserError(
            problems=[Problem(message, line=line, field=f"units[{index}].{field}", hint=hint)]
        )


def reference_time(plan: Plan) -> dt.datetime:
    """``parade.start`` on ``parade.date`` in ``parade.timezone``: time zero.

    The loader has refused a start the clocks skip or show twice.
    """
    zone = ZoneInfo(plan.parade.timezone)
    return instant(plan.parade.start, plan.parade.date, zone, "parade.start")


def schedule(plan: Plan) -> Schedule:
    """The deterministic schedule of ``plan`` (as checked by the loader)."""
    try:
        return _schedule(plan)
    except (OverflowError, ValueError, ZeroDivisionError) as e:
        # A last resort: the plan's types bound every date, distance and speed so
        # that this is not reached; if it is, a located error rather than a traceback.
        raise UserError(
            f"the plan cannot be scheduled: its figures go beyond what can be computed ({e})",
            field="parade",
            hint="check the date (1900-2200), the clock times and every distance and speed",
        ) from None


def _on_the_calendar(sched: Schedule, times: Sequence[FloatArray]) -> None:
    """Every time of the schedule is a finite instant with a date (OverflowError if not)."""
    every = np.concatenate([*(a.ravel() for a in times), [sched.window_end or 0.0]])
    if not np.isfinite(every).all():
        raise OverflowError("a time that is not a finite number")
    for t in (float(every.min()), float(every.max())):
        # A day's margin: outputs show times of the next day (24:MM) and UTC.
        sched.clock(t - 86_400)
        sched.clock(t + 86_400)


def _schedule(plan: Plan) -> Schedule:
    ctx = _context(plan)
    ground = [(i, u) for i, u in enumerate(plan.units) if not isinstance(u, AircraftUnit)]
    column, heads, tails = _column(ctx, ground)
    scheduled = dict(zip((i for i, _ in ground), column, strict=True))
    units = tuple(
        scheduled[i] if i in scheduled else _aircraft(ctx, u)  # type: ignore[arg-type]
        for i, u in enumerate(plan.units)
    )
    window_end = _window_end(ctx)
    sched = Schedule(
        parade=plan.parade.name,
        reference=ctx.reference,
        checkpoints=ctx.checkpoints,
        units=units,
        findings=tuple(find_all(plan, ctx.checkpoints, units, window_end)),
        summary=_summary(ctx, heads, tails),
        window_end=window_end,
        window_name=plan.parade.window_name,
        speed_limits=ctx.limits,
    )
    # The column's whole arrays, not 10,000 rows gathered again.
    aircraft = [u for u in units if u.breakpoints is None]
    _on_the_calendar(
        sched, [heads, tails, *(a.heads for a in aircraft), *(a.tails for a in aircraft)]
    )
    return sched


def column_arrays(plan: Plan) -> tuple[kernel.ColumnUnits, kernel.RouteLimits]:
    """The plan's ground units (in its order) and route as the column kernel takes them.

    The array-level entry point for callers that time many orders of the
    same units (``paradeops lineup``): permute the arrays of
    :class:`~paradeops.timing.kernel.ColumnUnits` and call the kernel of
    :func:`column_kernel`, with no per-unit objects built per pass.
    """
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    return _column_inputs(_context(plan), ground)


def _context(plan: Plan) -> _Ctx:
    cps = plan.route.checkpoints
    origin = cps[0].at_m or 0.0
    reviewing = plan.reviewing.id
    infos = tuple(
        CheckpointInfo(c.id, c.label, (c.at_m or 0.0) - origin, c.id == reviewing) for c in cps
    )
    pos = {c.id: c.at_m for c in infos}
    limits = tuple((pos[s.from_], pos[s.to], s.max_kmh / 3.6) for s in plan.route.speed_limits)
    return _Ctx(plan, reference_time(plan), infos, limits)


def _window_end(ctx: _Ctx) -> float | None:
    end = ctx.plan.parade.window_end
    return None if end is None else ctx.seconds(end, "parade.window_end")


#: From this many ground units on, the compiled kernel is worth loading when numba
#: is installed (below it, plain Python finishes first; see :func:`column_kernel`).
COMPILED_FROM_UNITS = 1_500


def column_kernel(
    n_units: int,
) -> Callable[[kernel.ColumnUnits, kernel.RouteLimits], kernel.ColumnTimes]:
    """The kernel to schedule ``n_units`` ground units with: compiled or plain Python.

    Measured (CPU time, benchmarks/bench_schedule.py --plain): plain Python
    takes about 0.25-0.5 ms per unit; importing numba and loading the cached
    compiled kernel about 0.3-0.6 s, so they break even near 1,000-1,200
    units; compiling it on a fresh install takes 15 s or more. So the
    compiled kernel runs only when numba is installed and either the column
    is long enough to repay the loading (a little above the break-even, so
    that a plan just past it is not the one that waits for the first
    compilation), or this process has loaded it already (a service, a
    benchmark after its warm-up).
    """
    if kernel.is_compiled() or (n_units >= COMPILED_FROM_UNITS and installed("numba")):
        log.debug("%d ground units: the compiled kernel", n_units)
        return kernel.compiled().schedule_column  # type: ignore[no-any-return]
    log.debug("%d ground units: the plain-Python kernel", n_units)
    return kernel.schedule_column


def _column(
    ctx: _Ctx, ground: Sequence[tuple[int, Unit]]
) -> tuple[list[UnitSchedule], FloatArray, FloatArray]:
    """Every ground unit, in order of march, through the column kernel; with all
    their heads and tails (one row per unit, one column per checkpoint)."""
    units, route = _column_inputs(ctx, [u for _, u in ground])
    times = column_kernel(len(ground))(units, route)
    heads, tails, leaves = _pass_times(units, times)
    return _unit_schedules(ctx, ground, units, times, (heads, tails, leaves)), heads, tails


def _column_inputs(
    ctx: _Ctx, ground: Sequence[Unit]
) -> tuple[kernel.ColumnUnits, kernel.RouteLimits]:
    n = len(ground)
    units = kernel.ColumnUnits(
        length_m=np.empty(n), speed_ms=np.empty(n), gap_m=np.empty(n),
        step_off_rule=np.zeros(n, dtype=np.int64), rule_time_s=np.zeros(n),
        target_at_m=np.zeros(n), stop_at_m=np.zeros(n), stop_s=np.zeros(n),
    )  # fmt: skip
    cp_pos = np.array([c.at_m for c in ctx.checkpoints])
    for j, u in enumerate(ground):
        units.length_m[j], units.speed_ms[j] = length_m(u), speed_ms(u)
        units.gap_m[j] = planned_gap_m(ctx.plan, u)
        if u.step_off is not None:
            units.step_off_rule[j] = kernel.STEP_FIXED
            units.rule_time_s[j] = ctx.seconds(u.step_off)
        elif u.target is not None:
            units.target_at_m[j] = cp_pos[ctx.index(u.target.at)]
            if u.target.head is not None:
                units.step_off_rule[j] = kernel.STEP_TARGET_HEAD
                units.rule_time_s[j] = ctx.seconds(u.target.head)
            elif u.target.tail is not None:
                units.step_off_rule[j] = kernel.STEP_TARGET_TAIL
                units.rule_time_s[j] = ctx.seconds(u.target.tail)
        if u.show_stop is not None:
            units.stop_at_m[j] = cp_pos[ctx.index(u.show_stop.at)]
            units.stop_s[j] = u.show_stop.duration_s
    min_gap = ctx.plan.defaults.min_gap_m
    reach = units.length_m + np.maximum(units.gap_m, min_gap)
    limits = np.array(ctx.limits, dtype=float).reshape(-1, 3)
    route = kernel.RouteLimits(
        checkpoints_m=cp_pos,
        reviewing=next(i for i, c in enumerate(ctx.checkpoints) if c.reviewing),
        # Far enough past the release point for every tail to pass it.
        end_m=float(cp_pos[-1] + 2 * np.max(reach) + 1.0),
        min_gap_m=float(min_gap),
        limit_from_m=np.ascontiguousarray(limits[:, 0]),
        limit_to_m=np.ascontiguousarray(limits[:, 1]),
        limit_ms=np.ascontiguousarray(limits[:, 2]),
    )
    return units, route


def _unit_schedules(
    ctx: _Ctx,
    ground: Sequence[tuple[int, Unit]],
    units: kernel.ColumnUnits,
    times: kernel.ColumnTimes,
    pass_times: tuple[FloatArray, FloatArray, FloatArray],
) -> list[UnitSchedule]:
    """The kernel's arrays as one :class:`UnitSchedule` per unit, its rules checked."""
    ids = tuple(c.id for c in ctx.checkpoints)
    heads, tails, leaves = (list(rows) for rows in pass_times)
    # Whole arrays to Python lists in one call each: per-element float() costs
    # more than the compiled kernel itself.
    held = np.maximum(times.tail[:, -1] - times.free_end, 0.0)
    is_held = ((held >= HOLD_THRESHOLD_S) & ~np.isnan(times.hold_from_m)).tolist()
    held_l, hold_from, hold_at = held.tolist(), times.hold_from_m.tolist(), times.hold_time.tolist()
    t0, off = times.step_off.tolist(), times.offsets.tolist()
    lengths, speeds = units.length_m.tolist(), units.speed_ms.tolist()
    gap_ahead = times.gap_at_reviewing.tolist()
    # One array for the whole column; each unit keeps a view of its columns.
    path = np.stack(times.path)
    path.setflags(write=False)
    out = []
    for j, (index, u) in enumerate(ground):
        if u.target is not None:
            _check_target(ctx, index, u, times.head[j].tolist(), times.tail[j].tolist())
        elif u.step_off is not None:
            _check_step_off(ctx, index, u, t0[j], float(times.head[j, 0]))
        a, b = off[j], off[j + 1]
        h = is_held[j]
        out.append(
            UnitSchedule(
                id=u.id,
                name=u.label,
                kind=u.kind,
                length_m=lengths[j],
                speed_ms=speeds[j],
                step_off=t0[j],
                checkpoint_ids=ids,
                heads=heads[j],
                tails=tails[j],
                head_leaves=leaves[j],
                held_s=held_l[j] if h else 0.0,
                breakpoints=path[:, a:b],
                hold_from_m=hold_from[j] if h else None,
                hold_time=hold_at[j] if h else None,
                gap_ahead_m=None if j == 0 else gap_ahead[j],
                description=u.description,
                debut=u.debut,
            )
        )
    return out


def _pass_times(
    units: kernel.ColumnUnits, times: kernel.ColumnTimes
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Heads, tails and show-stop departures (NaN: no stop) at every checkpoint, read-only.

    One row per unit; the units keep views of these rows, so a schedule makes
    no per-pass objects until a consumer asks for :attr:`UnitSchedule.passes`.
    """
    # The head leaves a checkpoint later than it arrives only at its own show stop.
    stops = (units.stop_s[:, None] > 0) & (times.head_leaves - times.head > 1e-9)
    out = (np.array(times.head), np.array(times.tail), np.where(stops, times.head_leaves, np.nan))
    for a in out:
        a.setflags(write=False)
    return out


def _check_target(ctx: _Ctx, index: int, unit: Unit, head: list[float], tail: list[float]) -> None:
    target = unit.target
    assert target is not None
    k = ctx.index(target.at)
    part, clock = ("head", target.head) if target.head is not None else ("tail", target.tail)
    assert clock is not None
    got = head[k] if part == "head" else tail[k]
    if abs(got - ctx.seconds(clock)) <= TARGET_TOLERANCE_S:
        return
    earliest = ctx.plan_clock(got)
    raise ctx.unit_error(
        index,
        "target",
        f"{unit.id}'s {part} cannot pass {target.at} at {clock}: "
        f"the unit ahead holds it back until {earliest}",
        hint=f"set the target at {earliest} or later, or move the units ahead earlier",
    )


def _check_step_off(ctx: _Ctx, index: int, unit: Unit, wanted: float, got: float) -> None:
    """A fixed step-off the unit ahead prevents is an error, as a target is.

    ``got`` is when the head really crosses the start: later than ``wanted``
    when the unit ahead has not yet cleared ``min_gap_m`` beyond the start.
    """
    if got - wanted <= TARGET_TOLERANCE_S:
        return
    assert unit.step_off is not None
    # Rounded up: a whole second earlier would still be too early.
    earliest = ctx.plan_clock(math.ceil(got - 1e-6))
    raise ctx.unit_error(
        index,
        "step_off",
        f"{unit.id} cannot step off at {unit.step_off}: "
        f"the unit ahead holds it back at the start until {earliest}",
        hint=f"set step_off at {earliest} or later, or leave it out to step off "
        "when the planned gap has opened",
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
        checkpoint_ids=(unit.over,),
        heads=_frozen([t]),
        tails=_frozen([t + unit.length_m / speed]),
        head_leaves=_frozen([math.nan]),
        description=unit.description,
        debut=unit.debut,
    )


def _frozen(values: list[float]) -> FloatArray:
    a = np.array(values, dtype=float)
    a.setflags(write=False)
    return a


def _summary(ctx: _Ctx, heads: FloatArray, tails: FloatArray) -> Summary:
    """First and last of the ground units' heads and tails (aircraft take no road)."""
    rev = next(i for i, c in enumerate(ctx.checkpoints) if c.reviewing)
    first_head, last_tail = float(heads[:, 0].min()), float(tails[:, -1].max())
    return Summary(
        first_head=first_head,
        last_tail=last_tail,
        duration_s=last_tail - first_head,
        reviewing_first_head=float(heads[:, rev].min()),
        reviewing_last_tail=float(tails[:, rev].max()),
    )
