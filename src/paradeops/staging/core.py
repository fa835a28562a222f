"""Call times, leave times and the occupancy of assembly areas. Pure.

From the schedule (each unit's step-off: its head at the start point) and the
plan's ``assembly:`` section (docs/staging.md):

* **leave** = step-off − the area's ``to_start_s``: when the unit's head must
  leave its area;
* **call** = leave − ``form_up_s``: when the unit must be in its area;
* **clear** = leave + the unit's length ÷ its speed: when its tail has left.

A unit takes its whole room in the area from its call to its clear time (its
room frees as it marches out, but counting it whole until the tail is gone
errs on the safe side). Times are seconds from the schedule's reference,
like the schedule's own; an area's ``opens`` becomes one through UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from paradeops.model.assembly import Area, Assembly
from paradeops.model.clock import clock_text, instant, seconds_between
from paradeops.model.plan import Plan, Unit
from paradeops.staging.space import capacity, measure, space
from paradeops.timing.schedule import Schedule, UnitSchedule

__all__ = [
    "AreaUse",
    "FeedRun",
    "Staging",
    "StagingFinding",
    "UnitCall",
    "stage",
]

StagingKind = Literal["over_capacity", "cannot_reach", "before_open", "unassigned"]
Severity = Literal["error", "warning"]
#: Two times closer than this are one instant (engine round-off) [s].
_SAME_S = 1e-6


@dataclass(frozen=True)
class UnitCall:
    """One unit's times at its assembly area [s from the schedule's reference]."""

    unit: str
    name: str
    area: str | None
    call: float
    leave: float
    clear: float
    step_off: float
    #: What the unit takes of its area (m or m², the area's measure).
    space: float


@dataclass(frozen=True)
class AreaUse:
    """An area, the units it feeds in the order they leave, and its occupancy."""

    id: str
    name: str
    measure: str  # "m" or "m²"
    capacity: float
    to_start_s: float
    opens: float | None
    feed: tuple[str, ...]
    #: Occupancy as steps: ``used[i]`` from ``times[i]`` until ``times[i + 1]``.
    times: tuple[float, ...]
    used: tuple[float, ...]
    peak: float
    peak_at: float | None


@dataclass(frozen=True)
class FeedRun:
    """Consecutive units (by step-off) that come from one area."""

    area: str | None
    units: tuple[str, ...]
    first_step_off: float
    last_step_off: float


@dataclass(frozen=True)
class StagingFinding:
    kind: StagingKind
    severity: Severity
    message: str
    area: str | None = None
    unit: str | None = None
    #: When it begins and ends [s from reference].
    time: float | None = None
    until: float | None = None
    #: Its size: metres or m² over capacity, seconds late or early.
    amount: float | None = None


@dataclass(frozen=True)
class Staging:
    schedule: Schedule
    form_up_s: float
    units: tuple[UnitCall, ...]
    areas: tuple[AreaUse, ...]
    feed: tuple[FeedRun, ...]
    findings: tuple[StagingFinding, ...]

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def stage(plan: Plan, schedule: Schedule) -> Staging:
    """Call and leave times, feeding order, occupancy and findings.

    ``plan.assembly`` must be set and free of the problems
    :func:`paradeops.staging.checks.staging_issues` reports.
    """
    assembly = plan.assembly
    if assembly is None:
        raise ValueError("the plan has no assembly: section")
    by_id = {u.id: u for u in plan.units}
    calls = [
        _call(assembly, by_id[u.id], u)
        for u in sorted(schedule.units, key=lambda u: u.step_off)
        if u.trajectory is not None  # aircraft do not form up
    ]
    opens = {a.id: _opens(a, plan, schedule) for a in assembly.areas}
    areas = tuple(_area_use(a, opens[a.id], calls) for a in assembly.areas)
    findings = [
        *_unassigned(calls),
        *_opening(calls, {a.id: a for a in assembly.areas}, opens, schedule),
        *(f for a in areas for f in _over_capacity(a, schedule)),
    ]
    return Staging(schedule, assembly.form_up_s, tuple(calls), areas, _feed(calls), tuple(findings))


def _call(assembly: Assembly, unit_plan: Unit, unit: UnitSchedule) -> UnitCall:
    area_id = assembly.area_of(unit.id)
    if area_id is None:
        nan = float("nan")
        return UnitCall(unit.id, unit.name, None, nan, nan, nan, unit.step_off, 0.0)
    area = assembly.area(area_id)
    leave = unit.step_off - area.to_start_s
    clear = leave + unit.length_m / unit.speed_ms
    taken = space(unit_plan, area)
    return UnitCall(
        unit.id, unit.name, area_id, leave - assembly.form_up_s, leave, clear, unit.step_off, taken
    )


def _opens(area: Area, plan: Plan, schedule: Schedule) -> float | None:
    if area.opens is None:
        return None
    zone = ZoneInfo(plan.parade.timezone)
    at = instant(area.opens, plan.parade.date, zone, "opens")  # checked: names one instant
    return seconds_between(schedule.reference, at)


def _area_use(area: Area, opens: float | None, calls: Sequence[UnitCall]) -> AreaUse:
    mine = [c for c in calls if c.area == area.id]
    # Removals before additions at one instant: a unit leaving as another
    # arrives frees its room first (by the times the plan sets, not by chance).
    events = sorted([(c.call, 1, c.space) for c in mine] + [(c.clear, 0, -c.space) for c in mine])
    times: list[float] = []
    used: list[float] = []
    level = 0.0
    for t, _, change in events:
        level += change
        if times and t - times[-1] <= _SAME_S:
            used[-1] = level
        else:
            times.append(t)
            used.append(level)
    used = [0.0 if abs(u) < 1e-9 else u for u in used]  # sums of floats return to 0
    peak = max(used, default=0.0)
    peak_at = times[used.index(peak)] if mine else None
    return AreaUse(
        area.id, area.label, measure(area), capacity(area), area.to_start_s, opens,
        tuple(c.unit for c in sorted(mine, key=lambda c: c.leave)),
        tuple(times), tuple(used), peak, peak_at,
    )  # fmt: skip


def _feed(calls: Sequence[UnitCall]) -> tuple[FeedRun, ...]:
    """Runs of consecutive units (by step-off) from one area."""
    runs: list[FeedRun] = []
    for c in calls:
        if runs and runs[-1].area == c.area:
            last = runs[-1]
            runs[-1] = FeedRun(last.area, (*last.units, c.unit), last.first_step_off, c.step_off)
        else:
            runs.append(FeedRun(c.area, (c.unit,), c.step_off, c.step_off))
    return tuple(runs)


def _unassigned(calls: Sequence[UnitCall]) -> list[StagingFinding]:
    return [
        StagingFinding(
            "unassigned",
            "warning",
            f"{c.name} ({c.unit}) has no assembly area: name it in assembly.assign, "
            "or give assembly.default",
            unit=c.unit,
            time=c.step_off,
        )  # fmt: skip
        for c in calls
        if c.area is None
    ]


def _opening(
    calls: Sequence[UnitCall],
    areas: dict[str, Area],
    opens: dict[str, float | None],
    s: Schedule,
) -> list[StagingFinding]:
    """Units that must leave before their area opens, or are called before it does."""
    found = []
    for c in calls:
        at = opens.get(c.area) if c.area is not None else None
        if c.area is None or at is None or c.call >= at - _SAME_S:
            continue
        label, when = areas[c.area].label, _clock(s, at)
        if c.leave < at - _SAME_S:
            late = at - c.leave
            message = (
                f"{c.name} ({c.unit}) must leave {label} at {_clock(s, c.leave)} to step off "
                f"at {_clock(s, c.step_off)}, but the area opens at {when}: it cannot reach "
                f"the start point in time ({_duration(late)} late at the earliest)"
            )
            found.append(
                StagingFinding("cannot_reach", "error", message, c.area, c.unit, c.leave, at, late)
            )
        else:
            short = at - c.call
            message = (
                f"{c.name} ({c.unit}) is called to {label} at {_clock(s, c.call)}, before it "
                f"opens at {when}: {_duration(short)} less to form up"
            )
            found.append(
                StagingFinding("before_open", "warning", message, c.area, c.unit, c.call, at, short)
            )
    return found


def _over_capacity(area: AreaUse, s: Schedule) -> list[StagingFinding]:
    """Each stretch of time the area holds more than its capacity, with its worst excess."""
    found = []
    start: float | None = None
    worst = 0.0
    for k, (t, used) in enumerate(zip(area.times, area.used, strict=True)):
        over = used - area.capacity
        if over > 1e-9:
            start = t if start is None else start
            worst = max(worst, over)
            continue
        if start is not None:
            found.append(_over_finding(area, start, area.times[k], worst, s))
            start, worst = None, 0.0
    return found


def _over_finding(
    area: AreaUse, start: float, end: float, worst: float, s: Schedule
) -> StagingFinding:
    unit = area.measure
    message = (
        f"{area.name} ({area.id}) holds {area.capacity:g} {unit} but is over it from "
        f"{_clock(s, start)} to {_clock(s, end)}, by up to {worst:.1f} {unit}"
    )
    return StagingFinding(
        "over_capacity", "error", message, area.id, None, start, end, round(worst, 1)
    )


def _clock(s: Schedule, seconds: float) -> str:
    return clock_text(s.clock(seconds), s.reference)


def _duration(seconds: float) -> str:
    """``15 min``, ``5 min 30 s``, ``1 h 5 min``: a span as a marshal says it."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "",
             f"{secs} s" if secs or not whole else ""]  # fmt: skip
    return " ".join(p for p in parts if p)
