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
then recover the perturbations; tests/composition checks that it does.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from paradeops.io.planfile import load_plan
from paradeops.model.clock import ClockTime, instant
from paradeops.model.plan import (
    AircraftUnit,
    BandUnit,
    FootUnit,
    MountedUnit,
    Plan,
    Target,
)
from paradeops.model.units import speed_ms
from paradeops.timing.engine import schedule

HERE = Path(__file__).resolve().parent
SEED = 20250509
RUNS = ("night-1", "night-2", "general")
SPEED_SD = 0.01
DELAY_MEAN_S, DELAY_SD_S = 3.0, 2.0
NOISE_S = 0.3


def _shift(t: ClockTime | None, seconds: float) -> ClockTime | None:
    """A plan's wall-clock time ``seconds`` later (Moscow keeps one offset all year)."""
    if t is None:
        return None
    day = dt.date(2000, 1, 1)
    base = dt.datetime.combine(day, t.wall) + dt.timedelta(days=t.days, seconds=seconds)
    return ClockTime(base.time(), days=(base.date() - day).days)


def perturb(plan: Plan, rng: np.random.Generator) -> tuple[Plan, dict[str, dict[str, float]]]:
    """A copy of ``plan`` as one rehearsal might go, and the truth per unit."""
    p = plan.model_copy(deep=True)
    truth: dict[str, dict[str, float]] = {}
    leader_speed: float | None = None
    for unit in p.units:
        if isinstance(unit, AircraftUnit):
            continue
        factor = float(rng.normal(1.0, SPEED_SD))
        delay = abs(float(rng.normal(DELAY_MEAN_S, DELAY_SD_S))) if leader_speed else 0.0
        if isinstance(unit, FootUnit | BandUnit | MountedUnit) and unit.speed_kmh is None:
            assert unit.pace_m is not None
            unit.pace_m *= factor
        else:
            assert unit.speed_kmh is not None
            unit.speed_kmh *= factor
        if leader_speed is not None:
            if unit.step_off is not None:
                unit.step_off = _shift(unit.step_off, delay)
            elif unit.target is not None:
                t = unit.target
                unit.target = Target(
                    at=t.at, head=_shift(t.head, delay), tail=_shift(t.tail, delay)
                )
            else:
                gap = p.defaults.gap_m if unit.gap_m is None else unit.gap_m
                unit.gap_m = gap + delay * leader_speed
        truth[unit.id] = {"speed_factor": factor, "step_off_delay_s": delay}
        leader_speed = speed_ms(unit)
    return p, truth


def measured_csv(plan: Plan, reference: dt.datetime, rng: np.random.Generator) -> str:
    """unit,checkpoint,head,tail of the engine's schedule of ``plan``, with noise."""
    s = schedule(plan)
    buf = io.StringIO()
    buf.write("unit,checkpoint,head,tail\n")
    for u in s.units:
        if u.trajectory is None:
            continue
        for p in u.passes:
            h = p.head + float(rng.normal(0.0, NOISE_S))
            t = max(h, p.tail + float(rng.normal(0.0, NOISE_S)))
            if u is s.units[0] and p is u.passes[0]:
                h = p.head  # the reference: head of the first unit at the start
            stamps = [
                (reference + dt.timedelta(seconds=round(v, 1))).isoformat(timespec="milliseconds")
                for v in (h, t)
            ]
            buf.write(f"{u.id},{p.checkpoint},{stamps[0]},{stamps[1]}\n")
    return buf.getvalue()


def generate(
    plan: Plan, runs: tuple[str, ...] = RUNS, seed: int = SEED
) -> tuple[dict[str, str], dict[str, dict[str, dict[str, float]]]]:
    """CSV text and truth per rehearsal id."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(plan.parade.timezone)
    by_id = {r.id: r for r in plan.rehearsals}
    texts, truths = {}, {}
    for rid in runs:
        r = by_id[rid]
        perturbed, truth = perturb(plan, rng)
        reference = instant(r.start, r.date, zone, f"rehearsals[{rid}].start")
        texts[rid] = measured_csv(perturbed, reference, rng)
        # A unit held behind a slower one ahead shows that one's speed, not its own.
        held = {f.unit for f in schedule(perturbed).findings if f.kind == "catch_up"}
        for uid in truth:
            truth[uid]["held"] = float(uid in held)
        truths[rid] = truth
    return texts, truths


def main() -> None:
    plan = load_plan(HERE / "plan.yaml")
    texts, _ = generate(plan)
    for rid, text in texts.items():
        path = HERE / f"rehearsal-{rid}.csv"
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    sys.exit(main())
