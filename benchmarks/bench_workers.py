"""One worker against two on PostgreSQL: snapshot requests/s, and update latency to 2,000 watchers.

For each worker count (alternating, ``--runs`` times) a fresh schema and a
fresh ``python -m paradeops.service --workers N`` on a loopback port; on one
plan with ``--checkins`` check-ins already stored:

* snapshots: ``--clients`` keep-alive connections each asking for the control
  room's ``/live`` document as soon as the last one arrived, for
  ``--seconds``: requests/s, latency, and the server's CPU per request (all
  its processes, from /proc: a fairer figure than requests/s when the
  machine is shared);
* updates: ``--watchers`` signed-in control-room streams (the public stream
  does not exist yet), then ``--probes`` check-ins one second apart, each
  posted over one keep-alive connection (so with two workers half of the
  watchers hear it through PostgreSQL): the time from a probe's
  acknowledgement to its arrival at each watcher, p50/p99/max over every
  (watcher, probe). The watchers are read by this one process, so the
  figures include its own time to read 2,000 sockets.

Bounded: every wait has a timeout, and ``--deadline`` stops the whole run.

    .venv/bin/python benchmarks/bench_workers.py                      # 1 and 2 workers, 3 runs
    .venv/bin/python benchmarks/bench_workers.py --runs 1 --watchers 500 --seconds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_service import (  # noqa: E402  (a sibling script, not a package)
    Conn,
    checkin_body,
    new_plan,
    postgres_url,
    request_bytes,
    serve,
    tree_cpu_s,
)

CHECKINS = re.compile(rb'"checkins":(\d+)')


# --- snapshots -------------------------------------------------------------------------


async def ask(port: int, request: bytes, until: float, latencies: list[float]) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", port, limit=2**26)
    while time.perf_counter() < until:
        t = time.perf_counter()
        w.write(request)
        head = await r.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head[:100]
        i = head.lower().index(b"content-length:") + 15
        await r.readexactly(int(head[i : head.index(b"\r\n", i)]))
        latencies.append(time.perf_counter() - t)
    w.close()


async def snapshots(port: int, token: str, plan: int, clients: int, seconds: float) -> dict:
    request = (
        f"GET /api/plans/{plan}/live HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(ask(port, request, start + seconds, latencies) for _ in range(clients))),
        seconds + 60,
    )
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {"per_s": len(latencies) / elapsed, "p50_ms": q[49] * 1e3, "p99_ms": q[98] * 1e3,
            "requests": len(latencies)}  # fmt: skip


# --- watchers ---------------------------------------------------------------------------


class Watcher:
    """One control-room stream: when it first saw each count of check-ins."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.ready = asyncio.Event()
        self.worker = ""

    async def follow(self, port: int, token: str, plan: int) -> None:
        r, w = await asyncio.open_connection("127.0.0.1", port, limit=2**26)
        w.write(
            f"GET /api/plans/{plan}/events HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {token}\r\n\r\n".encode()
        )
        head = await r.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head[:200]
        tag = re.search(rb"x-paradeops-worker: (\d+)", head.lower())
        self.worker = tag[1].decode() if tag else "?"
        try:
            while line := await r.readline():
                if not line.startswith(b"data: "):
                    continue
                m = CHECKINS.search(line)
                if m is not None:
                    self.seen.setdefault(int(m[1]), time.perf_counter())
                self.ready.set()
        finally:
            w.close()


async def open_watchers(port: int, token: str, plan: int, n: int) -> tuple[list, list]:
    watchers = [Watcher() for _ in range(n)]
    tasks = []
    for i in range(0, n, 100):  # in batches: the accept queue is not flooded
        batch = watchers[i : i + 100]
        tasks += [asyncio.create_task(x.follow(port, token, plan)) for x in batch]
        await asyncio.wait_for(asyncio.gather(*(x.ready.wait() for x in batch)), 120)
    return watchers, tasks


async def updates(port: int, token: str, plan: int, stored: int, a: argparse.Namespace) -> dict:
    watchers, tasks = await open_watchers(port, token, plan, a.watchers)
    path = f"/api/plans/{plan}/checkins"
    conn = await Conn(port).open()
    acks: dict[int, float] = {}
    for k in range(1, a.probes + 1):
        await asyncio.sleep(1.0)
        body = checkin_body(random.Random(10**6 + k))  # apart from the stored ones' seeds
        assert await conn.send(request_bytes(path, token, body)) == 201

        acks[stored + k] = time.perf_counter()
    await asyncio.sleep(3.0)  # the last probe's pushes
    for t in tasks:
        t.cancel()
    lat = [x.seen[n] - t for x in watchers for n, t in acks.items() if n in x.seen]
    missed = len(watchers) * len(acks) - len(lat)
    q = statistics.quantiles(lat, n=100)
    return {"upd_p50_ms": q[49] * 1e3, "upd_p99_ms": q[98] * 1e3, "upd_max_ms": max(lat) * 1e3,
            "missed": missed, "workers_seen": len({x.worker for x in watchers})}  # fmt: skip


# --- one server -------------------------------------------------------------------------


async def store_checkins(port: int, token: str, plan: int, n: int) -> None:
    rng, path = random.Random(plan), f"/api/plans/{plan}/checkins"
    conn = await Conn(port).open()
    for _ in range(n):
        assert await conn.send(request_bytes(path, token, checkin_body(rng))) == 201


async def measure(port: int, token: str, plan: int, pid: int, a: argparse.Namespace) -> dict:
    await store_checkins(port, token, plan, a.checkins)
    cpu0 = tree_cpu_s(pid)
    out = await snapshots(port, token, plan, a.clients, a.seconds)
    out["cpu_ms_per_req"] = (tree_cpu_s(pid) - cpu0) / out["requests"] * 1e3
    out.update(await updates(port, token, plan, a.checkins, a))
    return out


def bench(workers: int, a: argparse.Namespace) -> dict:
    url, drop = postgres_url()
    extra = ["--workers", str(workers), "--max-watchers", "10000", "--max-connections", "8000"]
    try:
        proc, base, token = serve(url, extra)
        try:
            plan = new_plan(base, token)
            port = int(base.rsplit(":", 1)[1])
            return uvloop.run(asyncio.wait_for(measure(port, token, plan, proc.pid, a), a.deadline))
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        drop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--runs", type=int, default=3, help="the table shows the medians")
    p.add_argument("--clients", type=int, default=64, help="snapshot clients")
    p.add_argument("--seconds", type=float, default=5.0, help="snapshots: how long")
    p.add_argument("--checkins", type=int, default=200, help="stored before measuring")
    p.add_argument("--watchers", type=int, default=2000)
    p.add_argument("--probes", type=int, default=10)
    p.add_argument("--deadline", type=float, default=600.0, help="per server [s]")
    a = p.parse_args()
    # The servers inherit a signing key: none makes a key file in the working folder.
    os.environ.setdefault("PARADEOPS_SECRET_KEY", secrets.token_hex(32))
    results: dict[int, list[dict]] = {w: [] for w in a.workers}
    loads = []
    for run in range(a.runs):
        for w in a.workers:  # alternating: a change of load hits both alike
            loads.append(os.getloadavg()[0])
            r = bench(w, a)
            results[w].append(r)
            figures = json.dumps({k: round(v, 2) for k, v in r.items()})
            print(f"run {run + 1} workers {w}: {figures}", flush=True)
    print(
        f"\n{os.cpu_count()} cores, medians of {a.runs} runs, {a.clients} snapshot clients, "
        f"{a.watchers} watchers x {a.probes} probes, load average 1 min at the runs' starts: "
        f"{statistics.median(loads):.2f} ({min(loads):.2f}-{max(loads):.2f})"
    )
    cols = ["per_s", "p50_ms", "p99_ms", "cpu_ms_per_req", "upd_p50_ms", "upd_p99_ms", "upd_max_ms"]
    print(f"{'workers':<9}" + "".join(f"{c:>15}" for c in cols) + f"{'missed':>8}")
    for w, rs in results.items():
        med = {c: statistics.median(r[c] for r in rs) for c in cols}
        missed = sum(r["missed"] for r in rs)
        print(f"{w:<9}" + "".join(f"{med[c]:>15.1f}" for c in cols) + f"{missed:>8}")


if __name__ == "__main__":
    main()
