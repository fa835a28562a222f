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

    .venv/bin/python benchmarks/bench_conditioned.py --service [--rounds 2]

also measures what the ranges cost the check-ins in a running service:
``bench_service.py``'s closed loop (100 clients) and open loop (500/s) on
SQLite (``--database postgres``: PostgreSQL, a fresh schema per run), runs alternating between no spectators, spectators reading the
public snapshot of a busy plan (the city parade, 124 units, public, a
check-in on it every 2 s) every 0.5 s, and spectators asking its ETAs every
0.5 s (so the server has its runs remade every 5 s). Prints one line per
run and the medians by mode, with the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from paradeops.io.planfile import load_plan
from paradeops.live import Actual, project
from paradeops.live.conditioned import conditioned
from paradeops.live.eta_ranges import eta_at, summarise
from paradeops.timing.engine import schedule

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PLAN = EXAMPLES / "victory-day-2025" / "plan.yaml"
CITY = EXAMPLES / "city-parade" / "plan.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--service", action="store_true", help="also: the check-ins' latency")
    ap.add_argument("--rounds", type=int, default=2, help="--service: rounds of runs")
    ap.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite",
                    help="--service: the server's (postgres: a fresh schema per run)")  # fmt: skip
    args = ap.parse_args()
    kernel(args.runs, args.repeat)
    if args.service:
        service(args.rounds, args.database)


def kernel(runs: int, repeat: int) -> None:
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
    for i in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        r = conditioned(
            s, live, plan.simulation, np.random.default_rng(i), runs=runs, min_gap_m=gap
        )
        summary = summarise(r)
        for cp in s.checkpoints:
            eta_at(summary, cp.at_m)
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - t)
    print(
        f"runs={runs} units={len(r.unit_ids)} median_s={statistics.median(walls):.3f} "
        f"cpu_s={statistics.median(cpus):.3f}"
    )


def _call(method: str, url: str, token: str, body: object | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if method == "POST" and url.endswith("/api/plans"):
        data, headers["Content-Type"] = CITY.read_bytes(), "application/yaml"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def _spectators(base: str, token: str, stop: threading.Event, seen: set[str], ask: str) -> None:
    """The city parade public; a check-in on it every 2 s, ``ask`` (eta or snapshot) every 0.5 s.

    Asking only its public snapshot costs the server the live projection of a
    busy 124-unit plan (as a control room would); asking ETAs costs that and the
    runs: the difference between the two is what the ranges cost.
    """
    s = schedule(load_plan(CITY))
    plan = _call("POST", base + "/api/plans", token)["id"]  # type: ignore[index]
    _call("PUT", f"{base}/api/plans/{plan}/public", token, {"public": True, "incidents": True})
    n = 0
    while not stop.wait(0.5):
        if n % 4 == 0 and n // 4 < len(s.units):
            u = s.units[n // 4]
            at = s.clock(u.step_off).isoformat()
            body = {
                "id": secrets.token_hex(8),
                "unit": u.id,
                "checkpoint": "start",
                "part": "head",
                "at": at,
            }
            _call("POST", f"{base}/api/plans/{plan}/checkins", token, body)
        if ask == "eta":
            eta = _call("GET", f"{base}/api/public/plans/{plan}/eta?checkpoint=grandstand", token)
            seen.add(eta["computed"])  # type: ignore[index]
        else:
            _call("GET", f"{base}/api/public/plans/{plan}/snapshot", token)
        n += 1


#: Who watches the busy public plan during a run, in turn.
SPECTATORS = ("none", "snapshot", "eta")


@contextlib.contextmanager
def _database(kind: str) -> Iterator[str]:
    """A fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    import bench_service as bs

    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield str(Path(tmp) / "bench.sqlite")
        return
    url, drop = bs.postgres_url()
    try:
        yield url
    finally:
        drop()


def service(rounds: int, database: str = "sqlite") -> None:
    """bench_service's two loops, runs alternating between :data:`SPECTATORS`."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_service as bs
    import uvloop

    os.environ.setdefault("PARADEOPS_SECRET_KEY", secrets.token_hex(32))
    rows: dict[tuple[str, str], list[dict[str, float]]] = {}
    loads: dict[tuple[str, str], list[float]] = {}
    for run in range(len(SPECTATORS) * rounds):
        ask = SPECTATORS[run % len(SPECTATORS)]
        with_them = ask != "none"
        with _database(database) as url:
            proc, base, token = bs.serve(url, [])
            stop, seen = threading.Event(), set()
            side = threading.Thread(target=_spectators, args=(base, token, stop, seen, ask))
            if with_them:
                side.start()
                time.sleep(3)  # the first runs made
            try:
                for mode, rate, total in (("closed", None, 10000), ("open 500/s", 500.0, 5000)):
                    plan = bs.new_plan(base, token)
                    load = os.getloadavg()[0]
                    r = uvloop.run(
                        bs.run_load(int(base.rsplit(":", 1)[1]), token, plan, 100, total, rate)
                    )
                    key = (mode, ask)
                    rows.setdefault(key, []).append(r)
                    loads.setdefault(key, []).append(load)
                    print(
                        f"run {run + 1} {mode} spectators={key[1]}: {r['per_s']:.0f}/s "
                        f"p50 {r['p50_ms']:.1f} ms p99 {r['p99_ms']:.1f} ms load {load:.2f} "
                        f"(ETA runs made so far: {len(seen)})",
                        flush=True,
                    )
            finally:
                stop.set()
                if with_them:
                    side.join(30)
                proc.terminate()
                proc.wait(30)
    for (mode, who), rs in rows.items():
        p99 = statistics.median(r["p99_ms"] for r in rs)
        per_s = statistics.median(r["per_s"] for r in rs)
        ls = loads[(mode, who)]
        print(
            f"database={database} mode={mode!r} spectators={who} per_s={per_s:.0f} "
            f"p99_ms={p99:.1f} median_of={len(rs)} load1_median={statistics.median(ls):.2f} "
            f"load1_range={min(ls):.2f}-{max(ls):.2f}"
        )


if __name__ == "__main__":
    main()
