"""``staging``: call times at the assembly areas, their occupancy and findings.

The command reads the plan, checks its ``assembly:`` section (every problem
located, exit 2, nothing written), times the parade and hands both to
:func:`paradeops.staging.core.stage`; what it writes is built in
:mod:`paradeops.reports.staging_report` and ``staging_chart``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paradeops.cli.app import app
from paradeops.cli.output import (
    ChartOpt,
    OutputOpt,
    PlanArg,
    WidthOpt,
    chart_format,
    emit,
    refuse_input_as_output,
    say_written,
    use_width,
    write_output,
)
from paradeops.errors import Problem, UserError
from paradeops.extras import require

if TYPE_CHECKING:
    from paradeops.model.plan import Plan
    from paradeops.staging.core import Staging


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def staging(
    plan: PlanArg,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format")] = Format.table,
    output: OutputOpt = None,
    chart: ChartOpt = None,
    width: WidthOpt = None,
) -> None:
    """Call times at the assembly areas, their occupancy over time, findings.

    Each unit's call time (in its area by then) and leave time (to step off
    on time), the order in which the areas feed the start point, and each
    area's peak against its capacity. --chart draws the occupancy of every
    area over time. Exit 1 when a finding is an error (over capacity, a unit
    that cannot reach the start point in time), 2 on bad input.
    """
    use_width(width)
    refuse_input_as_output(output, [plan], field="--output")
    refuse_input_as_output(chart, [plan], field="--chart")
    fmt = chart_format(chart, what="chart")
    if fmt is not None:
        require("matplotlib", what="--chart")
    result = staged(plan)
    from paradeops.reports.staging_report import staging_csv, staging_json, staging_renderables

    if format is Format.json:
        write_output(output, staging_json(result))
        say_written(output)
    elif format is Format.csv:
        write_output(output, staging_csv(result))
        say_written(output)
    else:
        emit(output, staging_renderables(result))
    if chart is not None and fmt is not None:
        from paradeops.reports.staging_chart import staging_chart

        write_output(chart, staging_chart(result, fmt))
        say_written(chart)
    if result.has_errors:
        raise typer.Exit(1)


def staged(path: Path) -> Staging:
    """The plan at ``path`` staged; a :class:`UserError` naming every problem of its section."""
    from paradeops.io.planfile import load_plan
    from paradeops.staging.core import stage
    from paradeops.timing.engine import schedule

    plan = load_plan(path)
    check_assembly(plan, str(path))
    try:
        timed = schedule(plan)
    except UserError as e:
        raise e.with_file(str(path)) from None
    return stage(plan, timed)


def check_assembly(plan: Plan, file: str) -> None:
    """A :class:`UserError` locating every problem of the plan's ``assembly:`` section."""
    from paradeops.model.input_messages import field_path
    from paradeops.staging.checks import staging_issues

    if plan.assembly is None:
        raise UserError(
            "the plan has no assembly: section",
            file=file,
            hint="add assembly: with its areas and which unit forms up where (docs/staging.md)",
        )
    problems = [
        Problem(message, file, plan.line_of(loc), field_path(loc), hint)
        for loc, message, hint in staging_issues(plan)
    ]
    if problems:
        raise UserError(problems=problems)
