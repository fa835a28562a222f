"""The schedule as the JSON document of ``paradeops schedule --format json``.

Field names follow the contract in ``schedule_schema.json``; other tools parse them, so
fields may be added here but never renamed. The document's shape is also
written down as a JSON Schema (``schedule_schema.json``) for those tools.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from paradeops.reports.times import iso
from paradeops.timing.schedule import CheckpointInfo, Finding, Pass, Schedule, UnitSchedule

__all__ = ["iso_clock", "schedule_json_schema", "schedule_to_dict", "schedule_to_json"]


#: The JSON clock time (kept under this name: the service imports it from here).
iso_clock = iso


def _r1(v: float) -> float:
    return round(float(v), 1)


def _pass(s: Schedule, p: Pass) -> dict[str, Any]:
    d: dict[str, Any] = {
        "checkpoint": p.checkpoint,
        "head": iso_clock(s, p.head),
        "tail": iso_clock(s, p.tail),
    }
    if p.head_leaves is not None:
        d["head_leaves"] = iso_clock(s, p.head_leaves)
    return d


def _unit(s: Schedule, u: UnitSchedule) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": u.id,
        "kind": u.kind,
        "length_m": _r1(u.length_m),
        "speed_kmh": _r1(u.speed_kmh),
        "step_off": iso_clock(s, u.step_off),
        "passes": [_pass(s, p) for p in u.passes],
        "name": u.name,
        "held_s": _r1(u.held_s),
        "debut": u.debut,
    }
    if u.description is not None:
        d["description"] = u.description
    return d


def _finding(s: Schedule, f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "unit": f.unit,
        "checkpoint": f.checkpoint,
        "message": f.message,
        "severity": f.severity,
        "time": None if f.time is None else iso_clock(s, f.time),
        "position_m": None if f.position_m is None else _r1(f.position_m),
        "amount": None if f.amount is None else _r1(f.amount),
    }


def _checkpoint(c: CheckpointInfo) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "at_m": _r1(c.at_m), "reviewing": c.reviewing}


def schedule_to_dict(s: Schedule) -> dict[str, Any]:
    """The schedule as plain JSON-ready values (the contract: ``schedule_schema.json``)."""
    sm = s.summary
    return {
        "parade": s.parade,
        "checkpoints": [_checkpoint(c) for c in s.checkpoints],
        "units": [_unit(s, u) for u in s.units],
        "findings": [_finding(s, f) for f in s.findings],
        "summary": {
            "first_head": iso_clock(s, sm.first_head),
            "last_tail": iso_clock(s, sm.last_tail),
            "duration_s": _r1(sm.duration_s),
            "reviewing_first_head": iso_clock(s, sm.reviewing_first_head),
            "reviewing_last_tail": iso_clock(s, sm.reviewing_last_tail),
            "window_end": None if s.window_end is None else iso_clock(s, s.window_end),
            "errors": sum(f.severity == "error" for f in s.findings),
            "warnings": sum(f.severity == "warning" for f in s.findings),
        },
    }


def schedule_to_json(s: Schedule) -> str:
    """The JSON text written by ``paradeops schedule --format json``."""
    return json.dumps(schedule_to_dict(s), indent=2, ensure_ascii=False) + "\n"


def schedule_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :func:`schedule_to_dict`'s document."""
    text = resources.files("paradeops.reports").joinpath("schedule_schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
