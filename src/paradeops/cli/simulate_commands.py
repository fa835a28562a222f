"""``simulate``: Monte Carlo over the microscopic model (see docs/simulation.md)."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
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
from paradeops.seeds import check_seed

if TYPE_CHECKING:
    from paradeops.model.plan import Plan
    from paradeops.simulation.monte_carlo import Runs, Setup
    from paradeops.simulation.results import BudgetOutcome, SimulationResult
    from paradeops.timing.schedule import Schedule


def load_and_schedule(path: Path) -> tuple[Plan, Schedule]:
    """The plan and its schedule (the timing engine is loaded when a command runs)."""
    from paradeops.cli.plan_commands import load_and_schedule as load

    return load(path)


class SimFormat(StrEnum):
    table = "table"
    json = "json"


#: More than a day is a typo (a unit left off), not a budget.
MAX_BUDGET_S = 24 * 3600.0
_UNIT_S = {"h": 3600.0, "m": 60.0, "s": 1.0}
#: 1h30m, 2m, 1m30s, 30s, 2.5m: each of h, m, s at most once and in that order.
_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?")


def parse_duration(text: str) -> float:
    """Seconds in ``30s``, ``2m``, ``1m30s``, ``1h`` or plain ``90``; a UserError naming
    ``--time-budget`` for anything else, for 0 or less, NaN, infinity and over 24 h."""
    t = text.strip().lower()
    try:
        seconds = float(t)  # plain seconds; also lets nan, inf and -5 through to be named
    except ValueError:
        match = _DURATION.fullmatch(t)
        if match is None or not t:
            raise _bad_budget(text, "is not a duration") from None
        parts = zip(match.groups(), _UNIT_S.values(), strict=True)
        seconds = sum(float(v) * factor for v, factor in parts if v)
    if math.isnan(seconds):
        raise _bad_budget(text, "is not a number")
    if seconds <= 0:
        raise _bad_budget(text, "must be more than 0")
    if seconds > MAX_BUDGET_S:
        raise _bad_budget(text, "is more than 24 h")
    return seconds


def _bad_budget(text: str, why: str) -> UserError:
    return UserError(
        f"{text!r} {why}",
        field="--time-budget",
        hint="a duration of at most 24 h, e.g. 30s, 2m, 1m30s or 90 (seconds)",
    )


#: Runs of the first timed batch: enough to use both cores, few enough for a 1 s budget.
FIRST_BATCH = 4
#: A batch takes about this long once the speed is known (the progress bar ticks, the
#: estimate follows the machine's load).
BATCH_S = 1.0


def next_batch_size(per_run_s: float, left_s: float, remaining: int, most: int) -> int:
    """Runs of the next batch: as many as take about BATCH_S, no more than fit in
    ``left_s`` at ``per_run_s`` a run, than ``remaining`` or than ``most``; 0 to stop."""
    fit = math.floor(left_s / per_run_s) if per_run_s > 0 else remaining
    tick = max(1, math.floor(BATCH_S / per_run_s)) if per_run_s > 0 else most
    return max(0, min(fit, tick, remaining, most))


@app.command()
def simulate(
    plan: PlanArg,
    runs: Annotated[
        int, typer.Option("--runs", "-n", min=1, max=1_000_000, help="Monte Carlo runs")
    ] = 1000,  # fmt: skip
    time_budget: Annotated[
        str | None,
        typer.Option(
            "--time-budget",
            "-t",
            metavar="DURATION",
            help="Run as many runs as fit in 30s, 2m, 1m30s or 90 (s); --runs caps them",
        ),
    ] = None,
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
    check_seed(seed, field="--seed", named="the seed", example="--seed 42")
    budget_s = None if time_budget is None else parse_duration(time_budget)
    use_width(width)
    fmt = chart_format(chart, what="fan chart")
    if fmt is not None:
        require("matplotlib", what="--chart")
    p, s = load_and_schedule(plan)
    budget: BudgetOutcome | None = None
    try:
        if budget_s is None:
            result = _run(p, s, runs, seed)
        else:
            result, budget = _run_within(p, s, runs, seed, budget_s)
    except UserError as e:
        raise e.with_file(str(plan)) from None
    _write_result(result, s, format, output, budget)
    if chart is not None and fmt is not None:
        from paradeops.reports.movement_graph import movement_graph

        fan = [(f.unit_id, f.times, f.positions) for f in result.fan]
        write_output(chart, movement_graph(s, fmt, fan=fan, runs=result.runs))
        say_written(chart)


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


class BudgetLeftColumn(ProgressColumn):
    """The time budget left, counted down live."""

    def __init__(self, deadline: float) -> None:
        super().__init__()
        self.deadline = deadline

    def render(self, task: Task) -> Text:
        left = max(0.0, self.deadline - time.monotonic())
        return Text(f"{math.ceil(left)} s left", style="progress.remaining")


@dataclass(frozen=True)
class _Clock:
    """The budget's clock: started after the kernel is warm."""

    budget_s: float
    start: float

    def elapsed(self) -> float:
        return time.monotonic() - self.start


def _run_within(
    p: Plan, s: Schedule, cap: int, seed: int | None, budget_s: float
) -> tuple[SimulationResult, BudgetOutcome]:
    """As many runs as fit in ``budget_s`` (at most ``cap``), batch by batch."""
    import numpy as np

    from paradeops.simulation.monte_carlo import CHUNK, merge, prepare, summarise, warm
    from paradeops.simulation.results import BudgetOutcome

    setup = prepare(p, s, cap, np.random.default_rng(seed), seed=seed)
    warm(setup)  # compiling (or loading the compiled kernel) is not the runs' time
    clock = _Clock(budget_s, time.monotonic())
    progress = Progress(
        TextColumn("simulating"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
        TimeElapsedColumn(), BudgetLeftColumn(clock.start + budget_s), console=err,
        transient=True, disable=not err.is_terminal,
    )  # fmt: skip
    with progress:
        task = progress.add_task("runs", total=cap)
        parts = _batches_within(setup, clock, CHUNK, lambda n: progress.advance(task, n))
    done = sum(b.n for b in parts)
    outcome = BudgetOutcome(budget_s, cap, "cap" if done == cap else "budget")
    return summarise(setup, merge(parts, setup.fan_runs)), outcome


def _batches_within(
    setup: Setup, clock: _Clock, most: int, advance: Callable[[int], None]
) -> list[Runs]:
    """Run batches while the next one is expected to fit; the first always runs.

    The speed is the slower of the mean so far and the last batch's, so a load
    that rises mid-run shrinks the batches before it overruns the budget.
    """
    from paradeops.simulation.monte_carlo import run_batch

    parts: list[Runs] = []
    done, size = 0, min(FIRST_BATCH, setup.runs_cap)
    while size > 0:
        t0 = clock.elapsed()
        parts.append(run_batch(setup, done, done + size))
        done += size
        advance(size)
        now = clock.elapsed()
        per_run = max(now / done, (now - t0) / size)
        size = next_batch_size(per_run, clock.budget_s - now, setup.runs_cap - done, most)
    return parts


def _write_result(
    result: SimulationResult,
    s: Schedule,
    format: SimFormat,
    output: Path | None,
    budget: BudgetOutcome | None = None,
) -> None:
    from paradeops.reports.simulation_json import result_to_json
    from paradeops.reports.simulation_table import result_tables

    if format is SimFormat.json:
        doc = result_to_json(result, s, budget=budget)
        write_output(output, json.dumps(doc, indent=2) + "\n")
        say_written(output)
    else:
        emit(output, result_tables(result, s, budget=budget))
