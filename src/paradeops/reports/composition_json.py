"""``compose``, ``music``, ``rehearsals`` and ``calibrate`` as JSON documents.

Clock times are written by :mod:`paradeops.reports.times` (ISO 8601 with the
offset in force, to a tenth of a second); figures are rounded to what the
measurements can tell.
"""

from __future__ import annotations

import json
from typing import Any

from paradeops.calibration import Calibration, Constraint, UnitComparison, UnitFit
from paradeops.composition.compose import Comparison, Composition
from paradeops.composition.music import Cue, CueSheet, MusicFinding, MusicReport
from paradeops.reports.times import iso, iso_or_none
from paradeops.timing.schedule import Schedule

__all__ = [
    "calibration_json",
    "comparison_json",
    "distributions_json",
    "dump",
    "music_json",
]


def dump(data: Any) -> str:
    """The JSON text of a document: indented, UTF-8 as is, ending in a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _r(v: float | None, nd: int = 2) -> float | None:
    return None if v is None else round(v, nd)


# ---------------------------------------------------------------- compose


def _parade(p: Composition) -> dict[str, Any]:
    return {
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


def comparison_json(cmp: Comparison) -> dict[str, Any]:
    """Each parade's counts, then each ratio against the first."""
    return {
        "parades": [_parade(p) for p in cmp.parades],
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


# ------------------------------------------------------------------ music


def _cue(s: Schedule, c: Cue) -> dict[str, Any]:
    return {
        "piece": c.piece,
        "title": c.title,
        "composer": c.composer,
        "tempo_bpm": c.tempo_bpm,
        "start": iso(s, c.start),
        "end": iso(s, c.end),
        "start_s": round(c.start, 2),
        "end_s": round(c.end, 2),
        "played_s": round(c.played_s, 2),
        "duration_s": c.duration_s,
        "repeat": c.repeat,
        "cut": c.cut,
        "cued_by": c.cued_by,
        "cue_at_band": iso_or_none(s, c.cue_at_band),
        "cue_at_stand": iso_or_none(s, c.cue_at_stand),
        "units": list(c.units),
    }


def _sheet(s: Schedule, sh: CueSheet) -> dict[str, Any]:
    return {
        "id": sh.band,
        "name": sh.name,
        "position_m": round(sh.position_m, 1),
        "heard_at_reviewing": sh.heard_at_reviewing,
        "hearing_m": [round(x, 1) for x in sh.hearing_m],
        "start": iso(s, sh.start),
        "end": iso(s, sh.end),
        "units": list(sh.units),
        "unplayed": list(sh.unplayed),
        "cues": [_cue(s, c) for c in sh.cues],
    }


def _music_finding(s: Schedule, f: MusicFinding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "severity": f.severity,
        "band": f.band,
        "unit": f.unit,
        "start": iso_or_none(s, f.start),
        "end": iso_or_none(s, f.end),
        "message": f.message,
    }


def music_json(report: MusicReport, s: Schedule) -> dict[str, Any]:
    """Cue sheets per band and the music's findings."""
    return {
        "parade": s.parade,
        "bands": [_sheet(s, sh) for sh in report.sheets],
        "findings": [_music_finding(s, f) for f in report.findings],
    }


# -------------------------------------------------------------- calibrate


def _unit_comparison(uc: UnitComparison) -> dict[str, Any]:
    return {
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


def _constraint(c: Constraint) -> dict[str, Any]:
    return {"kind": c.kind, "checkpoint": c.checkpoint, "runs": list(c.runs), "text": c.text}


def _unit_fit(f: UnitFit) -> dict[str, Any]:
    return {
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
        "constraints": [_constraint(c) for c in f.constraints],
        "left_out": list(f.left_out),
    }


def calibration_json(
    s: Schedule, comparisons: list[tuple[UnitComparison, ...]], cal: Calibration
) -> dict[str, Any]:
    """Every run against the plan, the fitted figures per unit, and their distributions."""
    return {
        "parade": s.parade,
        "runs": list(cal.runs),
        "comparison": [_unit_comparison(uc) for run in comparisons for uc in run],
        "units": [_unit_fit(f) for f in cal.units],
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
