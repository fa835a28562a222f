"""``lineup``: the order of march by the rules file, written as a new plan."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from paradeops.cli.app import app, err, out
from paradeops.cli.output import PlanArg, say_written, write_output
from paradeops.errors import Problem, UserError
from paradeops.extras import installed, missing_extra_error
from paradeops.io.planfile import FolderFiles, parse_plan, read_text

if TYPE_CHECKING:
    from paradeops.lineup.optimise import Lineup
    from paradeops.lineup.rules import Rules
    from paradeops.lineup.scoring import Figures

#: The extra that brings OR-Tools and the compiled kernels.
LINEUP_EXTRA = "optimise"


class LineupFormat(StrEnum):
    table = "table"
    json = "json"


RulesOpt = Annotated[
    Path, typer.Option("--rules", help="Rules file (YAML; docs/lineup.md)", show_default=False)
]
NewPlanOpt = Annotated[
    Path,
    typer.Option("--output", "-o", help="Write the plan in the new order here", show_default=False),
]
ReportFormatOpt = Annotated[
    LineupFormat, typer.Option("--format", "-f", help="Format of the report on stdout")
]
TimeLimitOpt = Annotated[
    float, typer.Option("--time-limit", min=1.0, max=3600.0, help="Time for the search [s]")
]
SeedOpt = Annotated[
    int, typer.Option("--seed", min=0, max=2**31 - 1, help="Seed of the local search")
]


@app.command("lineup")
def lineup_command(
    plan: PlanArg,
    rules: RulesOpt,
    output: NewPlanOpt,
    format: ReportFormatOpt = LineupFormat.table,
    time_limit: TimeLimitOpt = 20.0,
    seed: SeedOpt = 0,
) -> None:
    """Find the order of march by a rules file; write the plan in that order.

    Exit 1 when a rule (a window) is not kept, 2 on bad input or rules that
    cannot hold together (a minimal set of them is named).
    """
    if str(output) == "-":  # the report goes to stdout: the plan after it would spoil both
        raise UserError(
            "the new plan cannot go to stdout: the report does",
            field="--output",
            hint="name a file for the new plan, e.g. -o new-plan.yaml",
        )
    for module in ("ortools", "numba"):
        if not installed(module):
            raise missing_extra_error(module, "paradeops lineup", extra=LINEUP_EXTRA)
    from paradeops.lineup.constraints import compile_rules
    from paradeops.lineup.cpsat import RulesConflict
    from paradeops.lineup.optimise import lineup
    from paradeops.lineup.planfile import reordered_plan
    from paradeops.lineup.rules import parse_rules

    text = read_text(plan)
    files = _NamedFiles(plan.parent)
    p = parse_plan(text, str(plan), files=files)
    _check_beside(plan, output, files.relative)
    r = parse_rules(read_text(rules), str(rules), p)
    try:
        result = lineup(p, r, compile_rules(r, p), time_limit_s=time_limit, seed=seed,
                        workers=min(8, os.cpu_count() or 1))  # fmt: skip
    except RulesConflict as e:
        raise _conflict_error(e, r, str(rules)) from None
    except TimeoutError:
        err.print(Text(f"error: no order keeping every rule was found in {time_limit:g} s"))
        err.print(Text("  → give more time (--time-limit) or fewer rules"))
        raise typer.Exit(1) from None
    write_output(output, reordered_plan(text, str(plan), result.order), field="--output")
    if format is LineupFormat.json:
        out.file.write(json.dumps(lineup_json(result), indent=2) + "\n")
    else:
        for renderable in _report(result):
            out.print(renderable)
    say_written(output)
    if not all(rule.satisfied for rule in result.rules) or result.after.missed_s > 0:
        raise typer.Exit(1)


class _NamedFiles:
    """The plan's folder, noting the files the plan names relative to it."""

    def __init__(self, folder: Path) -> None:
        self.folder = FolderFiles(folder)
        self.relative: list[str] = []

    def read(self, field: str, ref: str) -> tuple[str, str]:
        if not Path(ref).is_absolute():
            self.relative.append(ref)
        return self.folder.read(field, ref)


def _check_beside(plan: Path, output: Path, relative: list[str]) -> None:
    """The new plan names the same files as the plan, relative to its own folder: in
    another folder they would not be found."""
    if not relative or output.resolve().parent == plan.resolve().parent:
        return
    names = ", ".join(repr(r) for r in relative)
    raise UserError(
        f"the plan names {names} relative to its folder: written in another folder, "
        "the new plan would not find them",
        field="--output",
        hint=f"write the new plan beside the plan, in {plan.resolve().parent}",
    )


def _conflict_error(e: Any, rules: Rules, file: str) -> UserError:
    """The conflicting rules, each located in the rules file."""
    why = "cannot all hold" if e.minimal else "cannot all hold (not shrunk further in time)"
    head = Problem(
        f"these rules {why}: {', '.join(e.names)}",
        file=file,
        hint="drop or loosen one of them",
    )
    each = [Problem("in conflict", file=file, line=rules.line_of(n), field=n) for n in e.names]
    return UserError(problems=[head, *each])


def _figures_json(f: Figures) -> dict[str, Any]:
    return {
        "duration_s": round(f.duration_s, 1),
        "held_s": round(f.held_s, 1),
        "max_gap_m": round(f.max_gap_m, 1),
        "window_slack_s": None if f.window_slack_s is None else round(f.window_slack_s, 1),
    }


def lineup_json(result: Lineup) -> dict[str, Any]:
    """The report as the issue's JSON: order, before, after, rules, status, gap."""
    return {
        "order": result.order,
        "before": _figures_json(result.before),
        "after": _figures_json(result.after),
        "rules": [
            {"rule": r.rule, "satisfied": r.satisfied, "binding": r.binding} for r in result.rules
        ],
        "status": result.status,
        "gap": round(result.gap, 4),
    }


def _report(result: Lineup) -> list[Any]:
    figures = Table(title="Before and after", title_justify="left")
    for column in ("", "before", "after"):
        figures.add_column(column, justify="left" if not column else "right")
    b, a = _figures_json(result.before), _figures_json(result.after)
    for key, label, unit in (
        ("duration_s", "duration", "s"),
        ("held_s", "total held time", "s"),
        ("max_gap_m", "largest gap before the stand", "m"),
        ("window_slack_s", "window slack", "s"),
    ):
        figures.add_row(label, *(_shown(d[key], unit) for d in (b, a)))
    rules = Table(title="Rules", title_justify="left")
    for column in ("rule", "kept", "binding"):
        rules.add_column(column)
    for r in result.rules:
        rules.add_row(r.rule, "yes" if r.satisfied else "NO", "yes" if r.binding else "no")
    s = result.search
    status = (
        f"status: {result.status} (CP-SAT, on its surrogate objective: speed order and "
        f"window places; gap {result.gap:.1%}, {result.cpsat_s:.1f} s). The local search "
        f"then timed {s.evaluations:,} orders with the timing engine and improved "
        f"{s.improvements:,} times (stopped: {s.stopped}); it proves no bound."
    )
    return [figures, rules, Text(status)]


def _shown(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:,.1f} {unit}"
