"""Measured rehearsal times against the plan, and calibration from them.

A *run* is one rehearsal's measurements: per unit and checkpoint, the times
its head and its tail passed [s from that run's reference time, which plays
the part of ``parade.start``]. The adapter (:mod:`paradeops.io.rehearsal_csv`)
reads them from CSV.

Calibration (docs/composition.md, "How calibration fits"), per ground unit,
by least squares over every run at once (NumPy, vectorised over units):

- **Speed.** Per unit and run, measured head at checkpoint k = a + beta·z_k,
  z_k the *planned* time from the unit's planned step-off to its head at k
  (the plan's shape is the regressor, so speed limits and show stops do not
  bias the fit). The speed factor is 1/beta; the fitted speed is the planned
  free speed times its mean over runs.
- **Step-off delay.** ``a`` is the measured step-off. For a unit that steps
  off behind the one ahead (no ``step_off``/``target``, not first), the
  engine releases it when the leader's tail is ``gap_m`` past the start
  point, measured from the leader's tail times (same beta); the delay is how
  much later the unit started, minus the same figure in the plan. For the
  first unit and units with fixed times it is ``a`` minus the planned step-off.
- **Gap.** The gap that makes the engine reproduce the mean step-off delay:
  ``gap_m + delay × v_lead`` (``v_lead`` the leader's fitted speed).

The figures aggregate into distribution parameters for the simulation: mean
and standard deviation of step-off delays (every unit and run but the first
unit, whose head defines the reference when no start time is given) and of
speed factors (over units).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from paradeops.model.plan import (
    AircraftUnit,
    BandUnit,
    FootUnit,
    MountedUnit,
    Plan,
    Unit,
)
from paradeops.model.units import length_m, speed_ms
from paradeops.timing.envelope import free_flow, limits_on_head
from paradeops.timing.schedule import FloatArray, Schedule, Trajectory, UnitSchedule

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Measured:
    unit: str
    checkpoint: str
    head: float | None
    tail: float | None
    row: int | None = None  # line in the source file


@dataclass(frozen=True)
class Run:
    name: str
    rows: tuple[Measured, ...]
    #: The reference is the first unit's measured head at the first checkpoint.
    reference_from_first: bool = True


@dataclass(frozen=True)
class PassComparison:
    checkpoint: str
    planned_head: float
    planned_tail: float
    head: float | None
    tail: float | None

    @property
    def delay_s(self) -> float | None:
        return None if self.head is None else self.head - self.planned_head

    @property
    def pass_error_s(self) -> float | None:
        """Measured pass time (head to tail) minus the planned one."""
        if self.head is None or self.tail is None:
            return None
        return (self.tail - self.head) - (self.planned_tail - self.planned_head)


@dataclass(frozen=True)
class UnitComparison:
    run: str
    unit: str
    passes: tuple[PassComparison, ...]

    @property
    def mean_delay_s(self) -> float | None:
        return _mean([p.delay_s for p in self.passes])

    @property
    def mean_pass_error_s(self) -> float | None:
        return _mean([p.pass_error_s for p in self.passes])


def _mean(xs: Sequence[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def compare(schedule: Schedule, run: Run) -> tuple[UnitComparison, ...]:
    """Per unit (in order of march), each measured pass against the plan."""
    rows: dict[str, list[Measured]] = {}
    for m in run.rows:
        rows.setdefault(m.unit, []).append(m)
    order = {c.id: i for i, c in enumerate(schedule.checkpoints)}
    out = []
    for us in schedule.units:
        if us.id not in rows:
            continue
        passes = []
        for m in sorted(rows[us.id], key=lambda m: order.get(m.checkpoint, 0)):
            p = us.at(m.checkpoint)
            if p is None:
                continue
            passes.append(PassComparison(m.checkpoint, p.head, p.tail, m.head, m.tail))
        out.append(UnitComparison(run.name, us.id, tuple(passes)))
    return tuple(out)


#: A follower whose head is within ``min_gap_m`` + this of the leader's tail
#: at a checkpoint is taken as held there: its time is the leader's, not its
#: own [m]. Reading noise of 0.3 s is 1.5 m at 18 km/h; a free follower that
#: is closing up is only mistaken for a held one in its last metres.
HELD_MARGIN_M = 3.0
#: A speed limit governs a unit that could reach it: one below the unit's
#: planned speed times this (rehearsals run up to some per cent fast).
LIMIT_MARGIN = 1.2

ConstraintKind = Literal["held", "speed_limit"]


@dataclass(frozen=True)
class Constraint:
    """Why some of a unit's measured times are not its own: they are left out of its fit."""

    kind: ConstraintKind
    #: The first checkpoint whose measured head time it governs.
    checkpoint: str
    runs: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class UnitFit:
    unit: str
    kind: str
    runs: int  # runs with a speed measured on a free stretch
    planned_speed_kmh: float
    speed_factor: float | None
    fitted_speed_kmh: float | None
    #: For formations marching by cadence: the pace that gives the fitted speed.
    fitted_pace_m: float | None
    step_off_delay_s: float | None  # mean over runs
    step_off_delay_sd: float | None
    gap_driven: bool
    planned_gap_m: float | None
    fitted_gap_m: float | None
    residual_s: float | None  # RMS of the head fit on the free stretches
    #: Holds and speed limits that governed some measured times (left out of the fit).
    constraints: tuple[Constraint, ...] = ()
    #: Figures that could not be measured, each with its reason.
    left_out: tuple[str, ...] = ()

    @property
    def constrained(self) -> bool:
        return bool(self.constraints)


@dataclass(frozen=True)
class Distribution:
    mean: float | None
    sd: float | None
    n: int


@dataclass(frozen=True)
class Calibration:
    runs: tuple[str, ...]
    units: tuple[UnitFit, ...]
    step_off_delay_s: Distribution
    speed_factor: Distribution


def _dist(xs: FloatArray) -> Distribution:
    xs = xs[np.isfinite(xs)]
    n = int(xs.size)
    if n == 0:
        return Distribution(None, None, 0)
    return Distribution(float(xs.mean()), float(xs.std(ddof=1)) if n > 1 else None, n)


@dataclass(frozen=True)
class _Shape:
    """A unit's free motion by the plan, and which stretches show it."""

    free: Trajectory  # F(x): free travel time of the head from the start [s]
    length: float
    head_z: FloatArray  # F(x_k)
    tail_z: FloatArray  # F(x_k + length): the tail at x_k is the head at x_k + length
    #: Per stretch k -> k+1: no speed limit the unit could reach, no show stop.
    free_stretch: BoolArray
    limits: tuple[Constraint, ...]


@dataclass(frozen=True)
class _RunFit:
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
    shapes = [_shape(plan, schedule, u, x) for u in ground]
    min_gap = plan.defaults.min_gap_m
    nr, nu = len(runs), len(ids)
    held = np.zeros(heads.shape, dtype=bool)
    for j in range(1, nu):
        for r in range(nr):
            held[r, j] = _held(heads[r, j], tails[r, j - 1], x, min_gap, speed_ms(ground[j - 1]))
    labels = [[_blocks(shapes[j].free_stretch, held[r, j]) for j in range(nu)] for r in range(nr)]
    beta = np.array(
        [[_beta(heads[r, j], shapes[j].head_z, labels[r][j]) for j in range(nu)] for r in range(nr)]
    ).reshape(nr, nu)
    with np.errstate(invalid="ignore"):
        mean_beta = np.array([_nanmean(beta[:, j]) for j in range(nu)])
    fits = [
        [
            _run_fit(heads[r, j], tails[r, j], shapes[j], labels[r][j], x, beta[r, j], mean_beta[j])
            for j in range(nu)
        ]
        for r in range(nr)
    ]
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
            _held_constraints(runs, ids, cps, held, j),
        )
        for j, u in enumerate(ground)
    )
    keep = np.ones((nr, nu), dtype=bool)
    for r, run in enumerate(runs):
        if run.reference_from_first and nu:
            keep[r, 0] = False
    return Calibration(
        runs=tuple(r.name for r in runs),
        units=units,
        step_off_delay_s=_dist(np.where(keep, delay, np.nan).ravel()),
        speed_factor=_dist((1.0 / beta).ravel()),
    )


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


def _shape(plan: Plan, schedule: Schedule, unit: Unit, x: FloatArray) -> _Shape:
    """The unit's free travel by the plan (limits and its show stop, no holds)."""
    length, speed = length_m(unit), speed_ms(unit)
    stop = None
    pos = {c.id: c.at_m for c in schedule.checkpoints}
    if unit.show_stop is not None:
        stop = (pos[unit.show_stop.at], unit.show_stop.duration_s)
    limits = limits_on_head(schedule.speed_limits, length)
    free = free_flow(speed, float(x[-1]) + length + 1.0, limits, stop)
    free_stretch = np.ones(max(len(x) - 1, 0), dtype=bool)
    if stop is not None:
        free_stretch &= ~np.isclose(x[:-1], stop[0])  # the stop's length is the day's
    found: list[Constraint] = []
    for (lo, hi, vmax), spec in zip(limits, plan.route.speed_limits, strict=True):
        if vmax >= speed * LIMIT_MARGIN:
            continue
        governed = (x[:-1] < hi) & (x[1:] > lo)
        if not governed.any():
            continue
        free_stretch &= ~governed
        stretches = np.nonzero(governed)[0]
        cp = schedule.checkpoints
        found.append(
            Constraint(
                "speed_limit",
                cp[int(stretches[0]) + 1].id,
                (),
                f"{spec.max_kmh:g} km/h limit from {spec.from_} to {spec.to} "
                f"(planned {speed * 3.6:.4g} km/h): its speed from {cp[int(stretches[0])].id} "
                f"to {cp[int(stretches[-1]) + 1].id} is the limit's",
            )
        )
    return _Shape(
        free,
        length,
        free.arrive(x),
        free.arrive(x + length),
        free_stretch,
        tuple(found),
    )


def _held(
    head: FloatArray, lead_tail: FloatArray, x: FloatArray, min_gap: float, lead_speed: float
) -> BoolArray:
    """Checkpoints where the head came within ``min_gap`` (+ margin) of the leader's tail.

    The road between them is the time since the leader's tail passed times
    that tail's measured speed there (the next stretch, else the one before,
    else the leader's planned speed). Unknown where either time is missing.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        stretch = np.diff(x) / np.diff(lead_tail)
    after = np.concatenate((stretch, [np.nan]))
    before = np.concatenate(([np.nan], stretch))
    v = np.where(np.isfinite(after), after, np.where(np.isfinite(before), before, lead_speed))
    road = v * (head - lead_tail)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.isfinite(road) & (road < min_gap + HELD_MARGIN_M))


def _blocks(free_stretch: BoolArray, held: BoolArray) -> IntArray:
    """Checkpoints joined by free stretches, numbered from the start; -1 where held.

    Within a block the head moves freely, so its times lie on one line
    a + beta * F(x); across a held or limited stretch the offset a changes.
    """
    labels = np.full(len(held), -1, dtype=np.int64)
    block = -1
    for k in range(len(held)):
        if held[k]:
            continue
        joined = k > 0 and labels[k - 1] >= 0 and bool(free_stretch[k - 1])
        if not joined:
            block += 1
        labels[k] = block
    return labels


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
    shape: _Shape,
    labels: IntArray,
    x: FloatArray,
    beta: float,
    unit_beta: float,
) -> _RunFit:
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
    return _RunFit(beta, step_off, tail_step_off, reach, sse, max(dof, 0))


def _delays_and_gaps(
    plan: Plan,
    ground: Sequence[Unit],
    shapes: Sequence[_Shape],
    fits: Sequence[Sequence[_RunFit]],
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
            g = _gap(plan, u)
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


def _held_constraints(
    runs: Sequence[Run], ids: list[str], cps: list[str], held: BoolArray, j: int
) -> tuple[Constraint, ...]:
    """One constraint per first held checkpoint, with the runs it happened in."""
    first: dict[int, list[str]] = {}
    for r, run in enumerate(runs):
        where = np.nonzero(held[r, j])[0]
        if len(where):
            first.setdefault(int(where[0]), []).append(run.name)
    return tuple(
        Constraint(
            "held",
            cps[k],
            tuple(names),
            f"held behind {ids[j - 1]} from {cps[k]} in {', '.join(names)}: "
            f"its times there are {ids[j - 1]}'s",
        )
        for k, names in sorted(first.items())
    )


def _unit_fit(
    plan: Plan,
    u: Unit,
    j: int,
    shape: _Shape,
    fits: Sequence[_RunFit],
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
        planned_gap_m=_gap(plan, u) if driven else None,
        fitted_gap_m=None if fitted_gap is None else max(fitted_gap, 0.0),
        residual_s=rms,
        constraints=held + shape.limits,
        left_out=_left_out(fits, delay, fitted_gap, driven, factor),
    )


def _left_out(
    fits: Sequence[_RunFit],
    delay: FloatArray,
    fitted_gap: float | None,
    driven: bool,
    factor: float | None,
) -> tuple[str, ...]:
    """Why figures are missing: never a constrained value in their place."""
    out = []
    held_at_start = any(np.isnan(f.reach_m) for f in fits)
    if factor is None:
        out.append("speed: no two head times on a stretch it moved freely")
    if not np.isfinite(delay).any():
        if held_at_start:
            out.append("step-off: held at the start by the unit ahead")
        elif driven:
            out.append("step-off: the unit ahead's tail was not seen moving freely to the gap")
        else:
            out.append("step-off: no head time at the start's free stretch")
    if driven and fitted_gap is None:
        out.append("gap: the unit ahead's tail was not seen moving freely that far")
    return tuple(out)


def _tail_at(us: UnitSchedule, pos: float) -> float:
    """Planned time the unit's tail reaches ``pos`` [m from the start point]."""
    assert us.trajectory is not None
    return float(us.trajectory.arrive(pos + us.length_m))


def _gap(plan: Plan, unit: Unit) -> float:
    return plan.defaults.gap_m if unit.gap_m is None else unit.gap_m


def _opt(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)


def _nanmean(xs: FloatArray) -> float:
    xs = xs[np.isfinite(xs)]
    return float(xs.mean()) if xs.size else float("nan")


def _nansd(xs: FloatArray) -> float:
    xs = xs[np.isfinite(xs)]
    return float(xs.std(ddof=1)) if xs.size > 1 else float("nan")
