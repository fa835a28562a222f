"""A call sheet per unit: when to step off, the route with its times, the gaps (pure).

The call time and assembly area come from an assembly plan when there is one
(:class:`~paradeops.reports.papers.common.Call`); without one those lines are
left out rather than printed empty.
"""

from __future__ import annotations

from paradeops.model.plan import AircraftUnit, Unit
from paradeops.reports.papers.common import PapersInput, name_of, when
from paradeops.reports.papers.markup import PAGE_BREAK, facts, heading, joined, table, text
from paradeops.timing.schedule import UnitSchedule

__all__ = ["call_sheets"]


def call_sheets(data: PapersInput) -> str:
    """Markup of one sheet (page) per unit, in order of march."""
    plan_units = {u.id: u for u in data.plan.units}
    units = data.schedule.units
    sheets = []
    for k, u in enumerate(units):
        ahead = name_of(units[k - 1]) if k > 0 else None
        behind = name_of(units[k + 1]) if k + 1 < len(units) else None
        sheets.append(_sheet(data, k + 1, u, plan_units[u.id], ahead, behind))
    return PAGE_BREAK.join(sheets)


def _sheet(
    data: PapersInput, number: int, u: UnitSchedule, unit: Unit, ahead: str | None,
    behind: str | None,
) -> str:  # fmt: skip
    title = heading(1, f"Call sheet {number}: ", name_of(u), sep="")
    parade = joined([data.plan.parade.name, data.plan.parade.date.isoformat()])
    if isinstance(unit, AircraftUnit):
        return "\n".join([title, parade, facts(_flypast_facts(data, u, unit))])
    return "\n".join(
        [
            title,
            parade,
            "",
            facts(_facts(data, u, unit, ahead, behind)),
            heading(2, "Route"),
            _route(data, u),
        ]
    )


def _facts(
    data: PapersInput, u: UnitSchedule, unit: Unit, ahead: str | None, behind: str | None
) -> list[tuple[str, str]]:
    s = data.schedule
    defaults = data.plan.defaults
    rows: list[tuple[str, str]] = []
    call = data.calls.get(u.id)
    if call is not None and call.area is not None:
        rows.append(("Assembly area", text(call.area)))
    if call is not None and call.call_time is not None:
        rows.append(("Call time (be there by)", when(s, call.call_time)))
    if call is not None and call.leave_area is not None:
        rows.append(("Leave the area at", when(s, call.leave_area)))
    rows.append((f"Step off at {s.checkpoints[0].name}", when(s, u.step_off)))
    stand = u.at(s.reviewing.id)
    if stand is not None:
        rows.append((f"At {s.reviewing.name}", f"{when(s, stand.head)} – {when(s, stand.tail)}"))
    rows.append(("Length and speed", text(f"{u.length_m:.0f} m at {u.speed_kmh:.1f} km/h")))
    planned = unit.gap_m if unit.gap_m is not None else defaults.gap_m
    gap = (
        f"{planned:.0f} m behind the tail ahead (close up no nearer than {defaults.min_gap_m:.0f} m"
    )
    gap += f", open no wider than {defaults.max_gap_m:.0f} m)" if defaults.max_gap_m else ")"
    rows.append(("Gap to keep", text(gap)))
    if u.gap_ahead_m is not None:
        rows.append(("Gap ahead at the stand", text(f"{u.gap_ahead_m:.0f} m")))
    if u.held_s >= 1:
        rows.append(("Held on the way", text(f"{u.held_s:.0f} s behind the unit ahead")))
    if unit.show_stop is not None:
        where = next(c.name for c in s.checkpoints if c.id == unit.show_stop.at)
        rows.append(("Show stop", text(f"{unit.show_stop.duration_s:.0f} s at {where}")))
    rows.append(("Unit ahead", text(ahead or "none: you lead the parade")))
    rows.append(("Unit behind", text(behind or "none: you close the parade")))
    return rows


def _flypast_facts(data: PapersInput, u: UnitSchedule, unit: AircraftUnit) -> list[tuple[str, str]]:
    s = data.schedule
    over = next(c.name for c in s.checkpoints if c.id == unit.over)
    return [
        (f"Over {over}", when(s, u.heads[0])),
        ("Aircraft", text(f"{unit.count} at {unit.speed_kmh:.0f} km/h")),
    ]


def _route(data: PapersInput, u: UnitSchedule) -> str:
    """Head and tail at every checkpoint; when the head moves on, for a unit with a show stop."""
    s = data.schedule
    checkpoints = {c.id: c for c in s.checkpoints}
    stops = any(p.head_leaves is not None for p in u.passes)
    rows = []
    for p in u.passes:
        c = checkpoints[p.checkpoint]
        row = [text(c.name), text(f"{c.at_m:.0f} m"), when(s, p.head)]
        if stops:
            row.append(when(s, p.head_leaves) if p.head_leaves is not None else "")
        rows.append([*row, when(s, p.tail)])
    moves_on = ["Head moves on"] if stops else []
    return table(
        ["1fr", "auto", "auto", *(["auto"] if stops else []), "auto"],
        ["Checkpoint", "From the start", "Head", *moves_on, "Tail"],
        rows,
        align=["left", "right", "left", *(["left"] if stops else []), "left"],
    )
