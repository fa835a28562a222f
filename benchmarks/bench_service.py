"""Check-in throughput and latency of the service, and how fast the control room hears.

Starts ``python -m paradeops.service`` (one uvicorn worker, httptools + uvloop)
on a loopback port with a fresh database and measures, each on a new plan:

* closed loop: 100 clients, each posting its next check-in as soon as the
  previous one is answered: the most the service does, and its latency then;
* open loop: check-ins offered at a fixed rate (500/s) over 100 keep-alive
  connections, latency counted from when each was *due* (so a stalled server
  is not hidden by clients that wait for it): what a marshal sees when the
  parade produces that many check-ins;

and, during both, a control room listening on the SSE stream while a probe
posts a check-in every 0.5 s: the update latency is the time from the probe's
acknowledgement to the first pushed status that holds it.

The clients are raw asyncio streams on uvloop with every request's bytes built
before the clock starts, so the load generator takes little of the 2 cores.

    .venv/bin/python benchmarks/bench_service.py                 # SQLite and PostgreSQL, 3 runs
    .venv/bin/python benchmarks/bench_service.py --database sqlite --runs 1 --checkins 20000

Targets (issue 5): >= 500 check-ins/s with p99 < 100 ms; update < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import uvloop

from paradeops.service.users.service import add_user
from paradeops.store import open_database
from paradeops.synthetic import SMALL_SERVICE_PLAN

PG = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "benchmark-password"
UNITS, CPS = ["colour-guard", "band", "tanks"], ["start", "tribune", "release"]
#: Probes are checked in this far after the parade's reference time [s], one
#: second apart, so that each is recognisable in the pushed status.
PROBE_T0 = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_cpu_s(pid: int) -> float:
    """User + system CPU of ``pid`` and every process below it [s] (Linux /proc).

    The server's own CPU per check-in: a fairer comparison than check-ins/s
    when the machine is shared (``--workers N`` counts every worker).
    """
    total, stack, ticks = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while stack:
        p = stack.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{p}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    return total


def request_bytes(path: str, token: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def checkin_body(rng: random.Random, at: dt.datetime | None = None) -> bytes:
    if at is None:
        at = dt.datetime(2025, 5, 9, 7, 0, tzinfo=dt.UTC) + dt.timedelta(
            seconds=rng.uniform(0, 900)
        )
    return json.dumps(
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "unit": rng.choice(UNITS),
            "checkpoint": rng.choice(CPS),
            "part": rng.choice(["head", "tail"]),
            "at": at.isoformat(),
        }
    ).encode()


class Conn:
    """A keep-alive HTTP/1.1 connection; just enough protocol for JSON answers."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def open(self) -> Conn:
        self.r, self.w = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def send(self, request: bytes) -> int:
        self.w.write(request)
        head = await self.r.readuntil(b"\r\n\r\n")
        i = head.lower().index(b"content-length:") + 15
        await self.r.readexactly(int(head[i : head.index(b"\r\n", i)]))
        return int(head[9:12])


def http(method: str, url: str, data: bytes | None, headers: dict[str, str]) -> bytes:
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=60) as r:
        return bytes(r.read())


class ControlRoom:
    """An SSE listener noting when each probe first shows up in a pushed status."""

    def __init__(self, port: int, token: str, plan: int) -> None:
        self.port, self.token, self.plan = port, token, plan
        self.reference: dt.datetime | None = None
        self.seen: dict[int, float] = {}  # probe number -> arrival
        self.ready = asyncio.Event()

    async def listen(self) -> None:
        # Pushed documents grow with the check-ins: far beyond the default line limit.
        r, w = await asyncio.open_connection("127.0.0.1", self.port, limit=2**27)
        w.write(
            f"GET /api/plans/{self.plan}/events HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {self.token}\r\n\r\n".encode()
        )
        while line := await r.readline():
            if not line.startswith(b"data: "):
                continue
            now = time.perf_counter()
            if self.reference is None:
                self.reference = dt.datetime.fromisoformat(json.loads(line[6:])["reference"])
                self.ready.set()
            k = len(self.seen)
            # Probes are acknowledged in order, so only the next one can be new.
            while b'"t":%d.0,' % (PROBE_T0 + k) in line:
                self.seen[k] = now
                k += 1


async def probe(
    port: int, path: str, token: str, room: ControlRoom, acks: dict[int, float], running: Callable
) -> None:
    conn = await Conn(port).open()
    rng = random.Random(10**6 + int(path.split("/")[3]))  # apart from the load's seeds
    assert room.reference is not None
    k = 0
    while running():
        at = room.reference + dt.timedelta(seconds=PROBE_T0 + k)
        status = await conn.send(request_bytes(path, token, checkin_body(rng, at)))
        assert status == 201, status
        acks[k] = time.perf_counter()
        k += 1
        await asyncio.sleep(0.5)


Offered = asyncio.Queue[tuple[float, bytes]]


async def closed_loop(conn: Conn, requests: list[bytes], latencies: list[float]) -> None:
    """Post the next check-in as soon as the last one is answered, until none are left."""
    while requests:
        req = requests.pop()
        t = time.perf_counter()
        status = await conn.send(req)
        latencies.append(time.perf_counter() - t)
        assert status == 201, status


async def open_loop(conn: Conn, queue: Offered, latencies: list[float]) -> None:
    """Post what is offered; latency from when it was due, not from when it was sent."""
    while True:
        due, req = await queue.get()
        if not req:
            return
        status = await conn.send(req)
        latencies.append(time.perf_counter() - due)
        assert status == 201, status


async def offer(requests: list[bytes], rate: float, queue: Offered, clients: int) -> None:
    """Each request when it is due at ``rate`` per s, then an end mark per client."""
    start = time.perf_counter()
    for i, req in enumerate(requests):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0.001:
            await asyncio.sleep(delay)
        queue.put_nowait((due, req))
    for _ in range(clients):
        queue.put_nowait((0.0, b""))


async def run_load(
    port: int,
    token: str,
    plan: int,
    clients: int,
    total: int,
    rate: float | None,
    control_room: bool = True,
) -> dict[str, float]:
    """Closed loop if ``rate`` is None, else ``total`` check-ins offered at ``rate`` per s."""
    path = f"/api/plans/{plan}/checkins"
    rng = random.Random(plan)
    requests = [request_bytes(path, token, checkin_body(rng)) for _ in range(total)]
    room = ControlRoom(port, token, plan)
    if control_room:
        listener = asyncio.create_task(room.listen())
        await asyncio.wait_for(room.ready.wait(), 30)
    conns = [await Conn(port).open() for _ in range(clients)]
    latencies: list[float] = []
    acks: dict[int, float] = {}
    done = False
    queue: Offered = asyncio.Queue()
    prober = asyncio.create_task(
        probe(port, path, token, room, acks, lambda: not done) if control_room else asyncio.sleep(0)
    )
    start = time.perf_counter()
    if rate is None:
        await asyncio.gather(*(closed_loop(c, requests, latencies) for c in conns))
    else:
        await asyncio.gather(
            offer(requests, rate, queue, len(conns)),
            *(open_loop(c, queue, latencies) for c in conns),
        )
    elapsed = time.perf_counter() - start
    done = True
    await prober
    if control_room:
        await asyncio.sleep(1.5)  # the last probes' pushes
        listener.cancel()
    for c in conns:
        c.w.close()
    return figures(latencies, elapsed, room, acks)


def figures(
    latencies: list[float], elapsed: float, room: ControlRoom, acks: dict[int, float]
) -> dict[str, float]:
    """Throughput and latency quantiles; how long the control room took to hear each probe."""
    updates = [room.seen[k] - t for k, t in acks.items() if k in room.seen]
    missed = len(acks) - len(updates)
    q = statistics.quantiles(latencies, n=100)
    return {
        "checkins": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": max(latencies) * 1000,
        "update_p50_ms": statistics.median(updates) * 1000 if updates else float("nan"),
        "update_max_ms": max(updates) * 1000 if updates else float("nan"),
        "updates_missed": missed,
    }


def serve(url: str, extra: list[str]) -> tuple[subprocess.Popen[bytes], str, str]:
    """A fresh server on ``url``: (process, base URL, organiser's token)."""
    db = open_database(url)
    with db.writing() as s:
        add_user(s, name="org", role="organiser", password=PASSWORD, now=dt.datetime.now(dt.UTC))
    db.dispose()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paradeops.service", "--database", url, "--port", str(port)]
        # The control-room watchers all share the organiser's one sign-in.
        + ["--max-watchers-per-session", "5000", *extra]
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            http("GET", base + "/login", None, {})
            break
        except OSError:
            time.sleep(0.1)
    form = urllib.parse.urlencode({"username": "org", "password": PASSWORD}).encode()
    token = json.loads(
        http(
            "POST", base + "/api/token", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
    )["access_token"]
    return proc, base, token


def new_plan(base: str, token: str) -> int:
    return int(
        json.loads(
            http(
                "POST",
                base + "/api/plans",
                SMALL_SERVICE_PLAN.encode(),
                {"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"},
            )
        )["id"]
    )


def bench(url: str, a: argparse.Namespace) -> dict[str, dict[str, float]]:
    """One server; a closed-loop and an open-loop run on a plan each."""
    proc, base, token = serve(url, a.server_args)
    port = int(base.rsplit(":", 1)[1])
    try:
        out = {}
        for mode, rate, total in (
            ("closed", None, a.checkins),
            (f"open {a.rate:.0f}/s", a.rate, int(a.rate * a.seconds)),
        ):
            plan = new_plan(base, token)
            cpu = tree_cpu_s(proc.pid)
            out[mode] = uvloop.run(
                run_load(port, token, plan, a.clients, total, rate, a.control_room)
            )
            out[mode]["cpu_ms"] = (tree_cpu_s(proc.pid) - cpu) / total * 1000
        return out
    finally:
        proc.terminate()
        proc.wait(30)


def postgres_url() -> tuple[str, Callable[[], None]]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')

    def drop() -> None:
        with psycopg.connect(PG, autocommit=True) as c:
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')

    return f"{PG}?options=-csearch_path%3D{schema}", drop


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--checkins", type=int, default=10000, help="closed loop: how many")
    p.add_argument("--rate", type=float, default=500.0, help="open loop: offered check-ins/s")
    p.add_argument("--seconds", type=float, default=10.0, help="open loop: how long")
    p.add_argument("--runs", type=int, default=3, help="the table shows the medians")
    p.add_argument(
        "--no-control-room",
        dest="control_room",
        action="store_false",
        help="no SSE listener and no probe: what the control room costs the check-ins",
    )
    p.add_argument(
        "--server-args", default="", help="passed to python -m paradeops.service (quoted)"
    )
    a = p.parse_args()
    # The servers inherit a signing key: none makes a key file in the working folder.
    os.environ.setdefault("PARADEOPS_SECRET_KEY", secrets.token_hex(32))
    a.server_args = a.server_args.split()
    names = ["sqlite", "postgres"] if a.database == "both" else [a.database]
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    loads = []
    for run in range(a.runs):
        for name in names:
            loads.append(os.getloadavg()[0])
            if name == "sqlite":
                with tempfile.TemporaryDirectory() as tmp:
                    got = bench(str(Path(tmp) / "bench.sqlite"), a)
            else:
                url, drop = postgres_url()
                try:
                    got = bench(url, a)
                finally:
                    drop()
            for mode, r in got.items():
                results.setdefault((name, mode), []).append(r)
                print(
                    f"run {run + 1} {name} {mode}: {r['per_s']:.0f}/s p50 {r['p50_ms']:.1f} ms "
                    f"p99 {r['p99_ms']:.1f} ms update p50 {r['update_p50_ms']:.0f} ms "
                    f"max {r['update_max_ms']:.0f} ms, server CPU {r['cpu_ms']:.2f} ms each",
                    flush=True,
                )
    print(
        f"\n{os.cpu_count()} cores, {a.clients} clients, medians of {a.runs} runs, "
        f"load average 1 min at the runs' starts: {statistics.median(loads):.2f} "
        f"({min(loads):.2f}-{max(loads):.2f})"
    )
    cols = ["per_s", "p50_ms", "p99_ms", "max_ms", "update_p50_ms", "update_max_ms", "cpu_ms"]
    print(
        f"{'database':<10}{'mode':<13}{'check-ins':>10}{'per s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'max ms':>8}{'upd p50 ms':>12}{'upd max ms':>12}{'upd missed':>12}{'CPU ms':>8}"
    )
    for (name, mode), rs in results.items():
        med = {c: statistics.median(r[c] for r in rs) for c in cols}
        print(
            f"{name:<10}{mode:<13}{rs[0]['checkins']:>10.0f}{med['per_s']:>8.0f}"
            f"{med['p50_ms']:>8.1f}{med['p99_ms']:>8.1f}{med['max_ms']:>8.0f}"
            f"{med['update_p50_ms']:>12.0f}{med['update_max_ms']:>12.0f}"
            f"{sum(r['updates_missed'] for r in rs):>12.0f}{med['cpu_ms']:>8.2f}"
        )


if __name__ == "__main__":
    main()
