"""``compose``, ``music`` and ``calibrate`` as the tables and lines they print.

Clock times are ``HH:MM:SS`` as in the movement table
(:func:`paradeops.reports.times.clock`); each function returns the tables and
the lines under them, which the command prints or writes.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from paradeops.calibration import Calibration, UnitComparison, UnitFit
from paradeops.composition.compose import Comparison
from paradeops.composition.music import Cue, CueSheet, MusicReport
from paradeops.reports.schedule_table import unit_label, zone_note
from paradeops.reports.times import clock
from paradeops.timing.schedule import Schedule

__all__ = ["calibration_renderables", "composition_renderables", "music_renderables"]


# ---------------------------------------------------------------- compose


def composition_renderables(cmp: Comparison) -> list[RenderableType]:
    """The counts side by side (one column per parade), then ratios and notes."""
    t = Table(title="Composition", title_justify="left")
    t.add_column("")
    for p in cmp.parades:
        t.add_column(p.name, justify="right")
    rows = [("personnel", [p.personnel for p in cmp.parades])]
    rows += [("vehicles", [p.vehicles for p in cmp.parades])]
    rows += [("aircraft", [p.aircraft for p in cmp.parades])]
    if any(p.floats for p in cmp.parades):
        rows += [("floats", [p.floats for p in cmp.parades])]
    for label, vals in rows:
        t.add_row(label, *map(str, vals))
    for c in _classes(cmp):
        t.add_row(f"  {c}", *(str(p.by_class.get(c, 0)) for p in cmp.parades))
    t.add_row("debuts", *(", ".join(p.debuts) or "—" for p in cmp.parades))
    lines = [r.text() for r in cmp.ratios]
    lines += [f"{p.name}: {n}" for p in cmp.parades for n in p.notes]
    return [t, *(Text(line) for line in lines)]


def _classes(cmp: Comparison) -> list[str]:
    """Every class of any parade, in the order they first appear."""
    classes: list[str] = []
    for p in cmp.parades:
        classes += [c for c in p.by_class if c not in classes]
    return classes


# ------------------------------------------------------------------ music


def music_renderables(report: MusicReport, s: Schedule) -> list[RenderableType]:
    """A cue sheet per band, then where each band plays and the findings."""
    lines = [
        f"{sh.band} plays while its units are within {sh.hearing_m[0]:.0f}–"
        f"{sh.hearing_m[1]:.0f} m of the route (the reviewing stand: {s.reviewing.at_m:.0f} m)"
        for sh in report.sheets
    ]
    lines += [f"{f.severity}: {f.message}{_named(s, f.unit)}" for f in report.findings] or [
        "music: no findings"
    ]
    return [*(_cue_sheet(sh, s) for sh in report.sheets), *(Text(line) for line in lines)]


def _cue_sheet(sh: CueSheet, s: Schedule) -> Table:
    shown = [
        x for c in sh.cues for x in (c.start, c.end, c.cue_at_band, c.cue_at_stand) if x is not None
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
        t.add_row(
            clock(s, c.start),
            clock(s, c.end),
            c.title,
            f"{c.tempo_bpm:g}",
            f"{c.played_s:.0f}/{c.duration_s:g} s",
            _cue_note(s, c),
            _units_text(c.units),
        )
    return t


def _cue_note(s: Schedule, c: Cue) -> str:
    note = []
    if c.cued_by:
        note.append(f"on {c.cued_by}" + _cue_times(s, c))
    if c.repeat:
        note.append(f"repeat {c.repeat}")
    if c.cut:
        note.append("cut")
    return ", ".join(note)


def _named(s: Schedule, unit: str | None) -> str:
    """`` [id (name)]`` after a finding about a unit with a name of its own."""
    label = unit_label(s, unit) if unit is not None else None
    return f" [{label}]" if label is not None and label != unit else ""


def _cue_times(s: Schedule, c: Cue) -> str:
    """When the cued unit's head reaches the band and the reviewing stand."""
    at = []
    if c.cue_at_band is not None:
        at.append(f"band {clock(s, c.cue_at_band)}")
    if c.cue_at_stand is not None:
        at.append(f"stand {clock(s, c.cue_at_stand)}")
    return f" ({', '.join(at)})" if at else ""


def _units_text(units: tuple[str, ...]) -> str:
    if len(units) <= 2:
        return ", ".join(units)
    return f"{units[0]} … {units[-1]} ({len(units)})"


# -------------------------------------------------------------- calibrate


def calibration_renderables(
    title: str, comparisons: list[tuple[UnitComparison, ...]], cal: Calibration
) -> list[RenderableType]:
    """Per unit its mean delay and fitted figures, then the distributions and what
    was not seen."""
    t = Table(title=title)
    cols = ("unit", "delay s", "pass err s", "speed ×", "km/h", "pace m", "step-off s", "gap m")
    for col in cols:
        t.add_column(col, justify="left" if col == "unit" else "right")
    by_unit: dict[str, list[UnitComparison]] = {}
    for run in comparisons:
        for uc in run:
            by_unit.setdefault(uc.unit, []).append(uc)
    for f in cal.units:
        t.add_row(*_fit_row(f, by_unit.get(f.unit, [])))
    dd, sf = cal.step_off_delay_s, cal.speed_factor
    lines = [
        f"step-off delay: mean {_fmt(dd.mean, '.2f')} s, sd {_fmt(dd.sd, '.2f')} s (n={dd.n})",
        f"speed factor: mean {_fmt(sf.mean, '.4f')}, sd {_fmt(sf.sd, '.4f')} (n={sf.n})",
    ]
    # Figures are fitted on free stretches only; say what was not seen, and why.
    lines += [f"{f.unit}: {c.text}" for f in cal.units for c in f.constraints]
    lines += [f"{f.unit}: left out: {why}" for f in cal.units for why in f.left_out]
    return [t, *(Text(line) for line in lines)]


def _fit_row(f: UnitFit, ucs: list[UnitComparison]) -> list[str]:
    delays = [uc.mean_delay_s for uc in ucs if uc.mean_delay_s is not None]
    errs = [uc.mean_pass_error_s for uc in ucs if uc.mean_pass_error_s is not None]
    return [
        f.unit,
        _fmt(sum(delays) / len(delays) if delays else None, "+.1f"),
        _fmt(sum(errs) / len(errs) if errs else None, "+.1f"),
        _fmt(f.speed_factor, ".3f"),
        _fmt(f.fitted_speed_kmh, ".2f"),
        _fmt(f.fitted_pace_m, ".3f"),
        _fmt(f.step_off_delay_s, "+.1f"),
        _fmt(f.fitted_gap_m, ".1f"),
    ]


def _fmt(v: float | None, spec: str) -> str:
    return "—" if v is None else format(v, spec)
