"""ParadeOps' IDM kernel against Eclipse SUMO on the same single-lane column.

Both simulators run a column of identical IDM vehicles (same accel, decel,
tau, minGap, delta, length and desired speed), starting at rest bumper to
bumper at ``min_gap`` behind a start line, on a straight road, with the same
step length and SUMO's ballistic position update, no noise. The script
prints, per vehicle and per point of the route, when its front passes, the
largest difference between the two, and how many vehicle-updates per second
each does (SUMO's own "UPS" figure; ParadeOps over --runs Monte Carlo runs
of the column at once). The last two lines are machine-readable::

    max_pass_time_difference_s: X
    updates_per_second_ratio: Y

Usage: python benchmarks/vs_sumo.py [--vehicles 100] [--runs 1000] [--step 0.1]
SUMO comes from the dev extra (PyPI ``eclipse-sumo``).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paradeops.simulation.agents import column
from paradeops.simulation.monte_carlo import run


@dataclass(frozen=True)
class Column:
    vehicles: int = 100
    length_m: float = 5.0
    min_gap_m: float = 2.5
    accel: float = 1.0
    decel: float = 1.5
    tau: float = 1.0
    delta: float = 4.0
    speed: float = 5.0  # desired speed [m/s] (18 km/h, a parade column)
    route_m: float = 1000.0
    points: tuple[float, ...] = (100.0, 500.0, 1000.0)
    step: float = 0.1

    @property
    def staging(self) -> float:
        """Road before the start line, holding the queue."""
        return self.vehicles * (self.length_m + self.min_gap_m) + 10.0

    @property
    def horizon(self) -> float:
        """Enough time for the last vehicle to pass the last point."""
        return (self.staging + self.route_m) / self.speed * 1.5 + 120.0


def sumo_binary(name: str = "sumo") -> Path:
    import sumo  # the eclipse-sumo wheel

    return Path(sumo.SUMO_HOME) / "bin" / name


def _write_scenario(c: Column, d: Path) -> list[str]:
    total = c.staging + c.route_m + 300.0
    (d / "col.nod.xml").write_text(
        '<nodes><node id="a" x="0" y="0"/>'
        f'<node id="b" x="{total:.3f}" y="0"/></nodes>\n'
    )
    (d / "col.edg.xml").write_text(
        '<edges><edge id="road" from="a" to="b" numLanes="1" speed="50"/></edges>\n'
    )
    subprocess.run(
        [str(sumo_binary("netconvert")), "--node-files", "col.nod.xml",
         "--edge-files", "col.edg.xml", "-o", "col.net.xml", "--no-turnarounds"],
        cwd=d, check=True, capture_output=True,
    )  # fmt: skip
    vtype = (
        f'<vType id="col" carFollowModel="IDM" accel="{c.accel}" decel="{c.decel}" '
        f'emergencyDecel="9" apparentDecel="{c.decel}" tau="{c.tau}" minGap="{c.min_gap_m}" '
        f'delta="{c.delta}" length="{c.length_m}" maxSpeed="{c.speed}" '
        'speedFactor="1" speedDev="0" sigma="0"/>'
    )
    vehicles = "".join(
        f'<vehicle id="v{i}" type="col" depart="0" departLane="0" departSpeed="0" '
        f'departPos="{c.staging - i * (c.length_m + c.min_gap_m):.6f}" route="r"/>'
        for i in range(c.vehicles)
    )
    (d / "col.rou.xml").write_text(
        f'<routes>{vtype}<route id="r" edges="road"/>{vehicles}</routes>\n'
    )
    loops = "".join(
        f'<instantInductionLoop id="p{k}" lane="road_0" pos="{c.staging + p:.6f}" '
        'file="passes.xml"/>'
        for k, p in enumerate(c.points)
    )
    (d / "col.add.xml").write_text(f"<additional>{loops}</additional>\n")
    return [
        str(sumo_binary()), "-n", "col.net.xml", "-r", "col.rou.xml", "-a", "col.add.xml",
        "--step-length", str(c.step), "--step-method.ballistic", "true",
        "--end", f"{c.horizon:.1f}", "--time-to-teleport", "-1", "--precision", "6",
        "--no-step-log", "true", "--duration-log.statistics", "true", "--seed", "1",
    ]  # fmt: skip


def run_sumo(c: Column, repeats: int = 3) -> tuple[np.ndarray, float]:
    """Pass times [vehicles, points] and SUMO's median updates per second."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cmd = _write_scenario(c, d)
        ups = []
        for _ in range(repeats):
            out = subprocess.run(cmd, cwd=d, check=True, capture_output=True, text=True)
            m = re.search(r"UPS:\s*([\d.]+)", out.stdout + out.stderr)
            if m:
                ups.append(float(m.group(1)))
        times = np.full((c.vehicles, len(c.points)), np.nan)
        for el in ET.parse(d / "passes.xml").getroot():
            if el.get("state") != "enter":
                continue
            k = int(el.get("id", "p0")[1:])
            i = int(el.get("vehID", "v0")[1:])
            times[i, k] = float(el.get("time", "nan"))
    return times, statistics.median(ups) if ups else float("nan")


def run_paradeops(c: Column, runs: int) -> tuple[np.ndarray, float]:
    """Pass times [vehicles, points] (run 0) and updates per second over ``runs`` runs."""
    layout = column(
        c.vehicles, c.length_m, c.min_gap_m, c.speed,
        (c.accel, c.decel, c.tau, c.delta, c.min_gap_m), c.points, stand=len(c.points) - 1,
    )  # fmt: skip
    n = layout.n_units

    def go(r: int) -> tuple[np.ndarray, int, float]:
        vdes = np.full((r, n), c.speed)
        zero = np.zeros((r, n))
        t = time.perf_counter()
        raw = run(layout, vdes, zero, zero, dt=c.step, t_start=0.0, t_end=c.horizon)
        return raw.head_t[0], int(raw.updates.sum()), time.perf_counter() - t

    go(2)  # compile (or load the cache) outside the timing
    times, updates, elapsed = go(runs)
    return times, updates / elapsed


def compare(c: Column, runs: int) -> tuple[float, float, float, float]:
    """(max |Δ pass time| [s], ParadeOps UPS, SUMO UPS, ratio)."""
    sumo_t, sumo_ups = run_sumo(c)
    ours_t, ours_ups = run_paradeops(c, runs)
    diff = np.abs(ours_t - sumo_t)
    worst = float(np.max(diff)) if np.all(np.isfinite(diff)) else float("inf")
    return worst, ours_ups, sumo_ups, ours_ups / sumo_ups


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs for the speed test")
    ap.add_argument("--step", type=float, default=0.1, help="step length [s] in both")
    args = ap.parse_args(argv)
    c = Column(vehicles=args.vehicles, step=args.step)
    print(f"column: {c.vehicles} vehicles of {c.length_m} m, minGap {c.min_gap_m} m, "
          f"IDM a={c.accel} b={c.decel} T={c.tau} delta={c.delta}, v0={c.speed} m/s; "
          f"points {', '.join(f'{p:g}' for p in c.points)} m; step {c.step} s, ballistic")
    sumo_t, sumo_ups = run_sumo(c)
    ours_t, ours_ups = run_paradeops(c, args.runs)
    diff = np.abs(ours_t - sumo_t)
    for k, p in enumerate(c.points):
        i = int(np.nanargmax(diff[:, k]))
        print(f"  at {p:6g} m: largest difference {diff[i, k]:.3f} s (vehicle {i}: "
              f"SUMO {sumo_t[i, k]:.2f} s, ParadeOps {ours_t[i, k]:.2f} s)")
    print(f"SUMO: {sumo_ups / 1e6:.2f} M vehicle-updates/s (its UPS, one run, median of 3)")
    print(f"ParadeOps: {ours_ups / 1e6:.2f} M vehicle-updates/s ({args.runs} runs at once)")
    worst = float(np.max(diff)) if np.all(np.isfinite(diff)) else float("inf")
    print(f"max_pass_time_difference_s: {worst:.3f}")
    print(f"updates_per_second_ratio: {ours_ups / sumo_ups:.1f}")


if __name__ == "__main__":
    sys.exit(main())
