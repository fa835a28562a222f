"""Benchmark: Monte Carlo runs of a plan (default: 1,000 runs of Victory Day 2025).

Prints the wall time of the simulation (the JIT-compiled kernel is loaded
from its cache, or compiled, in a warm-up call that is not timed), the
agent-updates per second (agents on the road × time steps, over all runs),
and the process's peak resident memory.

Usage: python benchmarks/bench_simulate.py [PLAN] [--runs 1000] [--seed 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

import numpy as np

from paradeops.io.planfile import load_plan
from paradeops.simulation import simulate
from paradeops.timing.engine import schedule

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("plan", nargs="?", default=ROOT / "examples/victory-day-2025/plan.yaml")
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="report the median of this many")
    args = ap.parse_args()
    plan = load_plan(args.plan)
    s = schedule(plan)
    n_agents = sum(
        getattr(u, "ranks", None) or getattr(u, "count", 1) for u in plan.units if u.kind != "aircraft"
    )
    simulate(plan, s, 2, np.random.default_rng(0))  # warm-up: load or compile the kernel
    walls, rates = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        r = simulate(plan, s, args.runs, np.random.default_rng(args.seed), seed=args.seed)
        wall = time.perf_counter() - t
        walls.append(wall)
        rates.append(r.agent_updates / wall)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"plan: {args.plan} ({n_agents} agents on the road, step {r.step_s} s)")
    print(f"runs: {args.runs}, seed {args.seed}, unfinished {r.unfinished_runs}")
    print(f"P(window broken): {r.window.probability_late:.3f}")
    print(f"agent_updates: {r.agent_updates}")
    print(f"wall_s: {statistics.median(walls):.2f} (median of {args.repeat})")
    print(f"agent_updates_per_s: {statistics.median(rates):.3e}")
    print(f"peak_rss_mb: {peak_mb:.0f}")


if __name__ == "__main__":
    main()
