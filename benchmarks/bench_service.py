"""Check-in throughput and latency of the service, and how fast the control room hears.

Starts ``python -m paradeops.service`` (one uvicorn worker) on a loopback port
with a fresh database, then 100 concurrent clients (keep-alive HTTP/1.1 on raw
asyncio streams, so the client costs little CPU) post check-ins as fast as the
answers come back. Meanwhile a control-room client listens on the SSE stream
and a probe posts one check-in every 0.5 s: the time from the probe's send to
the first pushed status that counts it is the update latency.

    .venv/bin/python benchmarks/bench_service.py                 # SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_service.py --database sqlite --checkins 20000

Targets (issue 5): >= 500 check-ins/s with p99 < 100 ms; update < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from paradeops.service.users.service import add_user  # noqa: E402
from paradeops.store import open_database  # noqa: E402
from service.support import SMALL_PLAN  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORD = "benchmark-password"
UNITS, CPS = ["colour-guard", "band", "tanks"], ["start", "tribune", "release"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Conn:
    """A keep-alive HTTP/1.1 connection; just enough protocol for JSON answers."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token

    async def open(self) -> Conn:
        self.r, self.w = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        self.w.write(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.r.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        return status, await self.r.readexactly(length)


def checkin(rng: random.Random) -> bytes:
    at = dt.datetime(2025, 5, 9, 7, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=rng.uniform(0, 900))
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "unit": rng.choice(UNITS),
            "checkpoint": rng.choice(CPS),
            "part": rng.choice(["head", "tail"]),
            "at": at.isoformat(),
        }
    ).encode()


def http(method: str, url: str, data: bytes | None, headers: dict[str, str]) -> bytes:
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(req, timeout=60) as r:
        return bytes(r.read())


async def sse_listener(port: int, token: str, plan: int, events: list[tuple[float, int]]) -> None:
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(
        f"GET /api/plans/{plan}/events HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    while True:
        line = await r.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            events.append((time.perf_counter(), int(json.loads(line[6:])["checkins"])))


async def load(
    port: int, token: str, plan: int, clients: int, total: int, sse: bool = True
) -> dict[str, float]:
    path = f"/api/plans/{plan}/checkins"
    latencies: list[float] = []
    acked = 0
    events: list[tuple[float, int]] = []
    probes: list[tuple[float, float, int]] = []  # (sent, acked, acked count then)
    listener = asyncio.create_task(
        sse_listener(port, token, plan, events) if sse else asyncio.sleep(0)
    )
    remaining = total

    async def client(i: int) -> None:
        nonlocal remaining, acked
        rng = random.Random(i)
        conn = await Conn(port, token).open()
        while remaining > 0:
            remaining -= 1
            t = time.perf_counter()
            status, _ = await conn.post(path, checkin(rng))
            latencies.append(time.perf_counter() - t)
            assert status == 201, status
            acked += 1

    async def probe() -> None:
        nonlocal acked
        conn = await Conn(port, token).open()
        rng = random.Random(-1)
        while remaining > 0:
            t = time.perf_counter()
            status, _ = await conn.post(path, checkin(rng))
            acked += 1
            probes.append((t, time.perf_counter(), acked))
            await asyncio.sleep(0.5)

    await asyncio.sleep(1.0)  # the stream's first event
    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)), probe())
    elapsed = time.perf_counter() - start
    await asyncio.sleep(1.5)
    listener.cancel()
    updates = []
    for sent, ack, count in probes:
        arrival = next((t for t, n in events if t >= ack and n >= count), None)
        if arrival is not None:
            updates.append(arrival - sent)
    q = statistics.quantiles(latencies, n=100)
    return {
        "checkins": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "max_ms": max(latencies) * 1000,
        "update_p50_ms": statistics.median(updates) * 1000 if updates else float("nan"),
        "update_max_ms": max(updates) * 1000 if updates else float("nan"),
    }


def bench(url: str, clients: int, total: int, sse: bool = True) -> dict[str, float]:
    db = open_database(url)
    with db.writing() as s:
        add_user(s, name="org", role="organiser", password=PASSWORD, now=dt.datetime.now(dt.UTC))
    db.dispose()
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "paradeops.service", "--database", url, "--port", str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                http("GET", base + "/login", None, {})
                break
            except OSError:
                time.sleep(0.1)
        form = urllib.parse.urlencode({"username": "org", "password": PASSWORD}).encode()
        token = json.loads(
            http(
                "POST",
                base + "/api/token",
                form,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
        )["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        plan = json.loads(
            http(
                "POST",
                base + "/api/plans",
                SMALL_PLAN.encode(),
                {**auth, "Content-Type": "application/yaml"},
            )
        )["id"]
        return asyncio.run(load(port, token, plan, clients, total, sse))
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--checkins", type=int, default=10000)
    p.add_argument("--no-sse", dest="sse", action="store_false", help="no control room listening")
    a = p.parse_args()
    rows = []
    if a.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(
                ("sqlite", bench(str(Path(tmp) / "bench.sqlite"), a.clients, a.checkins, a.sse))
            )
    if a.database in ("postgres", "both"):
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG, autocommit=True) as c:
            c.execute(f'CREATE SCHEMA "{schema}"')
        try:
            rows.append(
                (
                    "postgres",
                    bench(f"{PG}?options=-csearch_path%3D{schema}", a.clients, a.checkins, a.sse),
                )
            )
        finally:
            with psycopg.connect(PG, autocommit=True) as c:
                c.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"{os.cpu_count()} cores, {a.clients} clients")
    print(
        f"{'database':<10}{'check-ins':>10}{'per s':>8}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
        f"{'update p50 ms':>15}{'update max ms':>15}"
    )
    for name, r in rows:
        print(
            f"{name:<10}{r['checkins']:>10.0f}{r['per_s']:>8.0f}{r['p50_ms']:>8.1f}"
            f"{r['p99_ms']:>8.1f}{r['max_ms']:>8.0f}{r['update_p50_ms']:>15.0f}"
            f"{r['update_max_ms']:>15.0f}"
        )


if __name__ == "__main__":
    main()
