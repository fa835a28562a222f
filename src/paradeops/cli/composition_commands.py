"""``compose``, ``music``, ``rehearsals`` and ``calibrate``: what a parade is made of.

The commands parse their arguments, call the core and write; what they write
is built in :mod:`paradeops.reports` (``composition_json``,
``composition_tables``, ``rehearsal_table``).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from paradeops.cli.app import app
from paradeops.cli.output import (
    ChartOpt,
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
    from paradeops.calibration import Calibration, Run
    from paradeops.model.clock import ClockTime
    from paradeops.model.plan import Plan
    from paradeops.timing.schedule import Schedule


def load_and_schedule(path: Path) -> tuple[Plan, Schedule]:
    """The plan and its schedule (the timing engine is loaded when a command runs)."""
    from paradeops.cli.plan_commands import load_and_schedule as load

    return load(path)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
]


@app.command()
def compose(
    plan: PlanArg,
    vs: Annotated[
        list[Path] | None,
        typer.Option("--vs", help="Another parade's plan to compare with (repeatable)"),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    chart: ChartOpt = None,
    width: WidthOpt = None,
) -> None:
    """Composition: counts by class, personnel, vehicles, aircraft, debuts, ratios.

    -o writes the table or JSON (per --format); --chart draws the bar chart.
    """
    from paradeops.composition.compose import compare
    from paradeops.io.planfile import load_plan
    from paradeops.reports.composition_json import comparison_json, dump
    from paradeops.reports.composition_tables import composition_renderables

    use_width(width)
    fmt = chart_format(chart, what="chart")
    if fmt is not None:
        require("matplotlib", what="--chart")
    cmp = compare([load_plan(p) for p in [plan, *(vs or [])]])
    if format is Format.json:
        write_output(output, dump(comparison_json(cmp)))
        say_written(output)
    else:
        emit(output, composition_renderables(cmp))
    if chart is not None and fmt is not None:
        from paradeops.reports.composition_chart import composition_chart

        write_output(chart, composition_chart(cmp, fmt))
        say_written(chart)


@app.command()
def music(
    plan: PlanArg,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    width: WidthOpt = None,
) -> None:
    """Cue sheets per band, timed by the movement table; coverage, overlap and tempo checks.

    Exit 1 when a check fails (silence, overlap, tempo).
    """
    from paradeops.composition.music import music_report
    from paradeops.reports.composition_json import dump, music_json
    from paradeops.reports.composition_tables import music_renderables

    use_width(width)
    p, s = load_and_schedule(plan)
    if p.music is None:
        raise UserError(
            "the plan has no music program", file=str(plan), hint="add a `music:` section"
        )
    report = music_report(p, s)
    if format is Format.json:
        write_output(output, dump(music_json(report, s)))
        say_written(output)
    else:
        emit(output, music_renderables(report, s))
    if report.has_errors:
        raise typer.Exit(1)


@app.command()
def rehearsals(
    plan: PlanArg,
    ics: Annotated[
        Path | None, typer.Option("--ics", help="Write the rehearsals as an iCalendar file")
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
) -> None:
    """The rehearsal schedule; --ics exports it for people's calendars."""
    from paradeops.reports.composition_json import dump
    from paradeops.reports.ics import rehearsals_ics
    from paradeops.reports.rehearsal_table import rehearsals_json, rehearsals_table

    p, s = load_and_schedule(plan)
    if not p.rehearsals:
        raise UserError("the plan has no rehearsals", file=str(plan), hint="add `rehearsals:`")
    default = s.summary.duration_s
    if ics is not None:
        write_output(ics, rehearsals_ics(p, dt.datetime.now(dt.UTC), default))
        say_written(ics)
    if format is Format.json:
        write_output(output, dump(rehearsals_json(p, default)))
        return
    if ics is not None and output is None:
        return
    emit(output, [rehearsals_table(p, default)])


@app.command(name="calibrate")
def calibrate_cmd(
    plan: PlanArg,
    measured: Annotated[
        list[Path],
        typer.Argument(help="Rehearsal CSV files (one per rehearsal)", show_default=False),
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="Rehearsal reference time on its date: HH:MM:SS, 24:MM:SS after "
            "midnight or ISO with offset (default: the first unit's head at the first "
            "checkpoint)",
        ),
    ] = None,
    format: FormatOpt = Format.table,
    output: OutputOpt = None,
    write_plan: Annotated[
        Path | None,
        typer.Option("--write-plan", help="Write a copy of the plan with the fitted figures"),
    ] = None,
    distributions: Annotated[
        Path | None,
        typer.Option(
            "--distributions",
            help="Write the fitted distributions as a plan's `simulation:` section (YAML)",
        ),
    ] = None,
    width: WidthOpt = None,
) -> None:
    """Measured rehearsal times against the plan; fitted speed, step-off delay and gap.

    Times a unit did not govern itself (held behind the unit ahead, or past a
    speed limit it could reach) are left out of its fit and listed; figures
    nothing free is left for are left out with the reason, never written.
    """
    from paradeops.calibration import calibrate, compare
    from paradeops.io.rehearsal_csv import load_run
    from paradeops.reports.composition_json import calibration_json, dump
    from paradeops.reports.composition_tables import calibration_renderables
    from paradeops.reports.words import counted

    use_width(width)
    p, s = load_and_schedule(plan)
    ref = _reference_time(start)
    runs: list[Run] = [load_run(m, p, start=ref) for m in measured]
    _refuse_backwards(runs, measured, [c.id for c in s.checkpoints])
    comparisons = [compare(s, r) for r in runs]
    cal = calibrate(p, s, runs)
    _write_fitted(plan, p, cal, write_plan, distributions)
    if format is Format.json:
        write_output(output, dump(calibration_json(s, comparisons, cal)))
        say_written(output)
        return
    title = f"{p.parade.name}: calibration from {counted(len(runs), 'rehearsal')}"
    emit(output, calibration_renderables(title, comparisons, cal))


def _refuse_backwards(runs: list[Run], files: list[Path], checkpoints: list[str]) -> None:
    """A UserError at every row whose time runs backwards along the route, before any fit."""
    from paradeops.calibration.order import backwards
    from paradeops.errors import Problem

    problems = [
        Problem(b.message, file=str(path), line=b.row, hint=b.hint)
        for run, path in zip(runs, files, strict=True)
        for b in backwards(run, checkpoints)
    ]
    if problems:
        raise UserError(problems=problems[:20])


def _reference_time(start: str | None) -> ClockTime | None:
    """``--start`` as a clock time (``None``: the first unit's head gives the reference)."""
    from paradeops.model.clock import parse_clock_time

    if start is None:
        return None
    try:
        return parse_clock_time(start)
    except ValueError as e:
        raise UserError(
            str(e), field="--start", hint="e.g. 22:00:00, or 24:10:00 for 00:10 the next day"
        ) from None


def _write_fitted(
    plan_path: Path,
    plan: Plan,
    cal: Calibration,
    write_plan: Path | None,
    distributions: Path | None,
) -> None:
    """``--write-plan`` (a copy of the plan with the fitted figures) and ``--distributions``.

    Both texts are made, and the copy validated as the plan it will be, before
    either is written: a fit that yields a plan ``validate`` refuses writes nothing.
    """
    from paradeops.io.planfile import read_text
    from paradeops.io.rehearsal_csv import calibrated_plan, simulation_section

    texts: list[tuple[Path, str]] = []
    if write_plan is not None:
        text = calibrated_plan(read_text(plan_path), plan, cal, source=plan_path, target=write_plan)
        _check_calibrated(text, write_plan)
        texts.append((write_plan, text))
    if distributions is not None:
        texts.append((distributions, simulation_section(cal)))
    for path, text in texts:
        write_output(path, text)
        say_written(path)


def _check_calibrated(text: str, target: Path) -> None:
    """A UserError, naming each problem, if ``text`` is not a valid plan where it would go."""
    from paradeops.io.planfile import FolderFiles, parse_plan

    try:
        parse_plan(text, str(target), files=FolderFiles(target.parent))
    except UserError as e:
        raise UserError(
            "the calibrated plan would not validate, so it was not written",
            field="--write-plan",
            hint="check the rehearsal files against the plan; the problems of the copy follow",
            problems=e.problems,
        ) from None
