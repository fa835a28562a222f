"""Vehicle-updates per second of ParadeOps' kernel on a validation column.

Runs are batched as :func:`paradeops.simulation.simulate` batches them
(chunks of :data:`~paradeops.simulation.monte_carlo.CHUNK` runs per kernel
call); the inputs are built inside the timing (setup included), compilation
is not (a warm-up call loads or compiles the kernel first).

Numba reads ``NUMBA_NUM_THREADS`` once, when it is first imported, so a
figure on a given number of threads is measured in a fresh interpreter:
:func:`updates_per_second_on` runs ``python -m paradeops.validation.throughput``
with that variable set and reads the figures it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from paradeops.simulation.monte_carlo import CHUNK, run
from paradeops.validation.sumo import Scenario, paradeops_inputs, paradeops_layout


def updates_per_second(sc: Scenario, runs: int, repeats: int) -> list[float]:
    """One figure per repetition: vehicle-updates / wall time of ``runs`` runs."""
    layout = paradeops_layout(sc)
    warm = paradeops_inputs(sc, 2)
    run(layout, *warm, dt=sc.step, t_start=0.0, t_end=sc.horizon)
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        updates = 0
        for lo in range(0, runs, CHUNK):
            n = min(CHUNK, runs - lo)
            vdes, delay, stop = paradeops_inputs(sc, n)
            raw = run(layout, vdes, delay, stop, dt=sc.step, t_start=0.0, t_end=sc.horizon)
            updates += int(raw.updates.sum())
        rates.append(updates / (time.perf_counter() - t))
    return rates


def updates_per_second_on(
    threads: int | None, vehicles: int, step: float, runs: int, repeats: int
) -> list[float]:
    """:func:`updates_per_second` of the plain column in a fresh interpreter on
    ``threads`` Numba threads (``None``: Numba's default, every core)."""
    env = dict(os.environ)
    if threads is None:
        env.pop("NUMBA_NUM_THREADS", None)
    else:
        env["NUMBA_NUM_THREADS"] = str(threads)
    out = subprocess.run(
        [sys.executable, "-m", "paradeops.validation.throughput", "--vehicles", str(vehicles),
         "--step", str(step), "--runs", str(runs), "--repeats", str(repeats)],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    rates: list[float] = json.loads(out.stdout.strip().splitlines()[-1])
    return rates


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=100)
    ap.add_argument("--step", type=float, default=0.1)
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    sc = Scenario(vehicles=args.vehicles, step=args.step)
    print(json.dumps(updates_per_second(sc, args.runs, args.repeats)))


if __name__ == "__main__":
    main()
