"""A simulation's result as ``simulate`` prints it: percentiles at the reviewing stand,
then the last tail, the window and the gaps in lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from paradeops.reports.schedule_table import unit_label, zone_note
from paradeops.reports.times import clock_or_dash

if TYPE_CHECKING:  # the simulation package loads numba: only its types are needed here
    from paradeops.simulation.results import BudgetOutcome, SimulationResult, UnitStats
    from paradeops.timing.schedule import Schedule

__all__ = ["result_tables"]


def _shown(r: SimulationResult, s: Schedule) -> list[float]:
    """Every time the text output shows [s from reference]."""
    stand = s.reviewing.id
    times = [r.window.last_tail.p5, r.window.last_tail.p50, r.window.last_tail.p95]
    for u in r.units:
        for p in u.passes:
            if p.checkpoint == stand:
                times += [p.head.p5, p.head.p50, p.head.p95, p.tail.p50, p.tail.p95]
    return times


def share(r: SimulationResult, p: float, digits: int = 0) -> str:
    """``p`` as a percentage ± its standard error (none at 0 or 1: see the last line)."""
    shown = f"{p:.{digits}%}"
    se = r.se(p)
    return f"{shown} ± {se:.{digits}%}" if se > 0 else shown


def _stand_table(r: SimulationResult, s: Schedule) -> Table:
    stand = s.reviewing
    t = Table(
        title=f"{s.parade}: {r.runs} simulated runs (seed {r.seed}) at {stand.name} "
        f"({zone_note(s, _shown(r, s))})"
    )
    names = {u.id: u.name for u in s.units if u.name and u.name != u.id}
    cols = ("unit", *(("name",) if names else ()), "head P5", "head P50", "head P95",
            "tail P50", "tail P95", "held")  # fmt: skip
    for col in cols:
        t.add_column(col, justify="left" if col in ("unit", "name") else "right")
    for u in r.units:
        row = _stand_row(r, s, u, names)
        if row is not None:
            t.add_row(*row)
    return t


def _stand_row(
    r: SimulationResult, s: Schedule, u: UnitStats, names: dict[str, str]
) -> list[str] | None:
    """A unit's percentiles at the reviewing stand (``None``: it does not pass there)."""
    p = next((p for p in u.passes if p.checkpoint == s.reviewing.id), None)
    if p is None:
        return None
    held = share(r, u.held_probability) if u.simulated else "(air)"
    who = [u.id, names.get(u.id, "")] if names else [u.id]
    times = (p.head.p5, p.head.p50, p.head.p95, p.tail.p50, p.tail.p95)
    return [*who, *(clock_or_dash(s, t) for t in times), held]


def _lines(r: SimulationResult, s: Schedule) -> list[str]:
    w, stand = r.window, s.reviewing
    lines = [
        f"last tail at {stand.name}: P5 {clock_or_dash(s, w.last_tail.p5)}, "
        f"P50 {clock_or_dash(s, w.last_tail.p50)}, P95 {clock_or_dash(s, w.last_tail.p95)}"
    ]
    if w.window_end is not None:
        lines.append(
            f"probability of breaking the window (ends {clock_or_dash(s, w.window_end)}): "
            f"{share(r, w.probability_late, 1)}"
        )
    for g in r.gaps:
        if g.probability > 0:
            lines.append(
                f"gap before {unit_label(s, g.unit)}, behind {unit_label(s, g.ahead)}, "
                f"above max_gap_m: {share(r, g.probability)} "
                f"(P50 {g.gap_m.p50:.0f} m, P95 {g.gap_m.p95:.0f} m)"
            )
    if r.unfinished_runs:
        lines.append(f"{r.unfinished_runs} runs did not finish within the time horizon")
    lines.append(
        f"± is the standard error over {r.runs} runs; 0% (100%) is none (all) of them: "
        f"the chance of the other is below {r.zero_probability_below():.1%} at 95 % "
        "(rule of three)"
    )
    return lines


def _budget_line(r: SimulationResult, b: BudgetOutcome) -> str:
    why = (
        "every run up to --runs"
        if b.stopped_by == "cap"
        else "the time budget: the next batch would not have fit"
    )
    return f"{r.runs} of at most {b.runs_cap} runs in {b.budget_s:g} s, stopped by {why}"


def result_tables(
    r: SimulationResult, s: Schedule, *, budget: BudgetOutcome | None = None
) -> list[Table | Text]:
    """The table at the reviewing stand and the lines under it (with ``budget``, first
    how many runs the time budget allowed)."""
    lines = _lines(r, s) if budget is None else [_budget_line(r, budget), *_lines(r, s)]
    return [_stand_table(r, s), Text("\n".join(lines))]
