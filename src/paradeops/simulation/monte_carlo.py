"""Monte Carlo over the microscopic model: runs × agents at once.

:func:`simulate` samples every run's deviations (step-off delays, speed
factors, show-stop overruns) from one generator, runs the compiled kernel on
chunks of runs (so memory stays bounded and a progress callback can tick),
keeps per run only the passing times at the checkpoints (and, for a small
subsample, at an even grid for the fan chart), and reduces them to
percentiles and probabilities.

The same steps are open to a caller that decides batch by batch whether to go
on (``simulate --time-budget``: the clock stays in the CLI): :func:`prepare`
draws for every run up to a cap, :func:`run_batch` (or
:func:`simulate_batches`) runs some of them, :func:`merge` joins the batches
and :func:`summarise` reduces them. Runs 1..n are the same whatever the batch
sizes, so stopping after n runs gives what ``simulate`` gives for n runs of
the same draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.errors import UserError
from paradeops.model.plan import AircraftUnit, Plan
from paradeops.model.simulation_spec import SimulationSpec
from paradeops.simulation.agents import Layout, build
from paradeops.simulation.idm import run_chunk
from paradeops.simulation.kernel_data import RULE_TIME, Clock, Draws, Motion, Outcomes, Record
from paradeops.simulation.results import (
    FanLine,
    GapStats,
    PassStats,
    Percentiles,
    SimulationResult,
    UnitStats,
    WindowStats,
)
from paradeops.simulation.sampling import Samples, check_overrides, draw
from paradeops.timing.schedule import Schedule

FloatArray = npt.NDArray[np.float64]

#: Runs simulated per kernel call.
CHUNK = 100
#: Runs whose head trajectories are kept for the fan chart.
FAN_RUNS = 30


@dataclass(frozen=True)
class Raw:
    """The kernel's output for some runs."""

    head_t: FloatArray  # [runs, units, probes]
    tail_t: FloatArray  # [runs, units, probes]
    gap_m: FloatArray  # [runs, units]
    updates: npt.NDArray[np.int64]  # [runs]
    finished: npt.NDArray[np.bool_]  # [runs]


def run(
    layout: Layout,
    vdes: FloatArray,
    delay: FloatArray,
    stop_dur: FloatArray,
    *,
    dt: float,
    t_start: float,
    t_end: float,
    shortcuts: bool = True,
    fast_step: bool = True,
) -> Raw:
    """Simulate ``len(vdes)`` runs of ``layout`` from ``t_start`` to at most ``t_end``.

    ``vdes``, ``delay`` and ``stop_dur`` are ``[runs, units]`` (ghosts
    included): each unit's desired speed, step-off delay, show-stop duration.
    ``shortcuts=False`` runs the full model (no unit cruises in one move);
    ``fast_step=False`` the full step for every unit-step (the same results).
    """
    runs = vdes.shape[0]
    n_u, n_p = layout.n_units, len(layout.probes)
    draws = Draws(
        release_t=_release_times(layout, delay),
        speed=np.ascontiguousarray(vdes, np.float64),
        delay=np.ascontiguousarray(delay, np.float64),
        stop_s=np.ascontiguousarray(stop_dur, np.float64),
    )
    x = np.tile(layout.a_x0, (runs, 1))
    motion = Motion(x=x, v=np.zeros_like(x))
    record = Record(
        head_t=np.full((runs, n_u, n_p), np.nan),
        tail_t=np.full((runs, n_u, n_p), np.nan),
        gap_m=np.full((runs, n_u), np.nan),
    )
    outcomes = Outcomes(updates=np.zeros(runs, np.int64), finished=np.zeros(runs, np.bool_))
    clock = Clock(
        t0=float(t_start),
        dt=float(dt),
        n_steps=max(1, math.ceil((t_end - t_start) / dt)),
        shortcuts=shortcuts,
        fast_step=fast_step,
    )
    run_chunk(
        layout.agents(), layout.units(), layout.route(), clock, motion, draws, record, outcomes
    )
    return Raw(record.head_t, record.tail_t, record.gap_m, outcomes.updates, outcomes.finished)


def _release_times(layout: Layout, delay: FloatArray) -> FloatArray:
    """``[runs, units]`` step-off times: planned + delay for clock-timed units, their
    unit's for ghosts, inf for units that wait for a gap to open."""
    t_rel = np.full((delay.shape[0], layout.n_units), np.inf)
    timed = layout.u_rule == RULE_TIME
    t_rel[:, timed] = layout.u_t_plan[timed] + delay[:, timed]
    if len(layout.ghost):
        t_rel[:, layout.ghost] = t_rel[:, layout.real]
    return t_rel


def _unit_inputs(layout: Layout, s: Samples) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``[runs, units]`` inputs: the real units' samples, copied to their ghosts."""
    real = layout.real
    vdes = layout.u_speed[real] * s.speed_factor
    stop = np.maximum(0.0, layout.u_stop_s[real] + s.show_stop_overrun_s)
    out = []
    for a in (vdes, s.step_off_delay_s, stop):
        full = np.zeros((a.shape[0], layout.n_units))
        full[:, real] = a
        full[:, layout.ghost] = a
        out.append(full)
    return out[0], out[1], out[2]


@dataclass(frozen=True)
class Setup:
    """Everything a batch of runs needs, drawn up front for every run up to the cap.

    The draws are made for ``runs_cap`` runs at once (as :func:`simulate` always
    made them), so run *i* is the same run whatever the batch sizes; a run of the
    same seed with another cap draws other (equally distributed) runs.
    """

    plan: Plan
    sched: Schedule
    spec: SimulationSpec
    layout: Layout
    vdes: FloatArray  # [cap, units]
    delay: FloatArray  # [cap, units]
    stop: FloatArray  # [cap, units]
    t_start: float
    t_end: float
    seed: int | None
    fan_runs: int
    shortcuts: bool = True  # False: the full model (tests compare the two)

    @property
    def runs_cap(self) -> int:
        return int(self.vdes.shape[0])


@dataclass(frozen=True)
class Runs:
    """What is kept of some consecutive runs (in run order), before reduction."""

    head: FloatArray  # [runs, real units, checkpoints]
    tail: FloatArray  # [runs, real units, checkpoints]
    free: FloatArray  # [runs, real units] free-flow head time at the stand
    gaps: FloatArray  # [runs, real units]
    fan: FloatArray  # [<= fan_runs, real units, probes]
    updates: int
    unfinished: int

    @property
    def n(self) -> int:
        return int(self.head.shape[0])


def prepare(
    plan: Plan,
    sched: Schedule,
    runs_cap: int,
    rng: np.random.Generator,
    *,
    seed: int | None = None,
    spec: SimulationSpec | None = None,
    fan_runs: int = FAN_RUNS,
    shortcuts: bool = True,
) -> Setup:
    """The layout and every run's draws, for at most ``runs_cap`` runs."""
    if runs_cap < 1:
        raise ValueError("runs must be at least 1")
    spec = spec or plan.simulation
    check_overrides(plan)
    layout = build(plan, sched, spec)
    samples = draw(spec, layout.unit_ids, runs_cap, rng)
    vdes, delay, stop = _unit_inputs(layout, samples)
    t_start, t_end = _horizon(layout, sched, delay, stop)
    _check_span(t_start, t_end, spec.step_s)
    return Setup(plan, sched, spec, layout, vdes, delay, stop, t_start, t_end, seed, fan_runs,
                 shortcuts)  # fmt: skip


def warm(setup: Setup) -> None:
    """Compile (or load from Numba's cache) the kernel with one step of one run.

    Lets a caller that times batches keep the compile time out of its figures.
    """
    dt = setup.spec.step_s
    one = slice(0, 1)
    run(setup.layout, setup.vdes[one], setup.delay[one], setup.stop[one], dt=dt,
        t_start=setup.t_start, t_end=setup.t_start + dt, shortcuts=setup.shortcuts)  # fmt: skip


def run_batch(setup: Setup, lo: int, hi: int) -> Runs:
    """Runs ``lo`` to ``hi - 1`` (of the cap's draws); the fan keeps those below ``fan_runs``."""
    if not 0 <= lo < hi <= setup.runs_cap:
        raise ValueError(f"runs {lo}..{hi} are outside 0..{setup.runs_cap}")
    layout = setup.layout
    raw = run(layout, setup.vdes[lo:hi], setup.delay[lo:hi], setup.stop[lo:hi],
              dt=setup.spec.step_s, t_start=setup.t_start, t_end=setup.t_end,
              shortcuts=setup.shortcuts)  # fmt: skip
    real_t = raw.head_t[:, layout.real]
    return Runs(
        head=real_t[:, :, layout.cp_probe],
        tail=raw.tail_t[:, layout.real][:, :, layout.cp_probe],
        free=raw.head_t[:, layout.ghost, layout.p_stand],
        gaps=raw.gap_m[:, layout.real],
        fan=real_t[: max(0, setup.fan_runs - lo)],
        updates=int(raw.updates.sum()),
        unfinished=int((~raw.finished).sum()),
    )


def merge(parts: Sequence[Runs], fan_runs: int = FAN_RUNS) -> Runs:
    """The runs of ``parts``, one after the other (the fan keeps the first ``fan_runs``).

    One concatenation for them all: merging batch by batch would copy the runs
    done over and over.
    """
    if not parts:
        raise ValueError("nothing to merge")

    def joined(name: str) -> FloatArray:
        return np.concatenate([getattr(p, name) for p in parts])

    return Runs(
        head=joined("head"),
        tail=joined("tail"),
        free=joined("free"),
        gaps=joined("gaps"),
        fan=joined("fan")[:fan_runs],
        updates=sum(p.updates for p in parts),
        unfinished=sum(p.unfinished for p in parts),
    )


def simulate_batches(setup: Setup, batch_runs: int = CHUNK) -> Iterator[Runs]:
    """Every run up to the cap, ``batch_runs`` at a time: a caller stops early by
    no longer asking (:func:`run_batch` takes any sizes, batch by batch)."""
    if batch_runs < 1:
        raise ValueError("batch_runs must be at least 1")
    for lo in range(0, setup.runs_cap, batch_runs):
        yield run_batch(setup, lo, min(setup.runs_cap, lo + batch_runs))


def summarise(setup: Setup, runs: Runs) -> SimulationResult:
    """Percentiles and probabilities over ``runs`` (the first ``runs.n`` of the cap)."""
    return _reduce(setup.plan, setup.sched, setup.spec, setup.layout,
                   runs.head, runs.tail, runs.free, runs.gaps, runs.fan,
                   seed=setup.seed, dt=setup.spec.step_s,
                   updates=runs.updates, unfinished=runs.unfinished)  # fmt: skip


def simulate(
    plan: Plan,
    sched: Schedule,
    runs: int,
    rng: np.random.Generator,
    *,
    seed: int | None = None,
    spec: SimulationSpec | None = None,
    chunk: int = CHUNK,
    fan_runs: int = FAN_RUNS,
    progress: Callable[[int], None] | None = None,
    shortcuts: bool = True,
) -> SimulationResult:
    """``runs`` Monte Carlo runs of ``plan`` (whose deterministic schedule is ``sched``).

    ``progress`` is called with the number of runs just finished, chunk by chunk;
    ``shortcuts=False`` runs the full model (every agent every step).
    """
    setup = prepare(plan, sched, runs, rng, seed=seed, spec=spec, fan_runs=fan_runs,
                    shortcuts=shortcuts)  # fmt: skip
    parts = []
    for batch in simulate_batches(setup, chunk):
        parts.append(batch)
        if progress is not None:
            progress(batch.n)
    return summarise(setup, merge(parts, fan_runs))


#: The longest stretch of parade day a run may simulate [s]: beyond it a
#: plan's draws (a step-off delay of years) or a crawl of a speed limit
#: would keep a run going for hours of computing, or forever.
MAX_SPAN_S = 48 * 3600.0
#: ... and the most steps of ``step_s`` it may take (48 h at the default 0.05 s).
MAX_STEPS = 3_500_000


def _check_span(t_start: float, t_end: float, dt: float) -> None:
    """A UserError before any run if the runs would span more than :data:`MAX_SPAN_S`
    or take more than :data:`MAX_STEPS` steps."""
    span = t_end - t_start
    if not math.isfinite(span) or span > MAX_SPAN_S:
        said = "an endless time" if not math.isfinite(span) else f"{span / 3600:,.0f} h"
        raise UserError(
            f"the runs would have to cover {said} (from the first step-off to the last "
            f"tail with the drawn delays and overruns): more than {MAX_SPAN_S / 3600:.0f} h",
            field="simulation",
            hint="check simulation.step_off_delay_s and show_stop_overrun_s (and their "
            "overrides), and the plan's speed limits and speeds",
        )
    if span / dt > MAX_STEPS:
        raise UserError(
            f"the runs would take {span / dt:,.0f} steps of {dt:g} s "
            f"({span / 3600:,.1f} h): more than {MAX_STEPS:,}",
            field="simulation.step_s",
            hint="a longer step (the default is 0.05 s)",
        )


def _horizon(
    layout: Layout, sched: Schedule, delay: FloatArray, stop: FloatArray
) -> tuple[float, float]:
    """From just before the earliest step-off to well after the planned end."""
    timed = layout.u_rule == RULE_TIME
    earliest = float(np.min(layout.u_t_plan[timed] + delay[:, timed].min(axis=0)))
    t_start = min(0.0, earliest) - 1.0
    ground_tails = [p.tail for u in sched.units if u.trajectory is not None for p in u.passes]
    planned_end = max(ground_tails)
    slack = float(np.sum(np.maximum(delay, 0).max(axis=0)) + np.sum(stop.max(axis=0)))
    return t_start, planned_end + 0.5 * (planned_end - t_start) + slack + 900.0


def _reduce(
    plan: Plan,
    sched: Schedule,
    spec: SimulationSpec,
    layout: Layout,
    head: FloatArray,
    tail: FloatArray,
    free: FloatArray,
    gaps: FloatArray,
    fan: FloatArray,
    *,
    seed: int | None,
    dt: float,
    updates: int,
    unfinished: int,
) -> SimulationResult:
    runs = head.shape[0]
    stand = next(i for i, c in enumerate(sched.checkpoints) if c.reviewing)
    at_stand = head[:, :, stand]
    held = (at_stand - free > spec.held_threshold_s) | ~np.isfinite(at_stand)
    units = _unit_stats(plan, sched, layout, head, tail, held)
    gap_stats = _gap_stats(plan, sched, layout, gaps, stand)
    window = _window(sched, tail, stand)
    fan_lines = tuple(
        FanLine(uid, np.ascontiguousarray(fan[:, j, :]), layout.probes.copy())
        for j, uid in enumerate(layout.unit_ids)
    )
    return SimulationResult(
        runs=runs,
        seed=seed,
        step_s=dt,
        window=window,
        units=tuple(units),
        gaps=gap_stats,
        fan=fan_lines,
        agent_updates=updates,
        unfinished_runs=unfinished,
    )


def _unit_stats(
    plan: Plan, sched: Schedule, layout: Layout, head: FloatArray, tail: FloatArray,
    held: npt.NDArray[np.bool_],
) -> tuple[UnitStats, ...]:  # fmt: skip
    """Per unit in the plan's order: passing-time percentiles at every checkpoint
    and P(held); an aircraft's planned passes, carried through."""
    cps = sched.checkpoints
    index = {uid: j for j, uid in enumerate(layout.unit_ids)}
    units: list[UnitStats] = []
    for u in plan.units:
        if isinstance(u, AircraftUnit):
            us = next(s for s in sched.units if s.id == u.id)
            passes = tuple(
                PassStats(p.checkpoint, Percentiles(p.head, p.head, p.head),
                          Percentiles(p.tail, p.tail, p.tail))
                for p in us.passes
            )  # fmt: skip
            units.append(UnitStats(u.id, u.kind, 0.0, passes, simulated=False))
            continue
        j = index[u.id]
        passes = tuple(
            PassStats(c.id, Percentiles.of(head[:, j, k]), Percentiles.of(tail[:, j, k]))
            for k, c in enumerate(cps)
        )
        units.append(UnitStats(u.id, u.kind, float(held[:, j].mean()), passes))
    return tuple(units)


def _gap_stats(
    plan: Plan, sched: Schedule, layout: Layout, gaps: FloatArray, stand: int
) -> tuple[GapStats, ...]:
    """Per pair of units: the road empty ahead of the follower at the stand."""
    limit = plan.defaults.max_gap_m
    return tuple(
        GapStats(
            unit=layout.unit_ids[j],
            ahead=layout.unit_ids[j - 1],
            checkpoint=sched.checkpoints[stand].id,
            probability=0.0 if limit is None else float(np.mean(gaps[:, j] > limit)),
            gap_m=Percentiles.of(gaps[:, j]),
        )
        for j in range(1, layout.n_real)
    )


def _window(sched: Schedule, tail: FloatArray, stand: int) -> WindowStats:
    """The last tail at the stand, and how often it is late (or never gets there)."""
    last = tail[:, :, stand].max(axis=1)  # NaN if any unit never got there
    late = ~np.isfinite(last)
    if sched.window_end is not None:
        late |= last > sched.window_end
    return WindowStats(sched.window_end, float(late.mean()), Percentiles.of(last))
