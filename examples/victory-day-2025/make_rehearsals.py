"""Make the example's measured rehearsal times (SYNTHETIC, not real measurements).

    .venv/bin/python examples/victory-day-2025/make_rehearsals.py

For each Red Square rehearsal in plan.yaml (night-1, night-2, general) it
perturbs the plan with a fixed seed — every unit's speed by a factor
~ N(1, 0.01), every unit after the first steps off late by ~ |N(3 s, 2 s)|
(by widening its gap_m by delay × the speed of the unit ahead, or by moving
its target) — runs the timing engine on the perturbed plan, adds
N(0, 0.3 s) reading noise to every head and tail time, and writes
rehearsal-<id>.csv (unit,checkpoint,head,tail; ISO 8601 times on the
rehearsal's date). Where a unit catches up with the one ahead it is held
back, as in reality, and its measured speed is then not its own.
`paradeops calibrate plan.yaml rehearsal-*.csv` should
then recover the perturbations; tests/calibration checks that it does.
The generator is :func:`paradeops.synthetic.rehearsal_runs` (shared with the
tests and benchmarks/bench_calibrate.py).
"""

from __future__ import annotations

from pathlib import Path

from paradeops.io.planfile import load_plan
from paradeops.synthetic import rehearsal_runs

HERE = Path(__file__).resolve().parent


def main() -> None:
    plan = load_plan(HERE / "plan.yaml")
    texts, _ = rehearsal_runs(plan)
    for rid, text in texts.items():
        path = HERE / f"rehearsal-{rid}.csv"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
