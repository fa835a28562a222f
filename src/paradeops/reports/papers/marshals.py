"""A sheet per checkpoint for its marshals: what passes when, boxes to tick (pure).

A checkpoint before the reviewing stand is a control point of the live
hold-and-release orders (:func:`paradeops.live.orders.control_point`): its
sheet says so and leaves a column to write an order in.
"""

from __future__ import annotations

from paradeops.reports.papers.common import PapersInput, name_of, title_block, when
from paradeops.reports.papers.markup import CHECKBOX, PAGE_BREAK, heading, small, table, text
from paradeops.reports.times import clock
from paradeops.timing.schedule import CheckpointInfo, Schedule

__all__ = ["marshal_sheets"]


def marshal_sheets(data: PapersInput) -> str:
    """Markup of one sheet (page) per checkpoint, in route order."""
    s = data.schedule
    return PAGE_BREAK.join(_sheet(data, k, c) for k, c in enumerate(s.checkpoints))


def _role(s: Schedule, k: int, c: CheckpointInfo) -> str:
    """What this checkpoint is for, and the orders to expect there."""
    if c.reviewing:
        return "The reviewing stand: units pass in the order below; show stops halt here."
    if k == 0:
        return (
            "The start point: send each unit off at its head time. Expect hold and "
            "release orders from the control room for units not yet gone."
        )
    if k == len(s.checkpoints) - 1:
        return "The release point: units disperse once their tail has passed."
    if c.at_m < s.reviewing.at_m:
        return (
            "A control point before the stand: expect orders to hold a unit here "
            "(for some seconds, or until released) and to release it. Write them in."
        )
    return "After the stand: keep the road clear for the units behind."


def _sheet(data: PapersInput, k: int, c: CheckpointInfo) -> str:
    s = data.schedule
    rows = []
    for number, u in enumerate(s.units, start=1):
        p = u.at(c.id)
        if p is None:
            continue
        notes = []
        if u.trajectory is None:
            notes.append("flypast overhead")
        if p.head_leaves is not None:
            notes.append(
                f"halts {p.head_leaves - p.head:.0f} s, moves on {clock(s, p.head_leaves)}"
            )
        name = text(name_of(u)) + (f" \\\n{small(text('; '.join(notes)))}" if notes else "")
        rows.append(
            [text(str(number)), name, when(s, p.head), CHECKBOX, when(s, p.tail), CHECKBOX, ""]
        )
    return "\n".join(
        [
            title_block(data, "Marshals"),
            heading(2, "Checkpoint: ", c.name, f", {c.at_m:.0f} m from the start point", sep=""),
            text(_role(s, k, c)),
            "",
            table(
                ["auto", "1fr", "auto", "auto", "auto", "auto", "28mm"],
                ["No.", "Unit", "Head", "✓", "Tail", "✓", "Order / note"],
                rows,
            ),
        ]
    )
