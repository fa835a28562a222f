"""Clock findings of a schedule: an aircraft long before the parade starts.

A flypast may open a parade, so an aircraft before ``parade.start`` is
allowed. More than :data:`EARLY_FLYPAST_S` before it is more likely a time
meant after midnight written without ``24:``: a warning, not an error.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from zoneinfo import ZoneInfo

from paradeops.model.clock import ClockTime, instant, plan_spelling, seconds_between
from paradeops.model.plan import AircraftUnit, Plan
from paradeops.timing.schedule import Finding, UnitSchedule

__all__ = ["EARLY_FLYPAST_S", "early_flypasts"]

#: An aircraft more than this before the start is a finding [s].
EARLY_FLYPAST_S = 3600.0


def early_flypasts(plan: Plan, units: Sequence[UnitSchedule]) -> Iterator[Finding]:
    """A warning for each aircraft over its point more than an hour before the start."""
    zone = ZoneInfo(plan.parade.timezone)
    date = plan.parade.date
    start = instant(plan.parade.start, date, zone, "parade.start")
    for plane in plan.units:
        if not isinstance(plane, AircraftUnit):
            continue
        at = instant(plane.at, date, zone, "at")
        early = -seconds_between(start, at)
        if early <= EARLY_FLYPAST_S:
            continue
        sched = next(u for u in units if u.id == plane.id)
        yield Finding(
            kind="flypast",
            severity="warning",
            unit=plane.id,
            checkpoint=plane.over,
            message=f"{plane.id} flies over {plane.over} at {plan_spelling(at, date, zone)}, "
            f"{_hours(early)} before the parade starts at {plan_spelling(start, date, zone)}; "
            f"{_advice(plane.at, early)}",
            time=float(sched.heads[0]),
            amount=early,
        )


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _advice(clock: ClockTime, early: float) -> str:
    # Half a day early or more is rather a time after midnight than an opening.
    if clock.fixed is None and clock.days == 0 and early >= 12 * 3600:
        return f"if it is meant after midnight, write {ClockTime(clock.wall, days=1)}"
    return "check the time"
