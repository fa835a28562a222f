"""The schedule as CSV: one row per unit and checkpoint it passes.

The long (tidy) shape, rather than one column per checkpoint, is what
spreadsheets filter and pivot well, and it is the shape the live service's
check-in export will share (unit, checkpoint, head, tail), so planned and
actual times can be joined on ``unit_id`` + ``checkpoint``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from paradeops.reports.csv_text import csv_text
from paradeops.reports.schedule_json import iso_clock
from paradeops.timing.schedule import Schedule

__all__ = ["CSV_COLUMNS", "schedule_csv"]

CSV_COLUMNS = (
    "unit_id",
    "unit_name",
    "kind",
    "order",
    "checkpoint",
    "head",
    "tail",
    "head_leaves",
    "length_m",
    "speed_kmh",
    "step_off",
    "held_s",
)


def schedule_csv(s: Schedule) -> str:
    """CSV text with a header row; times ISO 8601 with offset, ``order`` from 1.

    Aircraft have a single row, at the checkpoint they fly over. Lines end in
    ``\\n``; the CLI should write the text with ``newline=""`` unchanged. A
    name a spreadsheet would run as a formula is written as text
    (:mod:`paradeops.reports.csv_text`).
    """
    return csv_text(CSV_COLUMNS, _rows(s))


def _rows(s: Schedule) -> Iterator[tuple[Any, ...]]:
    for order, u in enumerate(s.units, start=1):
        for p in u.passes:
            yield (
                u.id,
                u.name,
                u.kind,
                order,
                p.checkpoint,
                iso_clock(s, p.head),
                iso_clock(s, p.tail),
                "" if p.head_leaves is None else iso_clock(s, p.head_leaves),
                f"{u.length_m:.1f}",
                f"{u.speed_kmh:.1f}",
                iso_clock(s, u.step_off),
                f"{u.held_s:.1f}",
            )
