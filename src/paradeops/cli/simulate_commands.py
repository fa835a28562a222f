"""``simulate``: Monte Carlo over the microscopic model (see docs/simulation.md)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.cli.output import (
    OutputOpt,
    PlanArg,
    WidthOpt,
    chart_format,
    emit,
    say_written,
    use_width,
    write_output,
)
from paradeops.errors import UserError
from paradeops.extras import require

if TYPE_CHECKING:
    from paradeops.model.plan import Plan
    from paradeops.simulation.results import SimulationResult
    from paradeops.timing.schedule import Schedule


def load_and_schedule(path: Path) -> tuple[Plan, Schedule]:
    """The plan and its schedule (the timing engine is loaded when a command runs)."""
    from paradeops.cli.plan_commands import load_and_schedule as load

    return load(path)


class SimFormat(StrEnum):
    table = "table"
    json = "json"


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
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=1, max=1_000_000, help="Monte Carlo runs")
    ] = 1000,  # fmt: skip
    seed: Annotated[
        int | None, typer.Option("--seed", "-s", help="Seed (an integer) for a reproducible run")
    ] = None,  # fmt: skip
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
    require("numba", what="simulate")
    check_seed(seed)
    use_width(width)
    fmt = chart_format(chart, what="fan chart")
    if fmt is not None:
        require("matplotlib", what="--chart")
    p, s = load_and_schedule(plan)
    try:
        result = _run(p, s, runs, seed)
    except UserError as e:
        raise e.with_file(str(plan)) from None
    _write_result(result, s, format, output)
    if chart is not None and fmt is not None:
        from paradeops.reports.movement_graph import movement_graph

        fan = [(f.unit_id, f.times, f.positions) for f in result.fan]
        write_output(chart, movement_graph(s, fmt, fan=fan, runs=result.runs))
        err.print(Text(f"wrote {chart}"))


def _run(p: Plan, s: Schedule, runs: int, seed: int | None) -> SimulationResult:
    """The Monte Carlo, with a progress bar on a terminal."""
    import numpy as np

    from paradeops.simulation import simulate as run_simulation

    rng = np.random.default_rng(seed)
    progress = Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
        TimeElapsedColumn(), console=err, transient=True,
        disable=not err.is_terminal,  # in a log, a progress bar is only a stray blank line
    )  # fmt: skip
    with progress:
        task = progress.add_task("runs", total=runs)
        return run_simulation(
            p, s, runs, rng, seed=seed, progress=lambda n: progress.advance(task, n)
        )


def _write_result(
    result: SimulationResult, s: Schedule, format: SimFormat, output: Path | None
) -> None:
    from paradeops.reports.simulation_json import result_to_json
    from paradeops.reports.simulation_table import result_tables

    if format is SimFormat.json:
        write_output(output, json.dumps(result_to_json(result, s), indent=2) + "\n")
        say_written(output)
    else:
        emit(output, result_tables(result, s))
