"""Calibration of 100 units from 5 rehearsals: must take under 2 s (median).

    .venv/bin/python benchmarks/bench_calibrate.py [REPEATS]

Builds a 100-unit plan (foot boxes, then vehicle groups), makes 5 synthetic
rehearsal CSVs with the example's generator (not timed), then times what
`paradeops calibrate` does: read and check the 5 CSVs, schedule the plan,
compare every run and fit every unit.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path

from paradeops.calibration import calibrate, compare
from paradeops.io.planfile import parse_plan
from paradeops.io.rehearsal_csv import parse_run
from paradeops.timing.engine import schedule

ROOT = Path(__file__).resolve().parents[1]
LIMIT_S = 2.0


def plan_text(n: int = 100) -> str:
    lines = [
        "version: 1",
        "parade: {name: Bench, date: 2025-05-09, timezone: Europe/Moscow, start: '10:00:00'}",
        "route:",
        "  checkpoints:",
        *(
            f"    - {{id: c{k}, at_m: {k * 300}{', reviewing: true' if k == 2 else ''}}}"
            for k in range(5)
        ),
        "defaults: {gap_m: 30, min_gap_m: 5}",
        "rehearsals:",
        *(
            f"  - {{id: r{r}, date: 2025-05-0{r + 1}, start: '22:00:00', place: X}}"
            for r in range(5)
        ),
        "units:",
    ]
    for i in range(n):
        if i < n // 2:
            lines.append(
                f"  - {{id: u{i}, kind: foot, ranks: 10, files: 10, cadence_spm: 120,"
                " pace_m: 0.75}"
            )
        else:
            lines.append(
                f"  - {{id: u{i}, kind: vehicles, count: 4, vehicle_length_m: 8,"
                " spacing_m: 20, speed_kmh: 15, gap_m: 60}"
            )
    return "\n".join(lines) + "\n"


def main(repeats: int = 5) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_rehearsals", ROOT / "examples" / "victory-day-2025" / "make_rehearsals.py"
    )
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    plan = parse_plan(plan_text(), "bench.yaml")
    texts, _ = gen.generate(plan, runs=tuple(f"r{r}" for r in range(5)), seed=1)

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
