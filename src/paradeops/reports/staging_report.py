"""``paradeops staging`` as tables, JSON and CSV (docs/staging.md).

Tables show clock times ``HH:MM:SS`` in the parade's zone (a time at another
UTC offset than the start's carries its own, a time on another date ``(+1)``
or ``(-1)``); JSON writes ISO 8601 with the offset, to a tenth of a second
(:mod:`paradeops.reports.times`), like ``schedule --format json``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rich import box
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from paradeops.reports.csv_text import csv_text
from paradeops.reports.schedule_table import SEVERITY_STYLE, zone_note
from paradeops.reports.times import clock, iso
from paradeops.staging.core import AreaUse, Staging, StagingFinding, UnitCall

__all__ = ["staging_csv", "staging_json", "staging_renderables"]

CSV_COLUMNS = ("unit", "name", "area", "call", "leave", "step_off", "space", "measure")


def _clock(s: Staging, seconds: float | None) -> str:
    return "" if seconds is None or not math.isfinite(seconds) else clock(s.schedule, seconds)


def _iso(s: Staging, seconds: float | None) -> str | None:
    return None if seconds is None or not math.isfinite(seconds) else iso(s.schedule, seconds)


def _measure(s: Staging, call: UnitCall) -> str:
    return next((a.measure for a in s.areas if a.id == call.area), "")


def staging_renderables(s: Staging) -> list[RenderableType]:
    """The calls table, the areas table and the findings (if any)."""
    shown = [t for u in s.units for t in (u.call, u.leave, u.step_off) if math.isfinite(t)]
    note = zone_note(s.schedule, also=shown)
    parts: list[RenderableType] = [_calls_table(s, note), _areas_table(s), _feed_table(s)]
    findings = _findings_table(s)
    if findings is not None:
        parts.append(findings)
    return parts


def _calls_table(s: Staging, note: str) -> Table:
    table = Table(
        title=f"Call times ({note}; form up {s.form_up_s / 60:g} min)",
        box=box.SIMPLE_HEAD, header_style="bold",
    )  # fmt: skip
    for name in ("unit", "name", "area", "call", "leave", "step-off", "room"):
        right = name in ("call", "leave", "step-off", "room")
        table.add_column(name, justify="right" if right else "left", no_wrap=name != "name")
    for u in s.units:
        room = f"{u.space:.1f} {_measure(s, u)}" if u.area is not None else ""
        table.add_row(u.unit, u.name, u.area or "—", _clock(s, u.call), _clock(s, u.leave),
                      _clock(s, u.step_off), room)  # fmt: skip
    return table


def _areas_table(s: Staging) -> Table:
    table = Table(title="Assembly areas", box=box.SIMPLE_HEAD, header_style="bold")
    for name in ("area", "name", "opens", "to start", "capacity", "peak", "peak at", "units"):
        right = name in ("opens", "to start", "capacity", "peak", "peak at", "units")
        table.add_column(name, justify="right" if right else "left")
    for a in s.areas:
        over = a.peak > a.capacity + 1e-9
        peak = Text(f"{a.peak:.1f} {a.measure}", style="bold red" if over else "")
        table.add_row(a.id, a.name, _clock(s, a.opens) or "—", f"{a.to_start_s:g} s",
                      f"{a.capacity:g} {a.measure}", peak, _clock(s, a.peak_at) or "—",
                      str(len(a.feed)))  # fmt: skip
    return table


def _feed_table(s: Staging) -> Table:
    """The order in which the areas feed the start point, a row per run of one area."""
    table = Table(title="Feeding the start point", box=box.SIMPLE_HEAD, header_style="bold")
    for name in ("area", "units", "first step-off", "last step-off"):
        table.add_column(name, justify="right" if "step-off" in name else "left",
                         overflow="fold")  # fmt: skip
    for run in s.feed:
        table.add_row(run.area or "— (none)", ", ".join(run.units),
                      _clock(s, run.first_step_off), _clock(s, run.last_step_off))  # fmt: skip
    return table


def _findings_table(s: Staging) -> Table | None:
    if not s.findings:
        return None
    table = Table(title="Findings", box=box.SIMPLE_HEAD, header_style="bold")
    for name in ("severity", "kind", "area", "unit", "time", "message"):
        table.add_column(name, overflow="fold" if name == "message" else "ellipsis")
    ordered = sorted(s.findings, key=lambda f: (f.severity != "error", f.time or -math.inf))
    for f in ordered:
        table.add_row(Text(f.severity, style=SEVERITY_STYLE[f.severity]), f.kind, f.area or "",
                      f.unit or "", _clock(s, f.time), f.message)  # fmt: skip
    return table


def staging_json(s: Staging) -> str:
    """The JSON document of ``staging --format json`` (docs/staging.md)."""
    doc = {
        "parade": s.schedule.parade,
        "form_up_s": s.form_up_s,
        "units": [_unit(s, u) for u in s.units],
        "areas": [_area(s, a) for a in s.areas],
        "feed": [
            {
                "area": r.area,
                "units": list(r.units),
                "first_step_off": _iso(s, r.first_step_off),
                "last_step_off": _iso(s, r.last_step_off),
            }
            for r in s.feed
        ],  # fmt: skip
        "findings": [_finding(s, f) for f in s.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _unit(s: Staging, u: UnitCall) -> dict[str, Any]:
    return {
        "unit": u.unit,
        "name": u.name,
        "area": u.area,
        "call": _iso(s, u.call),
        "leave": _iso(s, u.leave),
        "clear": _iso(s, u.clear),
        "step_off": _iso(s, u.step_off),
        "space": round(u.space, 1) if u.area is not None else None,
    }


def _area(s: Staging, a: AreaUse) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "measure": a.measure,
        "capacity": a.capacity,
        "to_start_s": a.to_start_s,
        "opens": _iso(s, a.opens),
        "feed": list(a.feed),
        "peak": round(a.peak, 1),
        "peak_at": _iso(s, a.peak_at),
        "occupancy": [
            {"from": _iso(s, t), "used": round(u, 1)} for t, u in zip(a.times, a.used, strict=True)
        ],
    }


def _finding(s: Staging, f: StagingFinding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "severity": f.severity,
        "area": f.area,
        "unit": f.unit,
        "time": _iso(s, f.time),
        "until": _iso(s, f.until),
        "amount": None if f.amount is None else round(f.amount, 1),
        "message": f.message,
    }


def staging_csv(s: Staging) -> str:
    """One row per unit: its area, call, leave and step-off (ISO with offset)."""
    rows = [
        (u.unit, u.name, u.area or "", _iso(s, u.call) or "", _iso(s, u.leave) or "",
         _iso(s, u.step_off) or "", "" if u.area is None else round(u.space, 1),
         _measure(s, u))
        for u in s.units
    ]  # fmt: skip
    return csv_text(CSV_COLUMNS, rows)
