"""What goes wrong in a schedule: catch-ups, gaps, the window, flypasts."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator, Sequence

import numpy as np

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
        if rev.id not in u.checkpoint_ids:
            continue
        # Read from the arrays: a Pass per unit would be 10,000 objects made for none.
        tail = float(u.tails[u.checkpoint_ids.index(rev.id)])
        if tail > window_end + 1e-6:
            late = tail - window_end
            yield Finding(
                kind="window",
                severity="error",
                unit=u.id,
                checkpoint=rev.id,
                message=f"{u.id}'s tail passes {rev.name} {_mmss(late)} after the window ends",
                time=tail,
                position_m=rev.at_m,
                amount=late,
            )


def flypasts(plan: Plan, units: Sequence[UnitSchedule]) -> Iterator[Finding]:
    """An aircraft over a checkpoint while a unit holds a show stop there."""
    clear = plan.defaults.flypast_clear_s
    planes = [u for u in plan.units if isinstance(u, AircraftUnit)]
    if clear is None or not planes:
        return
    stops = _show_stops(units)
    for plane in planes:
        sched = next(u for u in units if u.id == plane.id)
        over, at = sched.checkpoint_ids[0], float(sched.heads[0])
        for unit_id, cp, start, end in stops:
            if cp == over and start - clear <= at <= end + clear:
                yield Finding(
                    kind="flypast",
                    severity="error",
                    unit=plane.id,
                    checkpoint=cp,
                    message=f"{plane.id} passes over {cp} during {unit_id}'s show stop "
                    f"(keep {clear:g} s clear)",
                    time=at,
                    amount=clear,
                )


def _show_stops(units: Sequence[UnitSchedule]) -> list[tuple[str, str, float, float]]:
    """``(unit, checkpoint, head arrives, head leaves)`` of every show stop, in order of march."""
    if not units:
        return []
    # All units' departures in one array: a scan per unit would cost more than the stops.
    leaves = np.concatenate([u.head_leaves for u in units])
    ends = np.cumsum([len(u.head_leaves) for u in units])
    flat = np.flatnonzero(~np.isnan(leaves))
    owners = np.searchsorted(ends, flat, side="right")
    stops = []
    for i, j in zip(flat.tolist(), owners.tolist(), strict=True):
        u = units[j]
        k = i - (int(ends[j - 1]) if j else 0)
        stops.append((u.id, u.checkpoint_ids[k], float(u.heads[k]), float(u.head_leaves[k])))
    return stops


def _mmss(seconds: float) -> str:
    return str(dt.timedelta(seconds=round(seconds)))
