"""Median wall time of CLI commands in fresh processes, as a user runs them.

    .venv/bin/python benchmarks/bench_cli.py [--repeat 5] [--plan PLAN]

Prints ``command=NAME median_s=X cpu_s=Y`` per command (``cpu_s``: the median
user + system CPU time of the process, which other processes' load changes
less than the wall time):

* ``help`` -- ``paradeops --help``;
* ``version`` -- ``paradeops --version``;
* ``validate`` -- ``paradeops validate PLAN`` (the Victory Day plan by default);
* ``schedule`` -- ``paradeops schedule PLAN -f csv``, warm: bytecode and
  numba's cache as a previous run left them;
* ``schedule-first`` -- the same, as the first run after installing: numba's
  cache (``NUMBA_CACHE_DIR``) an empty folder of its own for each run, the
  bytecode as ``pip install`` leaves it (compiled at install);
* ``schedule-first-nopyc`` -- also without any bytecode: every module of
  Python, ParadeOps and its libraries compiled from source
  (``PYTHONPYCACHEPREFIX`` an empty folder of its own for each run). A
  bound: an install without compiled bytecode, or a read-only one.

Targets (issue 12): help < 0.3 s, validate < 0.6 s, the first schedule < 5 s.
Each process's output is discarded; a failing command stops the benchmark.
The machine's load (``os.getloadavg``) is printed first: other processes
make every figure longer.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VICTORY = ROOT / "examples" / "victory-day-2025" / "plan.yaml"


def seconds(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU time of ``python -m paradeops ARGS`` in a fresh interpreter."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "paradeops", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        check=False,
    )
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    # schedule exits 1 when a finding is an error: still a complete run.
    if p.returncode not in (0, 1):
        sys.exit(f"paradeops {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return took, cpu


def first_run_seconds(args: list[str], *, no_bytecode: bool) -> tuple[float, float]:
    """Wall time of a run with an empty numba cache (and no bytecode), in fresh folders."""
    with tempfile.TemporaryDirectory() as numba_cache, tempfile.TemporaryDirectory() as pyc:
        env = {"NUMBA_CACHE_DIR": numba_cache}
        if no_bytecode:
            env["PYTHONPYCACHEPREFIX"] = pyc
        return seconds(args, env)


def report(name: str, runs: list[tuple[float, float]]) -> None:
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    print(f"command={name} median_s={wall:.3f} cpu_s={cpu:.3f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--plan", type=Path, default=VICTORY)
    args = ap.parse_args()
    plan = str(args.plan)
    print("load_1_5_15=" + ",".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    warm = {
        "help": ["--help"],
        "version": ["--version"],
        "validate": ["validate", plan],
        "schedule": ["schedule", plan, "-f", "csv"],
    }
    for name, command in warm.items():
        seconds(command)  # bytecode and caches as a previous run leaves them
        report(name, [seconds(command) for _ in range(args.repeat)])
    for name, no_bytecode in (("schedule-first", False), ("schedule-first-nopyc", True)):
        command = warm["schedule"]
        report(
            name, [first_run_seconds(command, no_bytecode=no_bytecode) for _ in range(args.repeat)]
        )
    print("load_1_5_15=" + ",".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)


if __name__ == "__main__":
    main()
