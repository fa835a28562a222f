"""``compose``, ``music``, ``rehearsals`` and ``calibrate``: what a parade is made of."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.cli.output import (
    ChartOpt,
    WidthOpt,
    chart_format,
    emit,
    say_written,
    use_width,
    write_output,
)
from paradeops.cli.plan_commands import PlanArg, load_and_schedule
from paradeops.composition.compose import Comparison, compare
from paradeops.composition.music import Cue, MusicReport, music_report
from paradeops.composition.rehearsals import Calibration, UnitComparison, calibrate
from paradeops.composition.rehearsals import compare as compare_run
from paradeops.errors import UserError
from paradeops.io.planfile import load_plan, read_text
from paradeops.model.clock import offset_text, parse_clock_time
from paradeops.reports.schedule_table import hms, unit_label, zone_note
from paradeops.timing.schedule import Schedule


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
]


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _r(v: float | None, nd: int = 2) -> float | None:
    return None if v is None else round(v, nd)


def _iso(s: Schedule, seconds: float) -> str:
    return s.clock(seconds).isoformat(timespec="milliseconds")


def _hms(s: Schedule, seconds: float) -> str:
    """As the movement table: a time at another offset than the start's carries it."""
    return hms(s, seconds)


# ---------------------------------------------------------------- compose


def comparison_json(cmp: Comparison) -> dict[str, Any]:
    return {
        "parades": [
            {
                "name": p.name,
                "date": p.date.isoformat(),
                "personnel": p.personnel,
                "vehicles": p.vehicles,
                "aircraft": p.aircraft,
                "floats": p.floats,
                "units": p.units,
                "by_class": p.by_class,
                "by_model": p.by_model,
                "debuts": list(p.debuts),
                "declared_debuts": list(p.declared_debuts),
                "compared_with": list(p.compared_with),
                "notes": list(p.notes),
            }
            for p in cmp.parades
        ],
        "ratios": [
            {
                "vs": r.vs,
                "vehicles": _r(r.vehicles, 3),
                "personnel": _r(r.personnel, 3),
                "aircraft": _r(r.aircraft, 3),
                "text": r.text(),
            }
            for r in cmp.ratios
        ],
    }


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
    use_width(width)
    fmt = chart_format(chart, what="chart")
    cmp = compare([load_plan(p) for p in [plan, *(vs or [])]])
    if format is Format.json:
        write_output(output, _dump(comparison_json(cmp)))
        say_written(output)
    else:
        _compose_table(cmp, output)
    if chart is not None and fmt is not None:
        from paradeops.reports.composition_chart import composition_chart

        write_output(chart, composition_chart(cmp, fmt))
        err.print(Text(f"wrote {chart}"))


def _compose_table(cmp: Comparison, output: Path | None) -> None:
    t = Table(title="Composition", title_justify="left")
    t.add_column("")
    for p in cmp.parades:
        t.add_column(p.name, justify="right")
    classes: list[str] = []
    for p in cmp.parades:
        classes += [c for c in p.by_class if c not in classes]
    rows = [("personnel", [p.personnel for p in cmp.parades])]
    rows += [("vehicles", [p.vehicles for p in cmp.parades])]
    rows += [("aircraft", [p.aircraft for p in cmp.parades])]
    if any(p.floats for p in cmp.parades):
        rows += [("floats", [p.floats for p in cmp.parades])]
    for label, vals in rows:
        t.add_row(label, *map(str, vals))
    for c in classes:
        t.add_row(f"  {c}", *(str(p.by_class.get(c, 0)) for p in cmp.parades))
    t.add_row("debuts", *(", ".join(p.debuts) or "—" for p in cmp.parades))
    lines = [r.text() for r in cmp.ratios]
    lines += [f"{p.name}: {n}" for p in cmp.parades for n in p.notes]
    emit(output, [t, *(Text(line) for line in lines)])


def _emit(output: Path | None, tables: Table | list[Table], lines: list[str]) -> None:
    """Tables and lines to the terminal, or as plain text to ``output`` (full width)."""
    if isinstance(tables, Table):
        tables = [tables]
    emit(output, [*tables, *(Text(line) for line in lines)])


# ------------------------------------------------------------------ music


def music_json(report: MusicReport, s: Schedule) -> dict[str, Any]:
    return {
        "parade": s.parade,
        "bands": [
            {
                "id": sh.band,
                "name": sh.name,
                "position_m": round(sh.position_m, 1),
                "heard_at_reviewing": sh.heard_at_reviewing,
                "hearing_m": [round(x, 1) for x in sh.hearing_m],
                "start": _iso(s, sh.start),
                "end": _iso(s, sh.end),
                "units": list(sh.units),
                "unplayed": list(sh.unplayed),
                "cues": [
                    {
                        "piece": c.piece,
                        "title": c.title,
                        "composer": c.composer,
                        "tempo_bpm": c.tempo_bpm,
                        "start": _iso(s, c.start),
                        "end": _iso(s, c.end),
                        "start_s": round(c.start, 2),
                        "end_s": round(c.end, 2),
                        "played_s": round(c.played_s, 2),
                        "duration_s": c.duration_s,
                        "repeat": c.repeat,
                        "cut": c.cut,
                        "cued_by": c.cued_by,
                        "cue_at_band": None if c.cue_at_band is None else _iso(s, c.cue_at_band),
                        "cue_at_stand": (
                            None if c.cue_at_stand is None else _iso(s, c.cue_at_stand)
                        ),
                        "units": list(c.units),
                    }
                    for c in sh.cues
                ],
            }
            for sh in report.sheets
        ],
        "findings": [
            {
                "kind": f.kind,
                "severity": f.severity,
                "band": f.band,
                "unit": f.unit,
                "start": None if f.start is None else _iso(s, f.start),
                "end": None if f.end is None else _iso(s, f.end),
                "message": f.message,
            }
            for f in report.findings
        ],
    }


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
    use_width(width)
    p, s = load_and_schedule(plan)
    if p.music is None:
        raise UserError(
            "the plan has no music program", file=str(plan), hint="add a `music:` section"
        )
    report = music_report(p, s)
    if format is Format.json:
        write_output(output, _dump(music_json(report, s)))
        say_written(output)
    else:
        tables = []
        for sh in report.sheets:
            shown = [
                x
                for c in sh.cues
                for x in (c.start, c.end, c.cue_at_band, c.cue_at_stand)
                if x is not None
            ]
            t = Table(
                title=f"{sh.name} — at {sh.position_m:.0f} m"
                + ("" if sh.heard_at_reviewing else " (not heard at the reviewing stand)")
                + f" ({zone_note(s, shown)})",
                title_justify="left",
            )
            for col in ("start", "end", "piece", "bpm", "played", "note", "units passing"):
                t.add_column(col, justify="right" if col in ("bpm", "played") else "left")
            for c in sh.cues:
                note = []
                if c.cued_by:
                    note.append(f"on {c.cued_by}" + _cue_times(s, c))
                if c.repeat:
                    note.append(f"repeat {c.repeat}")
                if c.cut:
                    note.append("cut")
                t.add_row(
                    _hms(s, c.start),
                    _hms(s, c.end),
                    c.title,
                    f"{c.tempo_bpm:g}",
                    f"{c.played_s:.0f}/{c.duration_s:g} s",
                    ", ".join(note),
                    _units_text(c.units),
                )
            tables.append(t)
        lines = [
            f"{sh.band} plays while its units are within {sh.hearing_m[0]:.0f}–"
            f"{sh.hearing_m[1]:.0f} m of the route (the reviewing stand: {s.reviewing.at_m:.0f} m)"
            for sh in report.sheets
        ]
        lines += [f"{f.severity}: {f.message}{_named(s, f.unit)}"
                  for f in report.findings] or ["music: no findings"]
        _emit(output, tables, lines)
    if report.has_errors:
        raise typer.Exit(1)


def _named(s: Schedule, unit: str | None) -> str:
    """`` [id (name)]`` after a finding about a unit with a name of its own."""
    label = unit_label(s, unit) if unit is not None else None
    return f" [{label}]" if label is not None and label != unit else ""


def _cue_times(s: Schedule, c: Cue) -> str:
    """When the cued unit's head reaches the band and the reviewing stand."""
    at = []
    if c.cue_at_band is not None:
        at.append(f"band {_hms(s, c.cue_at_band)}")
    if c.cue_at_stand is not None:
        at.append(f"stand {_hms(s, c.cue_at_stand)}")
    return f" ({', '.join(at)})" if at else ""


def _units_text(units: tuple[str, ...]) -> str:
    if len(units) <= 2:
        return ", ".join(units)
    return f"{units[0]} … {units[-1]} ({len(units)})"


# ------------------------------------------------------------- rehearsals


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
    from paradeops.reports.ics import rehearsal_window, rehearsals_ics

    p, s = load_and_schedule(plan)
    if not p.rehearsals:
        raise UserError("the plan has no rehearsals", file=str(plan), hint="add `rehearsals:`")
    default = s.summary.duration_s
    if ics is not None:
        write_output(ics, rehearsals_ics(p, dt.datetime.now(dt.UTC), default))
        err.print(Text(f"wrote {ics}"))
    items = []
    for r in p.rehearsals:
        start, end = rehearsal_window(p, r, default)
        items.append(
            {
                "id": r.id,
                "name": r.label,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "place": r.place,
                "units": r.units,
            }
        )
    if format is Format.json:
        write_output(output, _dump({"parade": p.parade.name, "rehearsals": items}))
        return
    if ics is not None and output is None:
        return
    zone = p.parade.timezone
    t = Table(
        title=f"{p.parade.name}: rehearsals ({zone}; UTC: the offset at the start)",
        title_justify="left",
    )
    for col in ("id", "date", "from", "to", "UTC", "place", "units"):
        t.add_column(col)
    for r in p.rehearsals:
        start, end = rehearsal_window(p, r, default)
        t.add_row(
            r.id,
            f"{r.date}",
            rehearsal_time(start, r.date, start),
            rehearsal_time(end, r.date, start),
            offset_text(start),
            r.place,
            "all" if r.units is None else str(len(r.units)),
        )
    _emit(output, t, [])


def rehearsal_time(moment: dt.datetime, date: dt.date, start: dt.datetime) -> str:
    """``HH:MM`` (``HH:MM:SS`` if not whole) of a rehearsal on ``date``.

    A time on a later date carries ``(+1)`` (or ``(+2)``), one at another
    offset than the start's carries its own (``03:30+02:00``).
    """
    text = f"{moment:%H:%M:%S}" if moment.second or moment.microsecond else f"{moment:%H:%M}"
    if moment.utcoffset() != start.utcoffset():
        text += offset_text(moment)
    days = (moment.date() - date).days
    return text + (f" ({days:+d})" if days else "")


# -------------------------------------------------------------- calibrate


def calibration_json(
    s: Schedule, comparisons: list[tuple[UnitComparison, ...]], cal: Calibration
) -> dict[str, Any]:
    return {
        "parade": s.parade,
        "runs": list(cal.runs),
        "comparison": [
            {
                "run": uc.run,
                "unit": uc.unit,
                "mean_delay_s": _r(uc.mean_delay_s),
                "mean_pass_error_s": _r(uc.mean_pass_error_s),
                "passes": [
                    {
                        "checkpoint": pc.checkpoint,
                        "delay_s": _r(pc.delay_s),
                        "pass_error_s": _r(pc.pass_error_s),
                    }
                    for pc in uc.passes
                ],
            }
            for run in comparisons
            for uc in run
        ],
        "units": [
            {
                "unit": f.unit,
                "kind": f.kind,
                "runs": f.runs,
                "planned_speed_kmh": _r(f.planned_speed_kmh, 3),
                "speed_factor": _r(f.speed_factor, 4),
                "fitted_speed_kmh": _r(f.fitted_speed_kmh, 3),
                "fitted_pace_m": _r(f.fitted_pace_m, 4),
                "step_off_delay_s": _r(f.step_off_delay_s),
                "step_off_delay_sd": _r(f.step_off_delay_sd),
                "gap_driven": f.gap_driven,
                "planned_gap_m": _r(f.planned_gap_m),
                "fitted_gap_m": _r(f.fitted_gap_m),
                "residual_s": _r(f.residual_s),
                "constraints": [
                    {"kind": c.kind, "checkpoint": c.checkpoint, "runs": list(c.runs),
                     "text": c.text}
                    for c in f.constraints
                ],
                "left_out": list(f.left_out),
            }
            for f in cal.units
        ],
        "distributions": distributions_json(cal),
    }


def distributions_json(cal: Calibration) -> dict[str, Any]:
    """As the plan's ``simulation:`` section takes them, and how many unit-runs each rests on."""
    figures = {"step_off_delay_s": cal.step_off_delay_s, "speed_factor": cal.speed_factor}
    section: dict[str, Any] = {}
    for name, d in figures.items():
        if d.mean is None:
            continue
        section[name] = (
            {"dist": "fixed", "value": _r(d.mean, 4)}
            if d.sd is None
            else {"dist": "normal", "mean": _r(d.mean, 4), "sd": _r(d.sd, 4)}
        )
    return {"simulation": section, "n": {name: d.n for name, d in figures.items()}}


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
    from paradeops.io.rehearsal_csv import calibrated_plan, load_run, simulation_section

    use_width(width)
    p, s = load_and_schedule(plan)
    ref = None
    if start is not None:
        try:
            ref = parse_clock_time(start)
        except ValueError as e:
            raise UserError(
                str(e), field="--start", hint="e.g. 22:00:00, or 24:10:00 for 00:10 the next day"
            ) from None
    runs = [load_run(m, p, start=ref) for m in measured]
    comparisons = [compare_run(s, r) for r in runs]
    cal = calibrate(p, s, runs)
    if write_plan is not None:
        text = calibrated_plan(read_text(plan), p, cal, source=plan, target=write_plan)
        write_output(write_plan, text)
        err.print(Text(f"wrote {write_plan}"))
    if distributions is not None:
        write_output(distributions, simulation_section(cal))
        err.print(Text(f"wrote {distributions}"))
    if format is Format.json:
        write_output(output, _dump(calibration_json(s, comparisons, cal)))
        say_written(output)
        return
    t = Table(title=f"{p.parade.name}: calibration from {len(runs)} rehearsal(s)")
    cols = ("unit", "delay s", "pass err s", "speed ×", "km/h", "pace m", "step-off s", "gap m")
    for col in cols:
        t.add_column(col, justify="left" if col == "unit" else "right")
    by_unit: dict[str, list[UnitComparison]] = {}
    for run in comparisons:
        for uc in run:
            by_unit.setdefault(uc.unit, []).append(uc)
    for f in cal.units:
        ucs = by_unit.get(f.unit, [])
        delays = [uc.mean_delay_s for uc in ucs if uc.mean_delay_s is not None]
        errs = [uc.mean_pass_error_s for uc in ucs if uc.mean_pass_error_s is not None]
        t.add_row(
            f.unit,
            _fmt(sum(delays) / len(delays) if delays else None, "+.1f"),
            _fmt(sum(errs) / len(errs) if errs else None, "+.1f"),
            _fmt(f.speed_factor, ".3f"),
            _fmt(f.fitted_speed_kmh, ".2f"),
            _fmt(f.fitted_pace_m, ".3f"),
            _fmt(f.step_off_delay_s, "+.1f"),
            _fmt(f.fitted_gap_m, ".1f"),
        )
    dd, sf = cal.step_off_delay_s, cal.speed_factor
    lines = [
        f"step-off delay: mean {_fmt(dd.mean, '.2f')} s, sd {_fmt(dd.sd, '.2f')} s (n={dd.n})",
        f"speed factor: mean {_fmt(sf.mean, '.4f')}, sd {_fmt(sf.sd, '.4f')} (n={sf.n})",
    ]
    # Figures are fitted on free stretches only; say what was not seen, and why.
    lines += [f"{f.unit}: {c.text}" for f in cal.units for c in f.constraints]
    lines += [f"{f.unit}: left out: {why}" for f in cal.units for why in f.left_out]
    _emit(output, t, lines)


def _fmt(v: float | None, spec: str) -> str:
    return "—" if v is None else format(v, spec)
