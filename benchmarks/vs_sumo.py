"""ParadeOps' kernel against Eclipse SUMO: agreement per scenario, speed per core and on all cores.

Agreement: every validation scenario of :mod:`paradeops.validation.sumo`
(a single-lane column starting as a queue; plain IDM, improved IDM, a speed
limit, a show stop, a slow leader) runs in both simulators without noise;
each prints the largest difference in the time a vehicle's front passes a
point::

    scenario=NAME max_pass_time_difference_s=X

Speed, on the plain column (median of --repeats):

- ``per_core_ratio``: ParadeOps' vehicle-updates per second on one thread
  (``NUMBA_NUM_THREADS=1``, set in a fresh interpreter), --runs runs batched
  as ``simulate`` batches them, setup included, compilation excluded, over
  SUMO's vehicle-updates per second in one process (its own UPS figure,
  which leaves out loading).
- ``all_cores_ratio``: ParadeOps on every core over as many SUMO processes
  as cores run at once (their vehicle-updates over the wall time of the
  batch, loading included).

The last lines are machine-readable::

    max_pass_time_difference_s: X      (plain_idm, the code-equivalence check)
    per_core_ratio: Y
    all_cores_ratio: Z

Usage: python benchmarks/vs_sumo.py [--vehicles 100] [--runs 1000] [--step 0.1] [--repeats 3]
SUMO comes from the dev extra (PyPI ``eclipse-sumo``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

import numpy as np

from paradeops.validation.sumo import (
    max_difference,
    run_paradeops,
    run_sumo,
    scenarios,
    sumo_available,
    sumo_parallel_updates_per_s,
)
from paradeops.validation.throughput import updates_per_second_on


def _agreement(vehicles: int, step: float) -> float:
    """Print every scenario's largest difference; return plain IDM's."""
    plain = float("nan")
    for name, sc in scenarios(vehicles, step).items():
        sumo_t = run_sumo(sc).times
        ours_t = run_paradeops(sc)
        worst = max_difference(ours_t, sumo_t)
        diff = np.abs(ours_t - sumo_t)
        where = ""
        if np.isfinite(worst):
            i, k = np.unravel_index(int(np.argmax(diff)), diff.shape)
            where = (f"  (vehicle {i} at {sc.points[k]:g} m: SUMO {sumo_t[i, k]:.2f} s, "
                     f"ParadeOps {ours_t[i, k]:.2f} s)")  # fmt: skip
        print(f"scenario={name} max_pass_time_difference_s={worst:.3f}{where}")
        if name == "plain_idm":
            plain = worst
    return plain


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1000, help="ParadeOps runs per measurement")
    ap.add_argument("--step", type=float, default=0.1, help="step length [s] in both")
    ap.add_argument("--repeats", type=int, default=3, help="report medians of this many")
    args = ap.parse_args(argv)
    if not sumo_available():
        sys.exit("eclipse-sumo is not installed (pip install eclipse-sumo, or the dev extra)")
    cores = os.cpu_count() or 1
    plain = scenarios(args.vehicles, args.step)["plain_idm"]
    print(f"column: {plain.vehicles} vehicles of {plain.length_m} m, minGap {plain.min_gap_m} m, "
          f"IDM a={plain.accel} b={plain.decel} T={plain.tau} delta={plain.delta}, "
          f"v0={plain.speed} m/s; step {plain.step} s; {cores} cores, "
          f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
    worst = _agreement(args.vehicles, args.step)

    sumo_one = statistics.median(run_sumo(plain).updates_per_s for _ in range(args.repeats))
    sumo_all = statistics.median(
        sumo_parallel_updates_per_s(plain, cores)[0] for _ in range(args.repeats)
    )
    ours_one = statistics.median(
        updates_per_second_on(1, args.vehicles, args.step, args.runs, args.repeats)
    )
    ours_all = statistics.median(
        updates_per_second_on(None, args.vehicles, args.step, args.runs, args.repeats)
    )
    print(f"SUMO, one process: {sumo_one / 1e6:.2f} M vehicle-updates/s (its UPS)")
    print(f"SUMO, {cores} processes at once: {sumo_all / 1e6:.2f} M vehicle-updates/s "
          "(wall time of the batch)")  # fmt: skip
    print(f"ParadeOps, one thread: {ours_one / 1e6:.2f} M vehicle-updates/s ({args.runs} runs)")
    print(f"ParadeOps, every core: {ours_all / 1e6:.2f} M vehicle-updates/s ({args.runs} runs)")
    print(f"max_pass_time_difference_s: {worst:.3f}")
    print(f"per_core_ratio: {ours_one / sumo_one:.1f}")
    print(f"all_cores_ratio: {ours_all / sumo_all:.1f}")


if __name__ == "__main__":
    main()
