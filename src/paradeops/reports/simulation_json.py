"""A simulation's result as the JSON document of ``simulate --format json``.

Times are ISO 8601 with the offset in force (:mod:`paradeops.reports.times`);
a percentile no run reached (``inf``, ``nan``) is ``null``. Beside every
probability ``<name>`` stands ``<name>_se``, its Monte Carlo standard error
(binomial, :func:`~paradeops.simulation.results.binomial_se`); a probability of
0 is bounded by ``zero_probability_below`` (3/runs, the rule of three, at 95 %).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from paradeops.reports.times import iso_or_none

if TYPE_CHECKING:  # the simulation package loads numba: only its types are needed here
    from paradeops.simulation.results import (
        BudgetOutcome,
        GapStats,
        Percentiles,
        SimulationResult,
        UnitStats,
    )
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
        "probability_late_se": r.se(w.probability_late),
        "last_tail_p5": iso_or_none(s, w.last_tail.p5),
        "last_tail_p50": iso_or_none(s, w.last_tail.p50),
        "last_tail_p95": iso_or_none(s, w.last_tail.p95),
    }


def _unit(r: SimulationResult, s: Schedule, u: UnitStats) -> dict[str, Any]:
    return {
        "id": u.id,
        "kind": u.kind,
        "simulated": u.simulated,
        "held_probability": u.held_probability,
        "held_probability_se": r.se(u.held_probability),
        "passes": [
            {"checkpoint": p.checkpoint, "head": _pct(s, p.head), "tail": _pct(s, p.tail)}
            for p in u.passes
        ],
    }


def _gap(r: SimulationResult, g: GapStats) -> dict[str, Any]:
    return {
        "unit": g.unit,
        "ahead": g.ahead,
        "checkpoint": g.checkpoint,
        "probability": g.probability,
        "probability_se": r.se(g.probability),
        "gap_m": {"p5": _num(g.gap_m.p5), "p50": _num(g.gap_m.p50), "p95": _num(g.gap_m.p95)},
    }


def _budget(b: BudgetOutcome) -> dict[str, Any]:
    return {"seconds": b.budget_s, "runs_cap": b.runs_cap, "stopped_by": b.stopped_by}


def result_to_json(
    r: SimulationResult, s: Schedule, *, budget: BudgetOutcome | None = None
) -> dict[str, Any]:
    """The machine-readable result: times as ISO 8601 with offset; with ``budget``,
    how the time budget ended (``time_budget``)."""
    doc: dict[str, Any] = {
        "runs": r.runs,
        "seed": r.seed,
        "step_s": r.step_s,
        "unfinished_runs": r.unfinished_runs,
        "zero_probability_below": r.zero_probability_below(),
    }
    if budget is not None:
        doc["time_budget"] = _budget(budget)
    return doc | {
        "window": _window(r, s),
        "units": [_unit(r, s, u) for u in r.units],
        "gaps": [_gap(r, g) for g in r.gaps],
    }
