"""``validate``, ``schedule``, ``graph`` and ``schema``: the plan and its timing."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from paradeops.cli.app import app, out
from paradeops.cli.output import (
    OutputOpt,
    WidthOpt,
    image_format,
    say_written,
    use_width,
    write_output,
)
from paradeops.errors import UserError
from paradeops.extras import require
from paradeops.io.planfile import load_plan
from paradeops.model.plan import Plan
from paradeops.timing.engine import schedule as compute_schedule
from paradeops.timing.schedule import Schedule

log = logging.getLogger(__name__)

PlanArg = Annotated[Path, typer.Argument(help="Plan file (YAML or JSON)", show_default=False)]


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def load_and_schedule(path: Path) -> tuple[Plan, Schedule]:
    plan = load_plan(path)
    log.info("%s: %d units read", path, len(plan.units))
    try:
        return plan, compute_schedule(plan)
    except UserError as e:
        raise e.with_file(str(path)) from None


@app.command()
def validate(plan: PlanArg) -> None:
    """Check a plan and report every problem at once (exit 2 if any)."""
    p, s = load_and_schedule(plan)
    if p.assembly is not None:  # what staging and print would refuse
        from paradeops.cli.staging_commands import check_assembly

        check_assembly(p, str(plan))
    ground = sum(1 for u in s.units if u.trajectory is not None)
    out.print(
        f"{plan}: OK — {len(p.units)} units ({ground} on the road), "
        f"{len(p.route.checkpoints)} checkpoints"
    )


@app.command()
def schedule(
    plan: PlanArg,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format")] = Format.table,
    output: OutputOpt = None,
    width: WidthOpt = None,
) -> None:
    """The movement table: when every unit's head and tail pass every checkpoint.

    Exit 1 when a finding of severity error (the window, a flypast) is found.
    """
    from paradeops.reports.schedule_csv import schedule_csv
    from paradeops.reports.schedule_json import schedule_to_json
    from paradeops.reports.schedule_table import render_text, schedule_renderables

    use_width(width)
    p, s = load_and_schedule(plan)
    if format is Format.json:
        write_output(output, schedule_to_json(s) + "\n")
    elif format is Format.csv:
        write_output(output, schedule_csv(s))
    elif output is not None or not out.is_terminal:
        # A file or a pipe has no width to fit: the whole table, unless --width.
        write_output(output, render_text(s, width, p.parade.date))
    else:
        for renderable in schedule_renderables(s, width=out.width, parade_date=p.parade.date):
            out.print(renderable)
    say_written(output)
    if s.has_errors:
        raise typer.Exit(1)


@app.command()
def graph(
    plan: PlanArg,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The graph: FILE.png or FILE.svg", show_default=False),
    ],
) -> None:
    """The movement graph: time across, distance up, each unit a band.

    The graph is this command's main output, so it is -o, in the format its
    name asks for; a long parade is drawn in time panels one above the other.
    """
    require("matplotlib", what="graph")
    from paradeops.reports.movement_graph import movement_graph

    fmt = image_format(output, field="--output", what="graph")
    _, s = load_and_schedule(plan)
    write_output(output, movement_graph(s, fmt))
    say_written(output)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the plan file (for editors' autocompletion)."""
    doc = Plan.model_json_schema(by_alias=True)
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "ParadeOps plan file, version 1"
    print(json.dumps(doc, indent=2))
