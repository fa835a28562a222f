"""A simulation's result as the JSON document of ``simulate --format json``.

Times are ISO 8601 with the offset in force (:mod:`paradeops.reports.times`);
a percentile no run reached (``inf``, ``nan``) is ``null``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from paradeops.reports.times import iso_or_none

if TYPE_CHECKING:  # the simulation package loads numba: only its types are needed here
    from paradeops.simulation.results import GapStats, Percentiles, SimulationResult, UnitStats
    from paradeops.timing.schedule import Schedule

__all__ = ["result_to_json"]


def _pct(s: Schedule, p: Percentiles) -> dict[str, str | None]:
    return {"p5": iso_or_none(s, p.p5), "p50": iso_or_none(s, p.p50), "p95": iso_or_none(s, p.p95)}


def _num(x: float) -> float | None:
    return round(x, 2) if math.isfinite(x) else None


def _window(r: SimulationResult, s: Schedule) -> dict[str, Any]:
    w = r.window
    return {
        "end": iso_or_none(s, w.window_end),
        "probability_late": w.probability_late,
        "last_tail_p5": iso_or_none(s, w.last_tail.p5),
        "last_tail_p50": iso_or_none(s, w.last_tail.p50),
        "last_tail_p95": iso_or_none(s, w.last_tail.p95),
    }


def _unit(s: Schedule, u: UnitStats) -> dict[str, Any]:
    return {
        "id": u.id,
        "kind": u.kind,
        "simulated": u.simulated,
        "held_probability": u.held_probability,
        "passes": [
            {"checkpoint": p.checkpoint, "head": _pct(s, p.head), "tail": _pct(s, p.tail)}
            for p in u.passes
        ],
    }


def _gap(g: GapStats) -> dict[str, Any]:
    return {
        "unit": g.unit,
        "ahead": g.ahead,
        "checkpoint": g.checkpoint,
        "probability": g.probability,
        "gap_m": {"p5": _num(g.gap_m.p5), "p50": _num(g.gap_m.p50), "p95": _num(g.gap_m.p95)},
    }


def result_to_json(r: SimulationResult, s: Schedule) -> dict[str, Any]:
    """The machine-readable result: times as ISO 8601 with offset."""
    return {
        "runs": r.runs,
        "seed": r.seed,
        "step_s": r.step_s,
        "unfinished_runs": r.unfinished_runs,
        "window": _window(r, s),
        "units": [_unit(s, u) for u in r.units],
        "gaps": [_gap(g) for g in r.gaps],
    }
