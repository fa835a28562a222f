"""Convergence of the simulation's time step: error at the reviewing stand against dt = 0.01 s.

For every shipped example plan, one run without noise (no delays, planned
speeds, planned stop durations) at each step size; per ground unit, the
time its head passes the reviewing stand is compared with the run at the
reference step. Prints, per plan and step, the largest and the 95th
percentile (over units) of that error, and the wall time of --runs runs
(identical, since there is no noise: what a Monte Carlo of that size costs;
the kernel is compiled or loaded before any timing; median of --repeat) and
that cost relative to the default step, as a Markdown table for
docs/simulation.md.

``--per-unit`` prints instead, per plan and unit in order of march, the error
at the default step of its head passing the first checkpoint (its step-off)
and the stand: where a difference first appears and how it grows down the
column.

Usage: python benchmarks/bench_convergence.py [PLAN ...] [--steps 0.02 0.05 0.1 0.2 0.25 0.5]
       [--reference 0.01] [--repeat 3] [--runs 100] [--per-unit]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from paradeops.io.planfile import load_plan
from paradeops.model.plan import Plan
from paradeops.model.simulation_spec import SimulationSpec
from paradeops.simulation import SimulationResult, simulate
from paradeops.simulation.sampling import without_noise
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/plan.yaml"))
DEFAULT_STEP = float(SimulationSpec().step_s)


def _run(plan: Plan, sched: Schedule, step: float, runs: int = 1) -> tuple[SimulationResult, float]:
    """``runs`` identical runs without noise (more than one only to time them)."""
    spec = without_noise(plan.simulation).model_copy(update={"step_s": Fraction(str(step))})
    t = time.perf_counter()
    result = simulate(plan, sched, runs, np.random.default_rng(0), spec=spec)
    return result, time.perf_counter() - t


def _at_stand(result: SimulationResult, stand: str) -> npt.NDArray[np.float64]:
    """Head passing time at the stand of every simulated unit, in order of march."""
    return np.array(
        [
            next(p.head.p50 for p in u.passes if p.checkpoint == stand)
            for u in result.units
            if u.simulated
        ]
    )


def _per_unit(plan: Plan, sched: Schedule, step: float, reference: float) -> None:
    """Per unit: error of its step-off (head at the first checkpoint) and at the stand."""
    start, stand = sched.checkpoints[0].id, sched.reviewing.id
    got, ref = _run(plan, sched, step)[0], _run(plan, sched, reference)[0]
    names = [u.id for u in got.units if u.simulated]
    off = _at_stand(got, start) - _at_stand(ref, start)
    at = _at_stand(got, stand) - _at_stand(ref, stand)
    print(f"step {step:g} s against {reference:g} s: unit, step-off error, error at {stand} [s]")
    for name, e0, e1 in zip(names, off, at, strict=True):
        print(f"  {name:40s} {e0:+.3f} {e1:+.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plans", nargs="*", type=Path, default=EXAMPLES)
    ap.add_argument("--steps", nargs="+", type=float, default=[0.02, 0.05, 0.1, 0.2, 0.25, 0.5])
    ap.add_argument("--reference", type=float, default=0.01)
    ap.add_argument("--repeat", type=int, default=3, help="wall time: median of this many")
    ap.add_argument("--runs", type=int, default=100, help="runs per timed simulation")
    ap.add_argument("--per-unit", action="store_true", help="errors per unit at the default step")
    args = ap.parse_args()
    if args.per_unit:
        for path in args.plans:
            plan = load_plan(path)
            print(path.parent.name)
            _per_unit(plan, schedule(plan), DEFAULT_STEP, args.reference)
        return
    print(f"load {os.getloadavg()[0]:.2f}; reference step {args.reference} s; no noise, one run")
    print()
    print(f"| plan | step [s] | max error [s] | P95 error [s] | wall, {args.runs} runs [s] "
          f"| × wall at {DEFAULT_STEP:g} s |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for path in args.plans:
        plan = load_plan(path)
        sched = schedule(plan)
        stand = sched.reviewing.id
        _run(plan, sched, DEFAULT_STEP)  # compile or load the kernel outside the timing
        ref = _at_stand(_run(plan, sched, args.reference)[0], stand)
        rows = []
        for step in args.steps:
            walls = []
            for _ in range(args.repeat):
                result, wall = _run(plan, sched, step, args.runs)
                walls.append(wall)
            err = np.abs(_at_stand(result, stand) - ref)
            rows.append((step, float(np.max(err)), float(np.percentile(err, 95)),
                         statistics.median(walls)))  # fmt: skip
        base = next((w for s, _, _, w in rows if s == DEFAULT_STEP), float("nan"))
        name = path.parent.name
        for step, worst, p95, wall in rows:
            print(f"| {name} | {step:g} | {worst:.3f} | {p95:.3f} | {wall:.3f} | "
                  f"{wall / base:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
