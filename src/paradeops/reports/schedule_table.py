"""The schedule as rich tables: movement table, findings and a summary.

Clock times are ``HH:MM:SS`` in the parade's zone (the title gives the date,
zone and UTC offset; a time at another offset carries it), durations ``M:SS`` (or
``H:MM:SS``), as a planner reads them off a printed sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from paradeops.model.clock import offset_changes, offset_text
from paradeops.reports.times import clock
from paradeops.reports.words import counted
from paradeops.timing.schedule import Pass, Schedule, UnitSchedule

__all__ = [
    "findings_table",
    "hms",
    "natural_width",
    "render_text",
    "schedule_renderables",
    "schedule_table",
    "summary_panel",
    "unit_label",
    "zone_note",
]

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}
NAME_WIDTH = 24  # a unit's name column in a stacked table; longer names wrap


#: ``HH:MM:SS`` as the tables show a clock time (one formatter: :mod:`.times`).
hms = clock


def zone_note(s: Schedule, also: Iterable[float] = ()) -> str:
    """Date(s), zone and UTC offset of the times shown, and every change of offset.

    ``2025-03-30, Europe/Paris, UTC+01:00; from 03:00:00 UTC+02:00 (marked)``.
    ``also``: more times shown [s from reference] (a simulation's, a cue sheet's).
    """
    lo, hi = _span(s)
    shown = [t for t in also if math.isfinite(t)]
    lo, hi = min([lo, *shown]), max([hi, *shown])
    first, last = s.clock(lo), s.clock(hi)
    dates = f"{first:%Y-%m-%d}" if first.date() == last.date() else f"{first:%F} to {last:%F}"
    zone = getattr(s.reference.tzinfo, "key", None)
    text = f"{dates}, {zone + ', ' if zone else ''}UTC{offset_text(s.reference)}"
    # Every change (a span may cross several); dated when the span crosses dates.
    when = "%H:%M:%S" if first.date() == last.date() else "%Y-%m-%d %H:%M:%S"
    for change in offset_changes(first, last):
        text += f"; from {change.strftime(when)} UTC{offset_text(change)} (marked)"
    return text


def _dated(s: Schedule, parade_date: dt.date | None) -> str:
    """:func:`zone_note`, under the parade's date when the times shown are on another.

    A parade of 9 May that starts at ``24:30:00`` (or at an instant that is
    past midnight in its zone) shows times of 10 May: the title says both,
    so that the table is not read as the plan of another day.
    """
    note = zone_note(s)
    first = s.clock(_span(s)[0]).date()
    if parade_date is None or parade_date == first:
        return note
    return f"parade of {parade_date.isoformat()}; times on {note}"


def _span(s: Schedule) -> tuple[float, float]:
    """The earliest and the latest time the schedule shows [s from reference]."""
    lo = min([0.0, *(u.step_off for u in s.units), *(p.head for u in s.units for p in u.passes)])
    hi = max([0.0, *(p.tail for u in s.units for p in u.passes)])
    if s.window_end is not None:
        hi = max(hi, s.window_end)
    return lo, hi


def duration(seconds: float) -> str:
    """``M:SS`` below an hour, else ``H:MM:SS``; negative with a minus sign."""
    sign = "-" if seconds < 0 else ""
    # Half up from the tenth of a second, as clock times are (a pass of 42.5 s is 0:43).
    total = (round(abs(seconds) * 10) + 5) // 10
    h, rest = divmod(total, 3600)
    m, sec = divmod(rest, 60)
    return f"{sign}{h}:{m:02d}:{sec:02d}" if h else f"{sign}{m}:{sec:02d}"


def _cell(s: Schedule, u: UnitSchedule, p: Pass | None, stacked: bool) -> Text:
    if p is None:
        return Text("")
    if u.trajectory is None:
        # Aircraft are timed over one point; head and tail are the same instant.
        return Text(f"✈ {hms(s, p.head)}", style="cyan")
    t = Text(f"{hms(s, p.head)}{chr(10) if stacked else '–'}{hms(s, p.tail)}")
    if p.head_leaves is not None:
        t.append(f" ⏸{duration(p.head_leaves - p.head)}", style="magenta")
    return t


def schedule_table(
    s: Schedule,
    *,
    stacked: bool = False,
    checkpoints: Sequence[str] | None = None,
    parade_date: dt.date | None = None,
) -> Table:
    """The movement table: one row per unit, one ``head–tail`` column per checkpoint.

    "pass" is the pass time at the reviewing stand (tail − head), the figure
    the reviewing officer and the broadcaster plan around. ``stacked`` puts
    head above tail in each cell, for terminals too narrow for one line: a
    column per checkpoint stays readable at any route length, where wrapping
    a ``head–tail`` pair mid-time would not. ``checkpoints`` (ids) limits the
    checkpoint columns; the caption then says how many were left out.
    """
    rev = s.reviewing
    shown = [c for c in s.checkpoints if checkpoints is None or c.id in checkpoints]
    omitted = len(s.checkpoints) - len(shown)
    table = Table(
        title=f"{s.parade} — movement table ({_dated(s, parade_date)})",
        box=box.SIMPLE_HEAD,
        header_style="bold",
        caption=(
            f"head–tail at each checkpoint; pass = tail − head at {rev.name} ◆;"
            " ★ debut; ⏸ show stop; held = s lost behind the unit ahead"
            + (f"; {omitted} checkpoints not shown (too narrow)" if omitted else "")
        ),
        caption_justify="left",
    )
    any_held = any(u.held_s > 0.5 for u in s.units)
    named = _has_names(s)
    _add_unit_columns(table, named=named, held=any_held, stacked=stacked)
    for c in shown:
        label = f"{c.id}\n{c.at_m:.0f} m" + (" ◆" if c.reviewing else "")
        table.add_column(Text(label, style="bold red") if c.reviewing else label, no_wrap=True)
    for i, u in enumerate(s.units, start=1):
        row = _unit_cells(s, i, u, named=named, held=any_held)
        row.extend(_cell(s, u, u.at(c.id), stacked) for c in shown)
        table.add_row(*row)
    return table


def _add_unit_columns(table: Table, *, named: bool, held: bool, stacked: bool) -> None:
    """The columns before the checkpoints'."""
    # Only the checkpoint columns may shrink; ids and figures are never cut.
    for name, right in (
        ("#", True),
        ("unit", False),
        *((("name", False),) if named else ()),
        ("kind", False),
        ("m", True),
        ("km/h", True),
        ("step-off", False),
        ("pass", True),
    ) + ((("held s", True),) if held else ()):
        if name == "name":
            # Names wrap in a narrow (stacked) table, where rows are two lines anyway.
            table.add_column(name, max_width=NAME_WIDTH if stacked else None)
            continue
        table.add_column(name, justify="right" if right else "left", no_wrap=True)


def _unit_cells(
    s: Schedule, i: int, u: UnitSchedule, *, named: bool, held: bool
) -> list[RenderableType]:
    """A unit's cells before the checkpoints': number, id, name, figures, pass time."""
    at_rev = u.at(s.reviewing.id)
    air = u.trajectory is None
    row: list[RenderableType] = [
        str(i),
        Text(u.id + (" ★" if u.debut else ""), style="bold" if u.debut else ""),
        *((u.name if u.name != u.id else "",) if named else ()),
        u.kind,
        "" if air else f"{u.length_m:.1f}",
        "" if air else f"{u.speed_kmh:.1f}",
        "" if air else hms(s, u.step_off),
        "" if air or at_rev is None else duration(at_rev.tail - at_rev.head),
    ]
    if held:
        row.append(f"{u.held_s:.0f}" if u.held_s > 0.5 else "")
    return row


def unit_label(s: Schedule, unit_id: str) -> str:
    """``id (name)`` for a unit with a name of its own, else the id."""
    name = next((u.name for u in s.units if u.id == unit_id), None)
    return f"{unit_id} ({name})" if name and name != unit_id else unit_id


def _has_names(s: Schedule) -> bool:
    """Whether any unit has a name of its own (a name equal to the id adds nothing)."""
    return any(u.name and u.name != u.id for u in s.units)


def findings_table(s: Schedule) -> Table | None:
    """Findings, errors first; ``None`` when there are none."""
    if not s.findings:
        return None
    table = Table(title="Findings", box=box.SIMPLE_HEAD, header_style="bold")
    names = {u.id: u.name for u in s.units if u.name and u.name != u.id}
    columns = ("severity", "kind", "unit", *(("name",) if names else ()), "checkpoint", "time",
               "message")  # fmt: skip
    for name in columns:
        # A name and a message wrap, never cut; the short codes are cut only in a narrow table.
        table.add_column(name, overflow="fold" if name in ("name", "message") else "ellipsis")
    ordered = sorted(s.findings, key=lambda f: (f.severity != "error", f.time or -math.inf))
    for f in ordered:
        table.add_row(
            Text(f.severity, style=SEVERITY_STYLE[f.severity]),
            f.kind,
            f.unit,
            *((names.get(f.unit, ""),) if names else ()),
            f.checkpoint or "",
            "" if f.time is None else hms(s, f.time),
            f.message,
        )
    return table


def summary_panel(s: Schedule) -> Panel:
    """First head, last tail, duration, and the broadcast window's margin."""
    sm = s.summary
    rev = s.reviewing
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    first, last = s.checkpoints[0], s.checkpoints[-1]
    grid.add_row(f"first head at {first.id}", hms(s, sm.first_head))
    grid.add_row(f"last tail at {last.id}", hms(s, sm.last_tail))
    grid.add_row("duration", duration(sm.duration_s))
    grid.add_row(
        f"at {rev.name}",
        f"{hms(s, sm.reviewing_first_head)} – {hms(s, sm.reviewing_last_tail)}"
        f" ({duration(sm.reviewing_last_tail - sm.reviewing_first_head)})",
    )
    if s.window_end is not None:
        margin = s.window_end - sm.reviewing_last_tail
        note = (
            Text(f"{duration(margin)} to spare", style="green")
            if margin >= 0
            else Text(f"{duration(-margin)} late", style="bold red")
        )
        grid.add_row("window end", Text(f"{hms(s, s.window_end)}  ").append_text(note))
    errors = sum(f.severity == "error" for f in s.findings)
    warnings = len(s.findings) - errors
    grid.add_row(
        "findings",
        Text(counted(errors, "error"), style="bold red" if errors else "green").append(
            f", {counted(warnings, 'warning')}", style="yellow" if warnings else "green"
        ),
    )
    return Panel(grid, title="Summary", expand=False, border_style="red" if errors else "green")


def schedule_renderables(
    s: Schedule, width: int | None = None, parade_date: dt.date | None = None
) -> list[RenderableType]:
    """Everything ``paradeops schedule`` prints: movement table, findings, summary.

    With ``width`` (the console's), head and tail are stacked when one-line
    cells would not fit. ``parade_date`` is the plan's ``parade.date``, for
    the title (see :func:`schedule_table`).
    """
    parts: list[RenderableType] = [_fitting_table(s, width, parade_date)]
    ft = findings_table(s)
    if ft is not None:
        parts.append(ft)
    parts.append(summary_panel(s))
    return parts


def natural_width(s: Schedule) -> int:
    """Characters the movement table needs with every cell on one line."""
    return _width(schedule_table(s))


def _width(table: Table) -> int:
    return Console(width=10_000, file=io.StringIO()).measure(table).maximum


def _fitting_table(s: Schedule, width: int | None, parade_date: dt.date | None) -> Table:
    """The most complete movement table that fits ``width`` without cutting times."""
    one_line = schedule_table(s, parade_date=parade_date)
    if width is None or _width(one_line) <= width:
        return one_line
    stacked = schedule_table(s, stacked=True, parade_date=parade_date)
    if _width(stacked) <= width:
        return stacked
    # Start, reviewing stand and end are the times people ask for.
    keep = {s.checkpoints[0].id, s.reviewing.id, s.checkpoints[-1].id}
    return schedule_table(s, stacked=True, checkpoints=sorted(keep), parade_date=parade_date)


def render_text(
    s: Schedule, width: int | None = None, parade_date: dt.date | None = None
) -> str:
    """The tables as plain text (no colour codes), for ``--output FILE``.

    By default as wide as the table needs: a file has no screen edge, and a
    cut-off column is worse than a long line.
    """
    width = max(80, natural_width(s)) if width is None else width
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False)
    console.print(Group(*schedule_renderables(s, width, parade_date)))
    return buf.getvalue()
