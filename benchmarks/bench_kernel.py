"""Benchmark: vehicle-updates per second of the simulation kernel on a fixed number of threads.

The column of ``benchmarks/vs_sumo.py`` (identical IDM vehicles at rest,
released at t = 0, step 0.1 s), ``--runs`` Monte Carlo runs advanced in one
batch as :func:`paradeops.simulation.simulate` batches them, on ``--threads``
Numba threads (default 1: the per-core figure of issue 13). The kernel is
loaded from its cache, or compiled, in an untimed warm-up. Prints the median
of ``--repeat`` timings over wall time and over the process's CPU time (the
CPU figure is the steadier one on a loaded machine), then one
machine-readable line::

    threads=1 runs=R agents=A updates_per_s=X

Usage: python benchmarks/bench_kernel.py [--runs 1000] [--agents 100] [--threads 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numba
import numpy as np

from paradeops.simulation.agents import column
from paradeops.simulation.monte_carlo import run

#: The vs_sumo column: length, min gap, speed, IDM (accel, decel, tau, delta, s0), step.
LENGTH_M, MIN_GAP_M, SPEED_MS, STEP_S = 5.0, 2.5, 5.0, 0.1
IDM = (1.0, 1.5, 1.0, 4.0, MIN_GAP_M)
ROUTE_M = 1000.0


def _once(agents: int, runs: int) -> tuple[int, float, float]:
    """(updates, wall seconds, CPU seconds) of one batch of ``runs`` runs."""
    layout = column(agents, LENGTH_M, MIN_GAP_M, SPEED_MS, IDM, (100.0, 500.0, ROUTE_M), stand=2)
    staging = agents * (LENGTH_M + MIN_GAP_M) + 10.0
    # Long enough for the last vehicle to be retired (300 m past the last point).
    horizon = (staging + ROUTE_M + 300.0) / SPEED_MS * 1.5 + 120.0
    vdes = np.full((runs, layout.n_units), SPEED_MS)
    zero = np.zeros((runs, layout.n_units))
    wall, cpu = time.perf_counter(), time.process_time()
    raw = run(layout, vdes, zero, zero, dt=STEP_S, t_start=0.0, t_end=horizon)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if not raw.finished.all():
        raise SystemExit("some runs did not finish: the horizon is too short")
    return int(raw.updates.sum()), wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--agents", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="report the median of this many")
    args = ap.parse_args()
    numba.set_num_threads(args.threads)
    _once(args.agents, 2)  # warm-up: load or compile the kernel
    per_wall, per_cpu = [], []
    for _ in range(args.repeat):
        updates, wall, cpu = _once(args.agents, args.runs)
        per_wall.append(updates / wall)
        per_cpu.append(updates / cpu)
    load = os.getloadavg()[0]
    print(f"updates per run: {updates // args.runs}, load average (1 min): {load:.2f}")
    print(f"updates_per_cpu_s: {statistics.median(per_cpu):.3e} (median of {args.repeat})")
    print(f"threads={args.threads} runs={args.runs} agents={args.agents} "
          f"updates_per_s={statistics.median(per_wall):.3e}")  # fmt: skip


if __name__ == "__main__":
    main()
