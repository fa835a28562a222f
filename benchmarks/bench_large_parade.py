"""Benchmark: a Monte Carlo of a large parade, as ``paradeops simulate`` runs it.

The parade is :func:`paradeops.synthetic.rose_parade_plan` (fixed seed): floats,
bands, equestrian units and walking groups on a 9 km route. The plan is
scheduled, the kernel is loaded from Numba's cache (or compiled) by an untimed
one-step run, then ``--runs`` runs are simulated as the command does
(:func:`paradeops.simulation.simulate`, chunks of 100 on every core). Prints
the load, the CPU time, and one machine-readable line::

    units=N runs=R wall_s=X agent_updates_per_s=Y

``agent_updates_per_s`` counts agents on the road × time steps over all runs
(what the full model would compute; units the kernel advances in one move
count all their agents and steps), over the wall time.

Usage: python benchmarks/bench_large_parade.py [--units 100|300] [--runs 1000] [--seed 7]
       [--full]   (the full model, no shortcuts) [--step 0.05]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from paradeops.simulation import simulate
from paradeops.simulation.monte_carlo import prepare, warm
from paradeops.synthetic import rose_parade_plan
from paradeops.timing.engine import schedule


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--full", action="store_true", help="the full model (no shortcuts)")
    ap.add_argument("--step", type=float, help="simulation step [s] (default: the plan's default)")
    args = ap.parse_args()
    plan = rose_parade_plan(args.units)
    if args.step is not None:
        spec = plan.simulation.model_copy(update={"step_s": args.step})
        plan = plan.model_copy(update={"simulation": spec})
    sched = schedule(plan)
    shortcuts = {"shortcuts": False} if args.full else {}
    warm(prepare(plan, sched, 1, np.random.default_rng(0), **shortcuts))
    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    result = simulate(plan, sched, args.runs, np.random.default_rng(args.seed), seed=args.seed,
                      **shortcuts)  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    agents = sum(getattr(u, "ranks", None) or getattr(u, "count", 1) for u in plan.units)
    print(f"{agents} agents, step {result.step_s} s, unfinished runs {result.unfinished_runs}, "
          f"load before {load:.2f}, after {os.getloadavg()[0]:.2f}, cpu_s {cpu:.2f}")  # fmt: skip
    print(f"units={args.units} runs={args.runs} wall_s={wall:.2f} "
          f"agent_updates_per_s={result.agent_updates / wall:.3e}")  # fmt: skip


if __name__ == "__main__":
    main()
