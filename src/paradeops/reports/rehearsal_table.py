"""The rehearsal schedule of ``paradeops rehearsals``: a table, or a JSON document.

Each rehearsal's window is the plan's rule on its own date
(:func:`paradeops.reports.ics.rehearsal_window`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.table import Table

from paradeops.model.clock import offset_text
from paradeops.model.plan import Plan
from paradeops.reports.ics import rehearsal_window
from paradeops.reports.times import iso_moment

__all__ = ["rehearsal_time", "rehearsals_json", "rehearsals_table"]


def rehearsals_json(plan: Plan, default_s: float | None) -> dict[str, Any]:
    """Each rehearsal with its start and end as ISO 8601 with offset."""
    items = []
    for r in plan.rehearsals:
        start, end = rehearsal_window(plan, r, default_s)
        items.append(
            {
                "id": r.id,
                "name": r.label,
                "start": iso_moment(start),
                "end": iso_moment(end),
                "place": r.place,
                "units": r.units,
            }
        )
    return {"parade": plan.parade.name, "rehearsals": items}


def rehearsals_table(plan: Plan, default_s: float | None) -> Table:
    """Date, from, to and UTC offset per rehearsal, in the parade's zone."""
    t = Table(
        title=f"{plan.parade.name}: rehearsals ({plan.parade.timezone}; "
        "UTC: the offset at the start)",
        title_justify="left",
    )
    for col in ("id", "date", "from", "to", "UTC", "place", "units"):
        t.add_column(col)
    for r in plan.rehearsals:
        start, end = rehearsal_window(plan, r, default_s)
        t.add_row(
            r.id,
            f"{r.date}",
            rehearsal_time(start, r.date, start),
            rehearsal_time(end, r.date, start),
            offset_text(start),
            r.place,
            "all" if r.units is None else str(len(r.units)),
        )
    return t


def rehearsal_time(moment: dt.datetime, date: dt.date, start: dt.datetime) -> str:
    """``HH:MM`` (``HH:MM:SS`` if not whole) of a rehearsal on ``date``.

    A time on a later date carries ``(+1)`` (or ``(+2)``), one at another
    offset than the start's carries its own (``03:30+02:00``).
    """
    text = f"{moment:%H:%M:%S}" if moment.second or moment.microsecond else f"{moment:%H:%M}"
    if moment.utcoffset() != start.utcoffset():
        text += offset_text(moment)
    days = (moment.date() - date).days
    return text + (f" ({days:+d})" if days else "")
