"""What goes wrong in a schedule: catch-ups, gaps, the window, flypasts."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Sequence

from paradeops.model.plan import AircraftUnit, Plan
from paradeops.timing.clock_findings import early_flypasts
from paradeops.timing.schedule import CheckpointInfo, Finding, UnitSchedule


def find_all(
    plan: Plan,
    checkpoints: Sequence[CheckpointInfo],
    units: Sequence[UnitSchedule],
    window_end: float | None,
) -> list[Finding]:
    return [
        *catch_ups(checkpoints, units),
        *gaps(plan, checkpoints, units),
        *window(checkpoints, units, window_end),
        *flypasts(plan, units),
        *early_flypasts(plan, units),
    ]


def catch_ups(
    checkpoints: Sequence[CheckpointInfo], units: Sequence[UnitSchedule]
) -> Iterator[Finding]:
    """One finding per held unit, at the first checkpoint at or after the hold."""
    positions = [c.at_m for c in checkpoints]
    for u in units:
        if u.hold_from_m is None:
            continue
        where = u.hold_from_m
        k = min(bisect.bisect_left(positions, where - 1e-6), len(checkpoints) - 1)
        cp = checkpoints[k]
        yield Finding(
            kind="catch_up",
            severity="warning",
            unit=u.id,
            checkpoint=cp.id,
            message=f"{u.id} closes up on the unit ahead {where:.0f} m from the start "
            f"and is held back {u.held_s:.0f} s in all; it reaches {cp.name} late",
            time=u.hold_time,
            position_m=where,
            amount=u.held_s,
        )


def gaps(
    plan: Plan, checkpoints: Sequence[CheckpointInfo], units: Sequence[UnitSchedule]
) -> Iterator[Finding]:
    """A gap wider than ``max_gap_m`` in front of the reviewing stand."""
    limit = plan.defaults.max_gap_m
    if limit is None:
        return
    rev = next(c for c in checkpoints if c.reviewing)
    for u in units:
        gap = u.gap_ahead_m
        if gap is not None and gap > limit:
            p = u.at(rev.id)
            yield Finding(
                kind="gap",
                severity="warning",
                unit=u.id,
                checkpoint=rev.id,
                message=f"a {gap:.0f} m gap opens in front of {rev.name} before "
                f"{u.id} (limit {limit:g} m)",
                time=None if p is None else p.head,
                position_m=rev.at_m,
                amount=gap,
            )


def window(
    checkpoints: Sequence[CheckpointInfo],
    units: Sequence[UnitSchedule],
    window_end: float | None,
) -> Iterator[Finding]:
    """Every unit whose tail passes the reviewing stand after the window's end."""
    if window_end is None:
        return
    rev = next(c for c in checkpoints if c.reviewing)
    for u in units:
        p = u.at(rev.id)
        if p is not None and p.tail > window_end + 1e-6:
            late = p.tail - window_end
            yield Finding(
                kind="window",
                severity="error",
                unit=u.id,
                checkpoint=rev.id,
                message=f"{u.id}'s tail passes {rev.name} {_mmss(late)} after the window ends",
                time=p.tail,
                position_m=rev.at_m,
                amount=late,
            )


def flypasts(plan: Plan, units: Sequence[UnitSchedule]) -> Iterator[Finding]:
    """An aircraft over a checkpoint while a unit holds a show stop there."""
    clear = plan.defaults.flypast_clear_s
    if clear is None:
        return
    stops = [
        (u.id, p.checkpoint, p.head, p.head_leaves)
        for u in units
        for p in u.passes
        if p.head_leaves is not None
    ]
    for plane in plan.units:
        if not isinstance(plane, AircraftUnit):
            continue
        sched = next(u for u in units if u.id == plane.id)
        over = sched.passes[0]
        for unit_id, cp, start, end in stops:
            assert end is not None
            if cp == over.checkpoint and start - clear <= over.head <= end + clear:
                yield Finding(
                    kind="flypast",
                    severity="error",
                    unit=plane.id,
                    checkpoint=cp,
                    message=f"{plane.id} passes over {cp} during {unit_id}'s show stop "
                    f"(keep {clear:g} s clear)",
                    time=over.head,
                    amount=clear,
                )


def _mmss(seconds: float) -> str:
    return str(dt.timedelta(seconds=round(seconds)))
