"""Alerts for the control room: a unit late, a gap opening, the window at risk."""

from __future__ import annotations

from collections.abc import Sequence

from paradeops.live.model import Alert, Thresholds, UnitStatus
from paradeops.timing.schedule import Schedule


def span(seconds: float) -> str:
    """A length of time as people say it: ``90 s``, ``12 min 05 s``, ``3 h 04 min``,
    ``466 days 5 h`` (a service whose clock is far from the parade's day said
    ``40282919 s late``)."""
    s = round(abs(seconds))
    if s < 120:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    if s < 2 * 86400:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    return f"{s // 86400} days {s % 86400 // 3600} h"


def alerts(schedule: Schedule, units: Sequence[UnitStatus], th: Thresholds) -> list[Alert]:
    return [*_late(units, th), *_gaps(schedule, units, th), *_window(schedule, units, th)]


def _late(units: Sequence[UnitStatus], th: Thresholds) -> list[Alert]:
    out = []
    for u in units:
        if u.state in ("passed", "overhead") or u.delay_s <= th.late_s:
            continue
        nxt = next((p.checkpoint for p in u.passes if p.head_ahead), None)
        out.append(
            Alert(
                "late",
                "warning",
                u.id,
                nxt,
                f"{u.id} is {span(u.delay_s)} late" + (f" at {nxt}" if nxt else ""),
                u.delay_s,
            )
        )
    return out


def _gaps(schedule: Schedule, units: Sequence[UnitStatus], th: Thresholds) -> list[Alert]:
    """The gap from a leader's tail to its follower's head as the head reaches the stand."""
    if th.max_gap_m is None:
        return []
    rev = schedule.reviewing
    ground = [u for u in units if u.trajectory is not None]
    out = []
    for lead, follow in zip(ground, ground[1:], strict=False):
        fp = follow.at(rev.id)
        if fp is None or not fp.head_ahead or lead.trajectory is None:
            continue
        lead_head = float(lead.trajectory.position(fp.head))
        gap = lead_head - lead.length_m - rev.at_m
        if gap > th.max_gap_m:
            out.append(
                Alert(
                    "gap",
                    "warning",
                    follow.id,
                    rev.id,
                    f"a {gap:.0f} m gap opens before {rev.name} between {lead.id} and "
                    f"{follow.id} (limit {th.max_gap_m:.0f} m)",
                    gap,
                )
            )
    return out


def _window(schedule: Schedule, units: Sequence[UnitStatus], th: Thresholds) -> list[Alert]:
    if schedule.window_end is None:
        return []
    rev = schedule.reviewing.id
    tails = [
        (p.tail, u.id)
        for u in units
        if u.trajectory is not None
        for p in u.passes
        if p.checkpoint == rev
    ]
    if not tails:
        return []
    last, who = max(tails)
    over = last - schedule.window_end
    if over > 0:
        return [
            Alert(
                "window",
                "error",
                who,
                rev,
                f"the last tail ({who}) passes {rev} {span(over)} after the window ends",
                over,
            )
        ]
    if over > -th.window_margin_s:
        return [
            Alert(
                "window",
                "warning",
                who,
                rev,
                f"the window is at risk: the last tail ({who}) passes {rev} only "
                f"{span(-over)} before it ends",
                over,
            )
        ]
    return []
