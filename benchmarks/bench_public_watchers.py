"""The public tracker on PostgreSQL with N workers: snapshot requests/s, and a check-in's
latency to 2,000 public SSE watchers (target, issue 14: p99 under 2 s).

For each run (``--runs``, alternating the worker counts) a fresh schema and a
fresh ``python -m paradeops.service --workers N`` on a loopback port, its
clock replayed from the middle of the shipped city parade (124 units) so
that units move along the route and every round of the stream carries
positions, as on the day. The plan is public; the units planned to step off
before that moment have reported at the start, except the last ``--probes``
of them, which are late (still ``waiting``). Then:

* snapshots: ``--clients`` keep-alive connections each asking for
  ``/api/public/plans/{id}/snapshot`` (no ``If-None-Match``: the whole
  document every time, what the origin serves behind a cache that missed)
  as soon as the last answer arrived, for ``--seconds``: requests/s,
  latency, and the server's CPU per request (all its processes, /proc);
* watchers: ``--watchers`` public streams (``/api/public/plans/{id}/events``)
  opened 100 at a time, each reading until its snapshot; then ``--probes``
  check-ins ``--interval`` s apart, each reporting one late unit at the start
  over one keep-alive connection (so with two workers half of the watchers
  hear it through PostgreSQL LISTEN/NOTIFY). A watcher has received a probe
  when a delta on its stream changes that unit's ``state``; latency runs from
  the moment the check-in was *sent* to that receipt, per (watcher, probe):
  p50/p99/max over all of them. All watchers are read by this one process
  (uvloop), so the figures include its own time to read every socket.

Bounded: every wait has a timeout, and ``--deadline`` stops a whole run.
Prints one machine-readable line per run and measurement, then the medians::

    workers=2 watchers=2000 latency_p50_s=X latency_p99_s=Y latency_max_s=Z missed=0 ...
    workers=2 snapshot_rps=X snapshot_p50_ms=Y snapshot_p99_ms=Z cpu_ms_per_req=C ...

    .venv/bin/python benchmarks/bench_public_watchers.py                 # 2 workers, 3 runs
    .venv/bin/python benchmarks/bench_public_watchers.py --workers 1 2 --runs 1 --watchers 500
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import resource
import secrets
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import uvloop

from paradeops.io.planfile import load_plan
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_service import (  # noqa: E402  (a sibling script, not a package)
    Conn,
    postgres_url,
    request_bytes,
    serve,
    tree_cpu_s,
)

CITY = Path(__file__).resolve().parent.parent / "examples" / "city-parade" / "plan.yaml"
#: The replayed clock starts this far into the parade [s after its first step-off]:
#: about half of the 124 units have stepped off, the head is near the stand.
MID_S = 2400.0
WORKER = re.compile(rb"x-paradeops-worker: (\d+)")


# --- the plan -------------------------------------------------------------------------


class Parade:
    """The city parade's schedule, split into units reported before the start and probes."""

    def __init__(self, probes: int) -> None:
        self.schedule: Schedule = schedule(load_plan(CITY))
        before = [u for u in self.schedule.units if u.step_off < MID_S]
        assert len(before) > probes, f"only {len(before)} units step off before {MID_S} s"
        self.stored, self.probes = before[:-probes], before[-probes:]
        self.clock_start = self.schedule.clock(MID_S).isoformat()

    def checkin(self, unit_index: int, probe: bool) -> bytes:
        u = (self.probes if probe else self.stored)[unit_index]
        at: dt.datetime = self.schedule.clock(u.step_off)
        body = {"id": secrets.token_hex(8), "unit": u.id, "checkpoint": "start", "part": "head"}
        return orjson.dumps({**body, "at": at.isoformat()})


def _call(method: str, url: str, token: str, data: bytes, kind: str) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": kind}
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=60) as r:
        return dict(json.loads(r.read()))


def public_plan(base: str, token: str) -> int:
    plan = int(
        _call("POST", base + "/api/plans", token, CITY.read_bytes(), "application/yaml")["id"]
    )
    body = orjson.dumps({"public": True, "incidents": True})
    _call("PUT", f"{base}/api/plans/{plan}/public", token, body, "application/json")
    return plan


async def store_checkins(port: int, token: str, plan: int, parade: Parade) -> None:
    conn = await Conn(port).open()
    path = f"/api/plans/{plan}/checkins"
    for i in range(len(parade.stored)):
        assert await conn.send(request_bytes(path, token, parade.checkin(i, False))) == 201
    conn.w.close()


# --- snapshots ------------------------------------------------------------------------


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


async def snapshots(port: int, plan: int, clients: int, seconds: float) -> dict:
    request = f"GET /api/public/plans/{plan}/snapshot HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(ask(port, request, start + seconds, latencies) for _ in range(clients))),
        seconds + 60,
    )
    elapsed = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {"snapshot_rps": len(latencies) / elapsed, "snapshot_p50_ms": q[49] * 1e3,
            "snapshot_p99_ms": q[98] * 1e3, "requests": len(latencies)}  # fmt: skip


# --- watchers -------------------------------------------------------------------------


class Watcher:
    """One public stream: when a delta first changed each probe unit's state."""

    def __init__(self, probes: list[str]) -> None:
        # A waiting unit has no positions: its key shows up in a delta only when it moves.
        self.markers = {b'"%s":{' % p.encode(): p for p in probes}
        self.seen: dict[str, float] = {}
        self.ready = asyncio.Event()
        self.worker = ""

    async def follow(self, port: int, plan: int) -> None:
        r, w = await asyncio.open_connection("127.0.0.1", port, limit=2**26)
        w.write(f"GET /api/public/plans/{plan}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = await r.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head[:200]
        tag = WORKER.search(head.lower())
        self.worker = tag[1].decode() if tag else "?"
        kind = b""
        try:
            while line := await r.readline():
                if line.startswith(b"event: "):
                    kind = line[7:].strip()
                elif line.startswith(b"data: "):
                    self.ready.set()
                    if kind == b"delta":  # the snapshot names every unit's state
                        self._note(line, time.perf_counter())
        finally:
            w.close()

    def _note(self, line: bytes, now: float) -> None:
        for marker, unit in self.markers.items():
            if unit not in self.seen and marker in line:
                units = orjson.loads(line[6:]).get("units", {})
                if "state" in units.get(unit, {}):
                    self.seen[unit] = now


async def open_watchers(port: int, plan: int, n: int, probes: list[str]) -> tuple[list, list]:
    watchers = [Watcher(probes) for _ in range(n)]
    tasks = []
    for i in range(0, n, 100):  # in batches: the accept queue is not flooded
        batch = watchers[i : i + 100]
        tasks += [asyncio.create_task(x.follow(port, plan)) for x in batch]
        await asyncio.wait_for(asyncio.gather(*(x.ready.wait() for x in batch)), 120)
    return watchers, tasks


async def updates(port: int, token: str, plan: int, parade: Parade, a: argparse.Namespace) -> dict:
    ids = [u.id for u in parade.probes]
    watchers, tasks = await open_watchers(port, plan, a.watchers, ids)
    path = f"/api/plans/{plan}/checkins"
    conn = await Conn(port).open()
    sent: dict[str, float] = {}
    for k, unit in enumerate(ids):
        await asyncio.sleep(a.interval)
        request = request_bytes(path, token, parade.checkin(k, True))
        sent[unit] = time.perf_counter()
        assert await conn.send(request) == 201
    await asyncio.sleep(5.0)  # the last probe's pushes
    for t in tasks:
        t.cancel()
    lat = [x.seen[u] - t for x in watchers for u, t in sent.items() if u in x.seen]
    q = statistics.quantiles(lat, n=100)
    return {"latency_p50_s": q[49], "latency_p99_s": q[98], "latency_max_s": max(lat),
            "missed": len(watchers) * len(sent) - len(lat),
            "workers_seen": len({x.worker for x in watchers})}  # fmt: skip


# --- one server -----------------------------------------------------------------------


async def measure(port: int, token: str, plan: int, pid: int, a: argparse.Namespace) -> dict:
    parade = Parade(a.probes)
    await store_checkins(port, token, plan, parade)
    cpu0 = tree_cpu_s(pid)
    out = await snapshots(port, plan, a.clients, a.seconds)
    out["cpu_ms_per_req"] = (tree_cpu_s(pid) - cpu0) / out["requests"] * 1e3
    out.update(await updates(port, token, plan, parade, a))
    return out


def bench(workers: int, a: argparse.Namespace) -> dict:
    url, drop = postgres_url()
    # Per worker: connections and public watchers are each worker's own caps (service.md).
    extra = ["--workers", str(workers), "--max-connections", "8000"]
    extra += ["--max-public-watchers", "10000", "--clock-start", Parade(a.probes).clock_start]
    try:
        proc, base, token = serve(url, extra)
        try:
            plan = public_plan(base, token)
            port = int(base.rsplit(":", 1)[1])
            return uvloop.run(asyncio.wait_for(measure(port, token, plan, proc.pid, a), a.deadline))
        finally:
            proc.terminate()
            proc.wait(30)
    finally:
        drop()


def raise_fd_limit(watchers: int) -> None:
    """Every watcher is a socket of this process: the soft limit up to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if min(hard, 2**20) < watchers + 200:
        sys.exit(f"error: {watchers} watchers need {watchers + 200} files; the limit is {hard}")


WATCH_KEYS = ["latency_p50_s", "latency_p99_s", "latency_max_s"]
SNAP_KEYS = ["snapshot_rps", "snapshot_p50_ms", "snapshot_p99_ms", "cpu_ms_per_req"]


def lines(workers: int, r: dict, a: argparse.Namespace, tail: str) -> list[str]:
    watch = " ".join(f"{k}={r[k]:.3f}" for k in WATCH_KEYS)
    snap = " ".join(f"{k}={r[k]:.1f}" if k != "cpu_ms_per_req" else f"{k}={r[k]:.2f}"
                    for k in SNAP_KEYS)  # fmt: skip
    return [
        f"workers={workers} watchers={a.watchers} probes={a.probes} {watch} "
        f"missed={r['missed']:.0f} {tail}",
        f"workers={workers} clients={a.clients} {snap} {tail}",
    ]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, nargs="+", default=[2])
    p.add_argument("--runs", type=int, default=3, help="the last lines are the medians")
    p.add_argument("--clients", type=int, default=64, help="snapshot clients")
    p.add_argument("--seconds", type=float, default=5.0, help="snapshots: how long")
    p.add_argument("--watchers", type=int, default=2000)
    p.add_argument("--probes", type=int, default=10, help="late units reported, one each")
    p.add_argument("--interval", type=float, default=1.0, help="between probes [s]")
    p.add_argument("--deadline", type=float, default=600.0, help="per server [s]")
    a = p.parse_args()
    raise_fd_limit(a.watchers)
    # The servers inherit a signing key: none makes a key file in the working folder.
    os.environ.setdefault("PARADEOPS_SECRET_KEY", secrets.token_hex(32))
    results: dict[int, list[dict]] = {w: [] for w in a.workers}
    loads: dict[int, list[float]] = {w: [] for w in a.workers}
    for run in range(a.runs):
        for w in a.workers:  # alternating: a change of load hits each count alike
            load = os.getloadavg()[0]
            loads[w].append(load)
            r = bench(w, a)
            results[w].append(r)
            tail = f"run={run + 1} workers_seen={r['workers_seen']} load1={load:.2f}"
            print("\n".join(lines(w, r, a, tail)), flush=True)
    for w, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in WATCH_KEYS + SNAP_KEYS}
        med["missed"] = sum(r["missed"] for r in rs)
        ls = loads[w]
        tail = (f"median_of={len(rs)} cores={os.cpu_count()} load1_median={statistics.median(ls):.2f} "
                f"load1_range={min(ls):.2f}-{max(ls):.2f}")  # fmt: skip
        print("\n".join(lines(w, med, a, tail)), flush=True)


if __name__ == "__main__":
    main()
