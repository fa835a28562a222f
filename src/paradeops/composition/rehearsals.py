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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paradeops.model.plan import (
    AircraftUnit,
    BandUnit,
    FootUnit,
    MountedUnit,
    Plan,
    Unit,
)
from paradeops.model.units import speed_ms
from paradeops.timing.schedule import FloatArray, Schedule, UnitSchedule


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


@dataclass(frozen=True)
class UnitFit:
    unit: str
    kind: str
    runs: int  # runs with at least two head times
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
    residual_s: float | None  # RMS of the head fit


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


def calibrate(plan: Plan, schedule: Schedule, runs: Sequence[Run]) -> Calibration:
    """Fitted speed, step-off delay and gap per ground unit, and their distributions."""
    ground: list[tuple[int, Unit]] = [
        (i, u) for i, u in enumerate(plan.units) if not isinstance(u, AircraftUnit)
    ]
    ids = [u.id for _, u in ground]
    uix = {uid: j for j, uid in enumerate(ids)}
    cps = [c.id for c in schedule.checkpoints]
    cix = {c: k for k, c in enumerate(cps)}
    nr, nu, nk = len(runs), len(ids), len(cps)

    heads = np.full((nr, nu, nk), np.nan)
    tails = np.full((nr, nu, nk), np.nan)
    for r, run in enumerate(runs):
        for m in run.rows:
            j, k = uix.get(m.unit), cix.get(m.checkpoint)
            if j is None or k is None:
                continue
            if m.head is not None:
                heads[r, j, k] = m.head
            if m.tail is not None:
                tails[r, j, k] = m.tail
    by_id = {u.id: u for u in schedule.units}
    p_head = np.array([[p.head for p in by_id[uid].passes] for uid in ids]).reshape(nu, nk)
    p_tail = np.array([[p.tail for p in by_id[uid].passes] for uid in ids]).reshape(nu, nk)

    # Head times against the plan's: per unit and run, measured head at
    # checkpoint k = a + beta * z_k, where z_k is the planned time from the
    # unit's planned step-off to its head at k. The plan's shape (speed
    # limits, show stops) is the regressor, so it does not bias the fit;
    # 1/beta is the speed factor, a the measured step-off.
    z = p_head - p_head[:, :1]  # (u, k)
    mask = np.isfinite(heads)
    w = mask.astype(float)
    n = w.sum(axis=2)  # (r, u)
    nz = np.where(n > 0, n, 1.0)
    zb = (w * z[None]).sum(axis=2) / nz
    hb = np.where(mask, heads, 0.0).sum(axis=2) / nz
    dz = np.where(mask, z[None] - zb[..., None], 0.0)
    szz = (dz * dz).sum(axis=2)  # (r, u)
    ok = szz > 1e-9
    dh = np.where(mask, heads - hb[..., None], 0.0)
    beta = np.where(ok, (dz * dh).sum(axis=2) / np.where(ok, szz, 1.0), np.nan)
    a = hb - beta * zb  # (r, u): measured step-off (head at the start point)
    a_plan = np.broadcast_to(p_head[:, 0], a.shape)
    resid = np.where(mask, heads - (a[..., None] + beta[..., None] * z[None]), 0.0)
    dof = (np.where(ok, n - 2, 0)).sum(axis=0)
    sse = np.where(ok[..., None], resid**2, 0.0).sum(axis=(0, 2))
    rms = np.where(dof > 0, np.sqrt(sse / np.maximum(dof, 1)), np.nan)

    # Tail times with the same beta: measured tail at the start point.
    zt = p_tail - p_tail[:, :1]
    tmask = np.isfinite(tails)
    tn = np.maximum(tmask.sum(axis=2), 1)
    t_off = np.where(tmask, tails - beta[..., None] * zt[None], 0.0).sum(axis=2) / tn
    at = np.where(tmask.any(axis=2), t_off, np.nan)

    run_factor = 1.0 / beta  # (r, u): measured speed / planned speed
    with np.errstate(invalid="ignore"):
        speed_factor = np.array([_nanmean(run_factor[:, j]) for j in range(nu)])
    planned_speed = np.array([speed_ms(u) for _, u in ground])
    gaps = np.array([_gap(plan, u) for _, u in ground])
    driven = np.array(
        [j > 0 and u.step_off is None and u.target is None for j, (_, u) in enumerate(ground)]
    )
    delay = a - a_plan  # fixed-time units: lateness of the line
    if nu > 1:
        # The engine releases a unit when the leader's tail is gap_m past the
        # start point: planned, and as measured (the leader's beta).
        rel_plan = np.array([_tail_at(by_id[ids[j]], gaps[j + 1]) for j in range(nu - 1)])  # (u-1,)
        release = at[:, :-1] + beta[:, :-1] * (rel_plan - p_tail[:-1, 0])
        rel_delay = (a[:, 1:] - release) - (a_plan[:, 1:] - rel_plan)
        delay[:, 1:] = np.where(driven[1:], rel_delay, delay[:, 1:])
    with np.errstate(invalid="ignore"):
        mean_delay = np.array([_nanmean(delay[:, j]) for j in range(nu)])
        sd_delay = np.array([_nansd(delay[:, j]) for j in range(nu)])
    fitted_speed = planned_speed * speed_factor
    lead_speed = np.concatenate([[np.nan], fitted_speed[:-1]]) if nu else np.array([])
    fitted_gap = np.where(driven, gaps + mean_delay * lead_speed, np.nan)

    fits = []
    for j, (_, u) in enumerate(ground):
        f = _opt(speed_factor[j])
        fitted = None if f is None else planned_speed[j] * f * 3.6
        pace = None
        if (
            isinstance(u, FootUnit | BandUnit | MountedUnit)
            and u.speed_kmh is None
            and u.cadence_spm is not None
            and fitted is not None
        ):
            pace = fitted / 3.6 * 60.0 / u.cadence_spm
        fits.append(
            UnitFit(
                unit=u.id,
                kind=u.kind,
                runs=int(ok[:, j].sum()),
                planned_speed_kmh=float(planned_speed[j] * 3.6),
                speed_factor=f,
                fitted_speed_kmh=fitted,
                fitted_pace_m=pace,
                step_off_delay_s=_opt(mean_delay[j]),
                step_off_delay_sd=_opt(sd_delay[j]),
                gap_driven=bool(driven[j]),
                planned_gap_m=float(gaps[j]) if driven[j] else None,
                fitted_gap_m=_opt(fitted_gap[j]),
                residual_s=_opt(rms[j]),
            )
        )
    keep = np.ones((nr, nu), dtype=bool)
    for r, run in enumerate(runs):
        if run.reference_from_first and nu:
            keep[r, 0] = False
    return Calibration(
        runs=tuple(r.name for r in runs),
        units=tuple(fits),
        step_off_delay_s=_dist(np.where(keep, delay, np.nan).ravel()),
        speed_factor=_dist(run_factor.ravel()),
    )


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
