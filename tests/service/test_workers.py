"""``serve --workers 2`` on PostgreSQL, real processes: check-ins reach every worker's watchers.

The workers share one port; each stream's ``X-ParadeOps-Worker`` header says
which worker serves it. A check-in goes to whichever worker the kernel hands
the connection to, so the watchers of the other worker hear it only through
PostgreSQL (LISTEN/NOTIFY).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from paradeops.service.workers import STARTUP_S
from tests.security.test_watchers import Event, Stream, post, random_checkin, until
from tests.service.conftest import PG_URL, postgres_reachable
from tests.service.server import Server, add_users

pytestmark = pytest.mark.postgres

#: Streams opened at least, and at most while waiting for both workers to hold some.
STREAMS, MAX_STREAMS = 12, 60
#: The issue's bound: a check-in reaches every watcher within this [s].
REACH_S = 1.0


@pytest.fixture(scope="module")
def pg_schema_url() -> Iterator[str]:
    """A schema of its own for this module's one server (each test makes its own plan)."""
    why = postgres_reachable()
    if why:
        pytest.skip(why)
    schema = f"paradeops_workers_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def two_workers(pg_schema_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Two workers signing with a key file that neither had: the first process makes it once.

    (Every test signs in once and opens streams on both workers with that token.)
    """
    add_users(pg_schema_url)
    tmp = tmp_path_factory.mktemp("workers")
    args = ("--workers", "2", "--max-watchers-per-session", str(MAX_STREAMS + 10))
    args += ("--secret-key-file", str(tmp / "key"))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PARADEOPS_SECRET_KEY", raising=False)  # the file, not the environment
        srv = Server(pg_schema_url, tmp / "server.log", args=args).start()
    srv.started_at = time.monotonic()  # type: ignore[attr-defined]
    assert (tmp / "key").stat().st_mode & 0o777 == 0o600
    yield srv
    srv.stop()


def schema_of(url: str) -> str:
    options = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["options"][0]
    return options.removeprefix("-csearch_path=")


def listeners(schema: str) -> list[int]:
    """Backend pids of the server's listening connections on ``schema``."""
    with psycopg.connect(PG_URL, autocommit=True) as c:
        rows = c.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
            "AND query LIKE 'LISTEN %%' ORDER BY pid",
            (f"paradeops-serve:{schema}",),
        ).fetchall()
    return [r[0] for r in rows]


def kill_listeners(schema: str) -> list[int]:
    with psycopg.connect(PG_URL, autocommit=True) as c:
        rows = c.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
            "AND query LIKE 'LISTEN %%' AND pg_terminate_backend(pid)",
            (f"paradeops-serve:{schema}",),
        ).fetchall()
    return [r[0] for r in rows]


def wait_for_listeners(schema: str, n: int, other_than: list[int], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = listeners(schema)
        if len(now) == n and not set(now) & set(other_than):
            return
        time.sleep(0.05)
    raise AssertionError(f"{n} new listeners expected, found {listeners(schema)}")


async def open_on_both(srv: Server, path: str, org: dict[str, str]) -> list[Stream]:
    """At least :data:`STREAMS` streams, opened until both workers serve some."""
    streams: list[Stream] = []
    while len(streams) < STREAMS or len(workers_of(streams)) < 2:
        assert len(streams) < MAX_STREAMS, f"all {len(streams)} streams on one worker"
        batch = await asyncio.gather(*(Stream.open(srv.port, path, org) for _ in range(4)))
        streams += batch
    for s in streams:
        assert s.status == 200, s.body
    return streams


def workers_of(streams: list[Stream]) -> set[str]:
    return {s.headers["x-paradeops-worker"] for s in streams}


async def reach(streams: list[Stream], count: int, timeout: float) -> list[float]:
    """When each stream first showed ``count`` check-ins [perf_counter s]."""

    async def one(s: Stream) -> float:
        await until(s, lambda e: e.data.get("checkins") == count, timeout)
        return time.perf_counter()

    return list(await asyncio.gather(*(one(s) for s in streams)))


async def snapshots(streams: list[Stream]) -> list[Event]:
    return list(await asyncio.gather(*(s.event() for s in streams)))


def test_a_checkin_through_one_worker_reaches_the_watchers_of_both(two_workers: Server) -> None:
    srv, org = two_workers, two_workers.token("org")
    pid = srv.upload(org)

    async def scenario() -> None:
        streams = await open_on_both(srv, f"/api/plans/{pid}/events", org)
        assert all(
            e.kind == "snapshot" and e.data["checkins"] == 0 for e in await snapshots(streams)
        )
        rng = random.Random(6)
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            for n in (1, 2, 3):
                await post(client, srv, pid, random_checkin(rng))
                acked = time.perf_counter()
                arrived = await reach(streams, n, timeout=5)
                slowest = max(arrived) - acked
                assert slowest < REACH_S, f"check-in {n}: the slowest watcher after {slowest:.2f} s"
        for s in streams:
            s.close()

    asyncio.run(scenario())


def test_watchers_hear_later_checkins_after_the_listeners_are_killed(
    two_workers: Server, pg_schema_url: str
) -> None:
    srv, org, schema = two_workers, two_workers.token("org"), schema_of(pg_schema_url)
    pid = srv.upload(org)
    before = listeners(schema)
    assert len(before) == 2, "one listening connection per worker"

    async def scenario() -> None:
        streams = await open_on_both(srv, f"/api/plans/{pid}/events", org)
        await snapshots(streams)
        rng = random.Random(7)
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            assert sorted(kill_listeners(schema)) == before
            # Sent while (at least one) worker is deaf: its notification is lost, so
            # that worker's watchers get it from the re-read after reconnecting.
            await post(client, srv, pid, random_checkin(rng))
            await asyncio.to_thread(wait_for_listeners, schema, 2, before)
            await reach(streams, 1, timeout=REACH_S + 1)
            await post(client, srv, pid, random_checkin(rng))
            acked = time.perf_counter()
            slowest = max(await reach(streams, 2, timeout=5)) - acked
            assert slowest < REACH_S, f"after reconnecting: the slowest after {slowest:.2f} s"
        for s in streams:
            s.close()

    asyncio.run(scenario())


def test_a_watcher_reconnecting_to_the_other_worker_gets_a_snapshot(two_workers: Server) -> None:
    """Each worker computes its own documents: another worker's deltas would not apply."""
    srv, org = two_workers, two_workers.token("org")
    pid = srv.upload(org)
    path = f"/api/plans/{pid}/events"

    async def scenario() -> None:
        streams = await open_on_both(srv, path, org)
        await snapshots(streams)
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            await post(client, srv, pid, random_checkin(random.Random(8)))
        seen = await asyncio.gather(
            *(until(s, lambda e: e.data.get("checkins") == 1) for s in streams)
        )
        by_worker = {
            s.headers["x-paradeops-worker"]: events[-1]
            for s, events in zip(streams, seen, strict=True)
        }
        a, b = sorted(by_worker)
        last_on_a = by_worker[a]
        assert last_on_a.kind == "delta" and str(last_on_a.id).startswith(a), "ids carry the worker"
        # The watcher of worker a comes back, saying what it saw last.
        again = [await Stream.open(srv.port, path, org, str(last_on_a.id)) for _ in range(10)]
        on_b = [s for s in again if s.headers["x-paradeops-worker"] == b]
        assert on_b, "none of ten reconnections reached the other worker"
        event = await on_b[0].event()
        assert event.kind == "snapshot" and event.data["checkins"] == 1
        assert str(event.id).startswith(b)
        for s in streams + again:
            s.close()

    asyncio.run(scenario())


def workers_of_server(srv: Server) -> list[int]:
    assert srv.proc is not None
    tasks = Path(f"/proc/{srv.proc.pid}/task").iterdir()
    return sorted(int(c) for t in tasks for c in (t / "children").read_text().split())


def test_a_killed_worker_is_replaced_and_its_successor_hears_checkins(
    two_workers: Server, pg_schema_url: str
) -> None:
    srv, org, schema = two_workers, two_workers.token("org"), schema_of(pg_schema_url)
    pid = srv.upload(org)
    # A worker dying within STARTUP_S of the start counts as one that could not start.
    time.sleep(max(0.0, srv.started_at + STARTUP_S + 0.5 - time.monotonic()))  # type: ignore[attr-defined]
    before = workers_of_server(srv)
    assert len(before) == 2
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while len(set(workers_of_server(srv)) - set(before)) < 1:
        assert time.monotonic() < deadline, "no worker replaced the killed one"
        time.sleep(0.1)
    wait_for_listeners(schema, 2, [], timeout=30)

    async def scenario() -> None:
        streams = await open_on_both(srv, f"/api/plans/{pid}/events", org)
        await snapshots(streams)
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            await post(client, srv, pid, random_checkin(random.Random(9)))
        acked = time.perf_counter()
        slowest = max(await reach(streams, 1, timeout=5)) - acked
        assert slowest < REACH_S, f"the slowest watcher after {slowest:.2f} s"
        for s in streams:
            s.close()

    asyncio.run(scenario())
