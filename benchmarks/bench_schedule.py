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
from typing import Any

import numpy as np

from paradeops.model.plan import Plan
from paradeops.timing import engine, kernel
from paradeops.timing.engine import schedule


def synthetic_plan(n_units: int, n_checkpoints: int = 10, seed: int = 0) -> Plan:
    """A plausible column: foot boxes, bands, vehicle columns and floats with show stops."""
    rng = np.random.default_rng(seed)
    spacing = 300.0
    cps = [
        {"id": f"cp{i}", "at_m": i * spacing, "reviewing": i == n_checkpoints // 2}
        for i in range(n_checkpoints)
    ]
    units: list[dict[str, Any]] = []
    for i in range(n_units):
        r = rng.random()
        u: dict[str, Any] = {"id": f"u{i}"}
        if r < 0.4:
            u |= {"kind": "foot", "ranks": int(rng.integers(6, 14)), "files": 10,
                  "rank_spacing_m": 1.4, "cadence_spm": float(rng.uniform(108, 120)),
                  "pace_m": 0.75}
        elif r < 0.5:
            u |= {"kind": "band", "ranks": 8, "files": 8, "rank_spacing_m": 1.5,
                  "cadence_spm": 112, "pace_m": 0.75}
        elif r < 0.8:
            u |= {"kind": "vehicles", "count": int(rng.integers(2, 12)),
                  "vehicle_length_m": float(rng.uniform(5, 12)), "spacing_m": 20.0,
                  "speed_kmh": float(rng.uniform(8, 20))}
        else:
            u |= {"kind": "float", "length_m": float(rng.uniform(8, 18)),
                  "speed_kmh": float(rng.uniform(3, 5))}
            if rng.random() < 0.3:
                u["show_stop"] = {"at": cps[n_checkpoints // 2]["id"], "duration_s": 45}
        units.append(u)
    return Plan.model_validate(
        {
            "version": 1,
            "parade": {"name": f"synthetic {n_units}", "date": "2025-05-09",
                       "timezone": "Europe/Moscow", "start": "10:00:00"},
            "route": {
                "checkpoints": cps,
                "speed_limits": [{"from": "cp3", "to": "cp6", "max_kmh": 12}],
            },
            "defaults": {"gap_m": 20, "min_gap_m": 5, "max_gap_m": 200},
            "units": units,
        }
    )  # fmt: skip


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
