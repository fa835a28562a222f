"""Median time of ``schedule()`` on synthetic parades of 100, 1,000 and 10,000 units.

    .venv/bin/python benchmarks/bench_schedule.py [--repeat 7]

Prints one line per size, ``units=N median_ms=X cpu_ms=Y`` (wall and CPU time
of this process: on a machine others load, CPU time is the steadier figure),
then the growth factor per tenfold size (n log n would be ~11.5 for 1,000 -> 10,000). Targets (issue 2):
1,000 units under 50 ms, 10,000 under 1 s, growing no worse than n log n.
Plans are built once, outside the timing. The warm-up loads (or compiles) the
numba kernel first, so every size runs compiled, as in a long-lived process
(a one-shot CLI on a small plan runs the plain-Python kernel instead:
``paradeops.timing.engine.column_kernel``). ``--plain`` times the plain-Python
kernel at every size instead (the figures behind ``COMPILED_FROM_UNITS``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from paradeops.model.plan import Plan
from paradeops.synthetic import column_plan as synthetic_plan
from paradeops.timing import engine, kernel
from paradeops.timing.engine import schedule


def median_ms(plan: Plan, repeat: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``schedule(plan)``."""
    walls, cpus = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        schedule(plan)
        cpus.append((time.process_time() - c) * 1000)
        walls.append((time.perf_counter() - t) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--plain", action="store_true", help="time the plain-Python kernel")
    args = ap.parse_args()
    if args.plain:
        engine.COMPILED_FROM_UNITS = 10**9
        sizes: tuple[int, ...] = (100, 1_000, 3_000)
    else:
        kernel.compiled()  # load (or compile) the numba kernel: every size runs it
        sizes = (100, 1_000, 10_000)
    schedule(synthetic_plan(10))  # the first run of either kernel
    results = {}
    for n in sizes:
        plan = synthetic_plan(n)
        wall, cpu = median_ms(plan, args.repeat if n < 10_000 else max(3, args.repeat // 2))
        results[n] = wall
        print(f"units={n} median_ms={wall:.2f} cpu_ms={cpu:.2f}", flush=True)
    if not args.plain:
        growth = results[10_000] / results[1_000]
        nlogn = 10 * np.log(1e4) / np.log(1e3)
        print(f"growth_1000_to_10000={growth:.1f}x (n log n: {nlogn:.1f}x)")


if __name__ == "__main__":
    main()
