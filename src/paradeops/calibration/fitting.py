"""Least squares over every run at once: speed factor, step-off delay and gap per
ground unit (how: the package's docstring, and docs/composition.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paradeops.calibration.arrays import BoolArray, IntArray
from paradeops.calibration.constraints import free_blocks, held_at, held_constraints, why_left_out
from paradeops.calibration.results import Calibration, Constraint, UnitFit, distribution_of
from paradeops.calibration.runs import Run
from paradeops.calibration.shape import FreeShape, free_shape
from paradeops.model.plan import AircraftUnit, BandUnit, FootUnit, MountedUnit, Plan, Unit
from paradeops.model.units import planned_gap_m, speed_ms
from paradeops.timing.schedule import FloatArray, Schedule, UnitSchedule


@dataclass(frozen=True)
class RunFit:
    """One unit in one run, from the free stretches of its trajectory only."""

    beta: float  # measured / planned time on free stretches (nan: none measured)
    step_off: float  # head at the start (nan: not free or not measured)
    tail_step_off: float  # the tail's line: tail at x at tail_step_off + beta * F(x + L)
    reach_m: float  # the head moves freely from the start up to here (nan: held there)
    sse: float
    dof: int


def calibrate(plan: Plan, schedule: Schedule, runs: Sequence[Run]) -> Calibration:
    """Fitted speed, step-off delay and gap per ground unit, and their distributions.

    Only measured times the unit governed itself are used: a head time at a
    checkpoint where the unit was held behind the one ahead (its head within
    ``min_gap_m`` of that unit's tail), or past a speed limit it could reach
    (while any part of it is in the stretch), is left out and the unit is
    flagged; figures nothing free is left for are left out with the reason.
    """
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    ids = [u.id for u in ground]
    cps = [c.id for c in schedule.checkpoints]
    x = np.array([c.at_m for c in schedule.checkpoints])
    heads, tails = _measured(runs, ids, cps)
    shapes = [free_shape(plan, schedule, u, x) for u in ground]
    held = _held_matrix(plan, ground, heads, tails, x)
    labels = [
        [free_blocks(shapes[j].free_stretch, held[r, j]) for j in range(len(ids))]
        for r in range(len(runs))
    ]
    beta = _slopes(heads, shapes, labels)
    fits = _run_fits(heads, tails, shapes, labels, x, beta)
    by_id = {u.id: u for u in schedule.units}
    delay, gap = _delays_and_gaps(plan, ground, shapes, fits, by_id)
    units = tuple(
        _unit_fit(
            plan,
            u,
            j,
            shapes[j],
            [f[j] for f in fits],
            delay[:, j],
            gap[:, j],
            held_constraints(runs, ids, cps, held, j),
        )
        for j, u in enumerate(ground)
    )
    return Calibration(
        runs=tuple(r.name for r in runs),
        units=units,
        step_off_delay_s=distribution_of(
            np.where(_delays_counted(runs, len(ids)), delay, np.nan).ravel()
        ),
        speed_factor=distribution_of((1.0 / beta).ravel()),
    )


def _held_matrix(
    plan: Plan, ground: Sequence[Unit], heads: FloatArray, tails: FloatArray, x: FloatArray
) -> BoolArray:
    """(run, unit, checkpoint): the unit's head was held behind the unit ahead there."""
    held = np.zeros(heads.shape, dtype=bool)
    min_gap = plan.defaults.min_gap_m
    for j in range(1, len(ground)):
        lead_speed = speed_ms(ground[j - 1])
        for r in range(heads.shape[0]):
            held[r, j] = held_at(heads[r, j], tails[r, j - 1], x, min_gap, lead_speed)
    return held


def _slopes(
    heads: FloatArray, shapes: Sequence[FreeShape], labels: Sequence[Sequence[IntArray]]
) -> FloatArray:
    """(run, unit): measured over planned time on the free stretches (nan: none)."""
    nr, nu = heads.shape[0], len(shapes)
    return np.array(
        [[_beta(heads[r, j], shapes[j].head_z, labels[r][j]) for j in range(nu)] for r in range(nr)]
    ).reshape(nr, nu)


def _run_fits(
    heads: FloatArray,
    tails: FloatArray,
    shapes: Sequence[FreeShape],
    labels: Sequence[Sequence[IntArray]],
    x: FloatArray,
    beta: FloatArray,
) -> list[list[RunFit]]:
    """Per run and unit, the fit of its free blocks (no slope in a run: the unit's mean)."""
    nr, nu = beta.shape
    with np.errstate(invalid="ignore"):
        mean_beta = np.array([_nanmean(beta[:, j]) for j in range(nu)])
    return [
        [
            _run_fit(heads[r, j], tails[r, j], shapes[j], labels[r][j], x, beta[r, j], mean_beta[j])
            for j in range(nu)
        ]
        for r in range(nr)
    ]


def _delays_counted(runs: Sequence[Run], units: int) -> BoolArray:
    """(run, unit): the step-off delays the distribution counts.

    Not the first unit's where a run's reference is that unit's head: its
    delay is zero by construction.
    """
    keep = np.ones((len(runs), units), dtype=bool)
    for r, run in enumerate(runs):
        if run.reference_from_first and units:
            keep[r, 0] = False
    return keep


def _measured(runs: Sequence[Run], ids: list[str], cps: list[str]) -> tuple[FloatArray, FloatArray]:
    """Head and tail times as (run, unit, checkpoint) arrays, nan where not measured."""
    uix = {uid: j for j, uid in enumerate(ids)}
    cix = {c: k for k, c in enumerate(cps)}
    heads = np.full((len(runs), len(ids), len(cps)), np.nan)
    tails = np.full_like(heads, np.nan)
    for r, run in enumerate(runs):
        for m in run.rows:
            j, k = uix.get(m.unit), cix.get(m.checkpoint)
            if j is None or k is None:
                continue
            if m.head is not None:
                heads[r, j, k] = m.head
            if m.tail is not None:
                tails[r, j, k] = m.tail
    return heads, tails


def _beta(head: FloatArray, z: FloatArray, labels: IntArray) -> float:
    """Least-squares slope of head times on F(x), one offset per free block."""
    szz = szh = 0.0
    for b in range(int(labels.max(initial=-1)) + 1):
        sel = (labels == b) & np.isfinite(head)
        if sel.sum() < 2:
            continue
        dz = z[sel] - z[sel].mean()
        szz += float(dz @ dz)
        szh += float(dz @ (head[sel] - head[sel].mean()))
    return szh / szz if szz > 1e-9 else float("nan")


def _run_fit(
    head: FloatArray,
    tail: FloatArray,
    shape: FreeShape,
    labels: IntArray,
    x: FloatArray,
    beta: float,
    unit_beta: float,
) -> RunFit:
    """Step-off, the tail's line and the residual from the free blocks.

    ``beta`` is this run's slope; where the run has none (no free stretch
    with two head times) the unit's mean over runs stands in for it.
    """
    use = beta if np.isfinite(beta) else unit_beta
    in_first = (labels == 0) & np.isfinite(head)
    step_off = float("nan")
    if np.isfinite(use) and in_first.any():
        step_off = float((head[in_first] - use * shape.head_z[in_first]).mean())
    elif in_first[0]:
        step_off = float(head[0])  # the start's own time needs no slope
    if labels[0] != 0:
        step_off = float("nan")  # held at the start: its step-off is the leader's
    reach = float(x[labels == 0].max()) if labels[0] == 0 else float("nan")
    tail_free = np.isfinite(tail) & (x + shape.length <= reach + 1e-6)
    tail_step_off = (
        float((tail[tail_free] - use * shape.tail_z[tail_free]).mean())
        if tail_free.any() and np.isfinite(use)
        else float("nan")
    )
    sse, dof = 0.0, 0
    if np.isfinite(beta):
        dof = -1
        for b in range(int(labels.max(initial=-1)) + 1):
            sel = (labels == b) & np.isfinite(head)
            if not sel.any():
                continue
            resid = head[sel] - beta * shape.head_z[sel]
            sse += float(((resid - resid.mean()) ** 2).sum())
            dof += int(sel.sum()) - 1
    return RunFit(beta, step_off, tail_step_off, reach, sse, max(dof, 0))


def _delays_and_gaps(
    plan: Plan,
    ground: Sequence[Unit],
    shapes: Sequence[FreeShape],
    fits: Sequence[Sequence[RunFit]],
    by_id: dict[str, UnitSchedule],
) -> tuple[FloatArray, FloatArray]:
    """Per run and unit: step-off delay [s] and, for units released by a gap, the gap [m].

    The engine releases such a unit when the leader's tail is ``gap_m`` past
    the start point. The measured release is read off the leader's free
    tail line; the fitted gap is where that tail was when the unit stepped
    off. Both need the leader's tail seen moving freely that far.
    """
    nr, nu = len(fits), len(ground)
    delay = np.full((nr, nu), np.nan)
    gap = np.full((nr, nu), np.nan)
    for j, u in enumerate(ground):
        planned_off = by_id[u.id].passes[0].head
        for r in range(nr):
            f = fits[r][j]
            if not _released_by_gap(j, u):
                delay[r, j] = f.step_off - planned_off
                continue
            lead, lf = shapes[j - 1], fits[r][j - 1]
            g = planned_gap_m(plan, u)
            if not (np.isfinite(f.step_off) and g + lead.length <= lf.reach_m + 1e-6):
                continue
            beta = lf.beta if np.isfinite(lf.beta) else f.beta
            release = lf.tail_step_off + beta * float(lead.free.arrive(g + lead.length))
            planned_release = _tail_at(by_id[ground[j - 1].id], g)
            delay[r, j] = (f.step_off - release) - (planned_off - planned_release)
            lead_head = float(lead.free.position((f.step_off - lf.tail_step_off) / beta))
            if lead_head <= lf.reach_m + 1e-6:
                gap[r, j] = lead_head - lead.length
    return delay, gap


def _released_by_gap(j: int, unit: Unit) -> bool:
    return j > 0 and unit.step_off is None and unit.target is None


def _unit_fit(
    plan: Plan,
    u: Unit,
    j: int,
    shape: FreeShape,
    fits: Sequence[RunFit],
    delay: FloatArray,
    gap: FloatArray,
    held: tuple[Constraint, ...],
) -> UnitFit:
    beta = np.array([f.beta for f in fits])
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = _opt(_nanmean(1.0 / beta))
    planned = speed_ms(u)
    fitted = None if factor is None else planned * factor * 3.6
    pace = None
    if (
        isinstance(u, FootUnit | BandUnit | MountedUnit)
        and u.speed_kmh is None
        and u.cadence_spm is not None
        and fitted is not None
    ):
        pace = fitted / 3.6 * 60.0 / u.cadence_spm
    dof = sum(f.dof for f in fits)
    rms = math.sqrt(sum(f.sse for f in fits) / dof) if dof > 0 else None
    driven = _released_by_gap(j, u)
    fitted_gap = _opt(_nanmean(gap)) if driven else None
    return UnitFit(
        unit=u.id,
        kind=u.kind,
        runs=int(np.isfinite(beta).sum()),
        planned_speed_kmh=planned * 3.6,
        speed_factor=factor,
        fitted_speed_kmh=fitted,
        fitted_pace_m=pace,
        step_off_delay_s=_opt(_nanmean(delay)),
        step_off_delay_sd=_opt(_nansd(delay)),
        gap_driven=driven,
        planned_gap_m=planned_gap_m(plan, u) if driven else None,
        fitted_gap_m=None if fitted_gap is None else max(fitted_gap, 0.0),
        residual_s=rms,
        constraints=held + shape.limits,
        left_out=why_left_out(fits, delay, fitted_gap, driven, factor),
    )


def _tail_at(us: UnitSchedule, pos: float) -> float:
    """Planned time the unit's tail reaches ``pos`` [m from the start point]."""
    assert us.trajectory is not None
    return float(us.trajectory.arrive(pos + us.length_m))


def _opt(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)


def _nanmean(xs: FloatArray) -> float:
    xs = xs[np.isfinite(xs)]
    return float(xs.mean()) if xs.size else float("nan")


def _nansd(xs: FloatArray) -> float:
    xs = xs[np.isfinite(xs)]
    return float(xs.std(ddof=1)) if xs.size > 1 else float("nan")
