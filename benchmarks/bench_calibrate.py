"""Calibration of 100 units from 5 rehearsals: must take under 2 s (median).

    .venv/bin/python benchmarks/bench_calibrate.py [REPEATS]

Builds a 100-unit plan (foot boxes, then vehicle groups), makes 5 synthetic
rehearsal CSVs with the example's generator (`paradeops.synthetic`, not timed), then times what
`paradeops calibrate` does: read and check the 5 CSVs, schedule the plan,
compare every run and fit every unit.
"""

from __future__ import annotations

import statistics
import sys
import time

from paradeops.calibration import calibrate, compare
from paradeops.io.planfile import parse_plan
from paradeops.io.rehearsal_csv import parse_run
from paradeops.synthetic import calibration_plan_text as plan_text
from paradeops.synthetic import rehearsal_runs
from paradeops.timing.engine import schedule

LIMIT_S = 2.0


def main(repeats: int = 5) -> None:
    plan = parse_plan(plan_text(), "bench.yaml")
    texts, _ = rehearsal_runs(plan, runs=tuple(f"r{r}" for r in range(5)), seed=1)

    phases: dict[str, list[float]] = {"read": [], "schedule": [], "fit": [], "total": []}
    for _ in range(repeats):
        t0 = time.perf_counter()
        p = parse_plan(plan_text(), "bench.yaml")
        runs = [parse_run(t, f"{rid}.csv", p, name=rid) for rid, t in texts.items()]
        t1 = time.perf_counter()
        s = schedule(p)
        t2 = time.perf_counter()
        for r in runs:
            compare(s, r)
        cal = calibrate(p, s, runs)
        t3 = time.perf_counter()
        for name, took in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            phases[name].append(took)
    elapsed = statistics.median(phases["total"])
    rows = sum(len(r.rows) for r in runs)
    detail = ", ".join(f"{name} {statistics.median(v):.3f} s" for name, v in phases.items())
    print(
        f"calibrate: {len(cal.units)} units x {len(runs)} rehearsals ({rows} CSV rows), "
        f"median of {repeats}: {detail} (limit {LIMIT_S:.0f} s) — "
        f"{'OK' if elapsed < LIMIT_S else 'TOO SLOW'}"
    )
    if elapsed >= LIMIT_S:
        raise SystemExit(1)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
