"""Median time of 500 conditioned runs of the rest of the Victory Day parade from its midpoint.

    .venv/bin/python benchmarks/bench_conditioned.py [--runs 500] [--repeat 7]

The actuals are the plan's own schedule up to the midpoint (halfway between
the first head stepping off and the last tail passing the release point):
every head and tail pass at or before it, as marshals would have reported
them. Timed: the live projection at the midpoint (what the service has at
hand already, so outside the timing) is not; the draws and the runs are
(:func:`paradeops.live.conditioned.conditioned`) and the ETAs at every
checkpoint. Prints ``runs=N units=M median_s=X cpu_s=Y`` (wall and CPU time
of this process: on a shared machine CPU time is the steadier figure).
Target (issue 14): under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from paradeops.io.planfile import load_plan
from paradeops.live import Actual, project
from paradeops.live.conditioned import conditioned, eta_at
from paradeops.timing.engine import schedule

PLAN = Path(__file__).resolve().parent.parent / "examples" / "victory-day-2025" / "plan.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    plan = load_plan(PLAN)
    s = schedule(plan)
    mid = (s.summary.first_head + s.summary.last_tail) / 2
    actuals = [
        Actual(u.id, p.checkpoint, part, t)
        for u in s.units
        for p in u.passes
        for part, t in (("head", p.head), ("tail", p.tail))
        if t <= mid
    ]
    gap = plan.defaults.min_gap_m
    live = project(s, actuals, mid, min_gap_m=gap)
    walls, cpus = [], []
    for i in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        r = conditioned(
            s, live, plan.simulation, np.random.default_rng(i), runs=args.runs, min_gap_m=gap
        )
        for cp in s.checkpoints:
            eta_at(r, cp.at_m)
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - t)
    print(
        f"runs={args.runs} units={len(r.unit_ids)} median_s={statistics.median(walls):.3f} "
        f"cpu_s={statistics.median(cpus):.3f}"
    )


if __name__ == "__main__":
    main()
