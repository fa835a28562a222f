"""Measured times that cannot be: a unit passing the route backwards. Pure.

A head passes the checkpoints in the order of the route, each later than
the one before, and a tail passes a checkpoint after its own head. Times
that run the other way (columns swapped, a file of another rehearsal, the
route read from its far end) give the least squares a negative slope: a
negative speed, and a plan written from it that does not validate. They are
refused before any fitting, each at its row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from paradeops.calibration.runs import Measured, Run


@dataclass(frozen=True)
class Backwards:
    """One measured time out of order: where (the row) and what."""

    row: int | None
    message: str
    hint: str


def backwards(run: Run, checkpoints: Sequence[str]) -> list[Backwards]:
    """Every row of ``run`` whose time is not after the one it must follow."""
    order = {cid: i for i, cid in enumerate(checkpoints)}
    by_unit: dict[str, list[Measured]] = {}
    for m in run.rows:
        if m.checkpoint in order:
            by_unit.setdefault(m.unit, []).append(m)
    found: list[Backwards] = []
    for rows in by_unit.values():
        rows.sort(key=lambda m: order[m.checkpoint])
        found.extend(_tail_before_head(rows))
        found.extend(_along_route(rows, "head"))
        found.extend(_along_route(rows, "tail"))
    return sorted(found, key=lambda b: b.row or 0)


def _tail_before_head(rows: Sequence[Measured]) -> Iterator[Backwards]:
    for m in rows:
        if m.head is not None and m.tail is not None and m.tail < m.head:
            yield Backwards(
                m.row,
                f"{m.unit}'s tail passes {m.checkpoint} {m.head - m.tail:g} s before its head",
                "check that the head and tail columns are not swapped",
            )


def _along_route(rows: Sequence[Measured], end: str) -> Iterator[Backwards]:
    """Each measured time of ``end`` later than the one at the checkpoint before."""
    previous: Measured | None = None
    for m in rows:
        t = _time(m, end)
        if t is None:
            continue
        before = None if previous is None else _time(previous, end)
        if previous is not None and before is not None and t <= before:
            yield Backwards(
                m.row,
                f"{m.unit}'s {end} passes {m.checkpoint} {_when(before - t)} it passes "
                f"{previous.checkpoint}, the checkpoint before it on the route",
                "check the times and checkpoint ids of this unit: along the route each "
                "time is later than the one before",
            )
        previous = m


def _time(m: Measured, end: str) -> float | None:
    return m.head if end == "head" else m.tail


def _when(earlier_s: float) -> str:
    return "at the same time as" if earlier_s == 0 else f"{earlier_s:g} s before"
