"""``simulate``: Monte Carlo over the microscopic model (see docs/simulation.md)."""

from __future__ import annotations

import json
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.cli.output import (
    OutputOpt,
    WidthOpt,
    chart_format,
    emit,
    say_written,
    use_width,
    write_output,
)
from paradeops.cli.plan_commands import PlanArg, load_and_schedule
from paradeops.errors import UserError
from paradeops.reports.schedule_table import hms, unit_label, zone_note
from paradeops.simulation.results import Percentiles, SimulationResult
from paradeops.timing.schedule import Schedule


class SimFormat(StrEnum):
    table = "table"
    json = "json"


def _iso(s: Schedule, seconds: float) -> str | None:
    return None if not math.isfinite(seconds) else s.clock(seconds).isoformat()


def _hms(s: Schedule, seconds: float) -> str:
    """``HH:MM:SS`` as in the movement table: another offset than the start's is shown."""
    return "—" if not math.isfinite(seconds) else hms(s, seconds)


def _shown(r: SimulationResult, s: Schedule) -> list[float]:
    """Every time the text output shows [s from reference]."""
    stand = s.reviewing.id
    times = [r.window.last_tail.p5, r.window.last_tail.p50, r.window.last_tail.p95]
    for u in r.units:
        for p in u.passes:
            if p.checkpoint == stand:
                times += [p.head.p5, p.head.p50, p.head.p95, p.tail.p50, p.tail.p95]
    return times


def _pct(s: Schedule, p: Percentiles) -> dict[str, str | None]:
    return {"p5": _iso(s, p.p5), "p50": _iso(s, p.p50), "p95": _iso(s, p.p95)}


def _num(x: float) -> float | None:
    return round(x, 2) if math.isfinite(x) else None


def result_to_json(r: SimulationResult, s: Schedule) -> dict[str, Any]:
    """The machine-readable result: times as ISO 8601 with offset."""
    return {
        "runs": r.runs,
        "seed": r.seed,
        "step_s": r.step_s,
        "unfinished_runs": r.unfinished_runs,
        "window": {
            "end": None if r.window.window_end is None else _iso(s, r.window.window_end),
            "probability_late": r.window.probability_late,
            "last_tail_p5": _iso(s, r.window.last_tail.p5),
            "last_tail_p50": _iso(s, r.window.last_tail.p50),
            "last_tail_p95": _iso(s, r.window.last_tail.p95),
        },
        "units": [
            {
                "id": u.id,
                "kind": u.kind,
                "simulated": u.simulated,
                "held_probability": u.held_probability,
                "passes": [
                    {"checkpoint": p.checkpoint, "head": _pct(s, p.head), "tail": _pct(s, p.tail)}
                    for p in u.passes
                ],
            }
            for u in r.units
        ],
        "gaps": [
            {
                "unit": g.unit,
                "ahead": g.ahead,
                "checkpoint": g.checkpoint,
                "probability": g.probability,
                "gap_m": {"p5": _num(g.gap_m.p5), "p50": _num(g.gap_m.p50),
                          "p95": _num(g.gap_m.p95)},
            }  # fmt: skip
            for g in r.gaps
        ],
    }


def result_tables(r: SimulationResult, s: Schedule) -> list[Table | Text]:
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
        p = next((p for p in u.passes if p.checkpoint == stand.id), None)
        if p is None:
            continue
        held = f"{u.held_probability:.0%}" if u.simulated else "(air)"
        who = (u.id, names.get(u.id, "")) if names else (u.id,)
        t.add_row(*who, _hms(s, p.head.p5), _hms(s, p.head.p50), _hms(s, p.head.p95),
                  _hms(s, p.tail.p50), _hms(s, p.tail.p95), held)  # fmt: skip
    w = r.window
    lines = [
        f"last tail at {stand.name}: P5 {_hms(s, w.last_tail.p5)}, "
        f"P50 {_hms(s, w.last_tail.p50)}, P95 {_hms(s, w.last_tail.p95)}"
    ]
    if w.window_end is not None:
        lines.append(f"probability of breaking the window (ends {_hms(s, w.window_end)}): "
                     f"{w.probability_late:.1%}")  # fmt: skip
    for g in r.gaps:
        if g.probability > 0:
            lines.append(f"gap before {unit_label(s, g.unit)}, behind "
                         f"{unit_label(s, g.ahead)}, above max_gap_m: "
                         f"{g.probability:.0%} (P50 {g.gap_m.p50:.0f} m, P95 {g.gap_m.p95:.0f} m)")
    if r.unfinished_runs:
        lines.append(f"{r.unfinished_runs} runs did not finish within the time horizon")
    return [t, Text("\n".join(lines))]


#: NumPy takes seeds of 0 or more; 2**128 is as much entropy as its generator holds.
MAX_SEED = 2**128 - 1


def check_seed(seed: int | None) -> None:
    """A seed NumPy accepts, or a UserError saying which (NumPy's own is a traceback)."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UserError(
            f"the seed must be a whole number from 0 to 2**128 - 1, got {seed}",
            field="--seed",
            hint="e.g. --seed 42; the same seed gives the same runs",
        )


@app.command()
def simulate(
    plan: PlanArg,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, max=1_000_000,
                                      help="Monte Carlo runs")] = 1000,  # fmt: skip
    seed: Annotated[int | None, typer.Option("--seed", "-s", help="Seed (an integer) for a "
                                             "reproducible run")] = None,  # fmt: skip
    format: Annotated[SimFormat, typer.Option("--format", "-f", help="Output format")] = (
        SimFormat.table
    ),
    output: OutputOpt = None,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Also draw the fan chart: FILE.png or FILE.svg"),
    ] = None,
    width: WidthOpt = None,
) -> None:
    """What the day may bring: head/tail percentiles, held units, gaps, the window.

    -o writes the result (table or JSON, per --format); --chart draws the
    simulated runs over the planned movement graph.
    """
    from paradeops.simulation import simulate as run_simulation

    check_seed(seed)
    use_width(width)
    fmt = chart_format(chart, what="fan chart")
    p, s = load_and_schedule(plan)
    rng = np.random.default_rng(seed)
    progress = Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
        TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,  # in a log, a progress bar is only a stray blank line
    )  # fmt: skip
    try:
        with progress:
            task = progress.add_task("runs", total=runs)
            result = run_simulation(
                p, s, runs, rng, seed=seed, progress=lambda n: progress.advance(task, n)
            )
    except UserError as e:
        raise e.with_file(str(plan)) from None
    if format is SimFormat.json:
        write_output(output, json.dumps(result_to_json(result, s), indent=2) + "\n")
        say_written(output)
    else:
        emit(output, result_tables(result, s))
    if chart is not None and fmt is not None:
        from paradeops.reports.movement_graph import movement_graph

        fan = [(f.unit_id, f.times, f.positions) for f in result.fan]
        write_output(chart, movement_graph(s, fmt, fan=fan, runs=result.runs))
        err.print(Text(f"wrote {chart}"))
