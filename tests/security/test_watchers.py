"""Finding 8 (watchers), against a real server: snapshots, small deltas, catch-up, caps, fan-out.

Before: every watcher was sent the whole ``/live`` document (535 kB at 1k
check-ins) on every change, computed per watcher; with 500 watchers each got
an update every ~17 s, and nothing capped their number.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from paradeops.service.broadcast import Watcher
from paradeops.service.control.merge_patch import apply
from tests.service.server import Server, add_users
from tests.service.support import SMALL_PLAN, checkin

UNITS = ("colour-guard", "band", "tanks")
CHECKPOINTS = ("start", "tribune", "release")


# --- a raw SSE client (asyncio sockets: hundreds of them are cheap) ---------------------


@dataclass
class Event:
    kind: str
    id: int
    data: Any
    size: int  # bytes of the data line


@dataclass
class Stream:
    """One SSE connection, read by hand (HTTP/1.1, chunked)."""

    status: int
    headers: dict[str, str]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    body: bytes = b""
    buffer: bytes = field(default=b"")

    @classmethod
    async def open(
        cls, port: int, path: str, token: dict[str, str], last_event_id: str | None = None
    ) -> Stream:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**26)
        extra = f"Last-Event-ID: {last_event_id}\r\n" if last_event_id is not None else ""
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: {token['Authorization']}\r\n"
            f"Accept: text/event-stream\r\n{extra}\r\n".encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in head[1:] if h)
        }
        s = cls(int(head[0].split()[1]), headers, reader, writer)
        if "content-length" in headers:
            s.body = await reader.readexactly(int(headers["content-length"]))
        return s

    async def _chunk(self) -> bytes:
        size = int((await self.reader.readline()).strip(), 16)
        data = await self.reader.readexactly(size + 2)
        if size == 0:
            raise EOFError("the stream ended")
        return data[:-2]

    async def event(self) -> Event:
        """The next event (comments skipped)."""
        while True:
            while b"\n\n" not in self.buffer:
                self.buffer += await self._chunk()
            raw, self.buffer = self.buffer.split(b"\n\n", 1)
            fields = dict(
                line.split(": ", 1) for line in raw.decode().split("\n") if not line.startswith(":")
            )
            if fields:
                return Event(
                    fields["event"], int(fields["id"]), json.loads(fields["data"]), len(raw)
                )

    def close(self) -> None:
        self.writer.close()


# --- the server ---------------------------------------------------------------------------


def _start(tmp: Path, *args: str) -> Server:
    url = str(tmp / "paradeops.sqlite")
    add_users(url)
    return Server(url, tmp / "server.log", args=args).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Hundreds of watchers here share one sign-in (test_watchers_sessions.py tests its cap).
    srv = _start(tmp_path_factory.mktemp("watchers"), "--max-watchers-per-session", "1000")
    yield srv
    srv.stop()


def new_plan(srv: Server, org: dict[str, str]) -> int:
    r = httpx.post(
        f"{srv.base}/api/plans",
        content=SMALL_PLAN,
        headers={**org, "Content-Type": "application/yaml"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def random_checkin(rng: random.Random) -> dict[str, Any]:
    second = rng.randrange(0, 20 * 60)
    return checkin(
        rng.choice(UNITS),
        rng.choice(CHECKPOINTS),
        rng.choice(("head", "tail")),
        f"10:{second // 60:02d}:{second % 60:02d}",
    )


async def post(client: httpx.AsyncClient, srv: Server, pid: int, body: dict[str, Any]) -> None:
    r = await client.post(f"{srv.base}/api/plans/{pid}/checkins", json=body)
    assert r.status_code == 201, r.text


async def post_raw(
    srv: Server, token: dict[str, str], pid: int, bodies: list[dict[str, Any]]
) -> None:
    """Check-ins over one keep-alive connection, by hand (thousands, quickly)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", srv.port)
    for body in bodies:
        data = json.dumps(body).encode()
        writer.write(
            f"POST /api/plans/{pid}/checkins HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: {token['Authorization']}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 201"), head
        i = head.lower().index(b"content-length:") + 15
        await reader.readexactly(int(head[i : head.index(b"\r\n", i)]))
    writer.close()


async def until(s: Stream, test: Any, timeout: float = 10.0) -> list[Event]:
    """Events read until one passes ``test`` (that one last)."""
    seen: list[Event] = []
    async with asyncio.timeout(timeout):
        while True:
            seen.append(await s.event())
            if test(seen[-1]):
                return seen


def follow(doc: Any, events: list[Event]) -> Any:
    for e in events:
        doc = e.data if e.kind == "snapshot" else apply(doc, e.data)
    return doc


# --- the tests ----------------------------------------------------------------------------


def test_snapshot_then_deltas_with_ids_counting_up(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)

    async def scenario() -> None:
        a = await Stream.open(server.port, f"/api/plans/{pid}/events", org)
        assert a.status == 200 and a.headers["content-type"].startswith("text/event-stream")
        first = await a.event()
        assert first.kind == "snapshot" and first.data["checkins"] == 0
        assert set(first.data["units"]) == set(UNITS)  # keyed by unit id
        doc, last = first.data, first.id
        rng = random.Random(8)
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            for n in range(1, 4):
                await post(client, server, pid, random_checkin(rng))
                events = await until(a, lambda e, n=n: e.data.get("checkins") == n)
                for e in events:
                    assert e.kind == "delta" and e.id == last + 1
                    last = e.id
                doc = follow(doc, events)
        # What the deltas built is the document a newcomer gets whole.
        b = await Stream.open(server.port, f"/api/plans/{pid}/events", org)
        fresh = await b.event()
        assert fresh.kind == "snapshot"
        if fresh.id > last:  # the clock moved on meanwhile: catch up with it
            doc = follow(doc, await until(a, lambda e: e.id == fresh.id))
        assert doc == fresh.data and doc["checkins"] == 3 and len(doc["graph"]["actuals"]) == 3
        a.close()
        b.close()

    asyncio.run(scenario())


def test_reconnecting_with_last_event_id_gets_only_what_it_missed(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)
    path = f"/api/plans/{pid}/events"

    async def scenario() -> None:
        a = await Stream.open(server.port, path, org)
        before = await a.event()
        a.close()  # gone: two check-ins happen without it
        witness = await Stream.open(server.port, path, org)
        now = (await witness.event()).data
        rng = random.Random(9)
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            for _ in range(2):
                await post(client, server, pid, random_checkin(rng))
        caught = await until(witness, lambda e: e.data.get("checkins") == 2)
        now = follow(now, caught)
        again = await Stream.open(server.port, path, org, last_event_id=str(before.id))
        missed = await until(again, lambda e: e.id == caught[-1].id)
        assert all(e.kind == "delta" for e in missed), [e.kind for e in missed]
        assert [e.id for e in missed] == list(range(before.id + 1, caught[-1].id + 1))
        assert follow(before.data, missed) == now
        witness.close()
        again.close()

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "last_event_id", ["1", "0", "abc", "-5", "9" * 30, "１２３", "99999999999999999"]
)
def test_an_unknown_or_too_old_last_event_id_gets_a_snapshot(
    server: Server, last_event_id: str
) -> None:
    org = server.token("org")
    pid = new_plan(server, org)

    async def scenario() -> None:
        s = await Stream.open(
            server.port, f"/api/plans/{pid}/events", org, last_event_id=last_event_id
        )
        assert s.status == 200
        first = await s.event()
        assert first.kind == "snapshot" and first.data["plan"] == pid
        s.close()

    asyncio.run(scenario())


def test_no_stream_for_a_plan_that_does_not_exist(server: Server) -> None:
    org = server.token("org")

    async def scenario() -> None:
        for path in ("/api/plans/987654/events", "/api/plans/987654/announcer/events"):
            s = await Stream.open(server.port, path, org)
            assert s.status == 404 and json.loads(s.body) == {"detail": "no plan 987654"}
            s.close()

    asyncio.run(scenario())


def test_a_new_revision_is_sent_as_a_snapshot(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)

    async def scenario() -> None:
        s = await Stream.open(server.port, f"/api/plans/{pid}/events", org)
        first = await s.event()
        async with httpx.AsyncClient(headers=org, timeout=60) as client:
            r = await client.put(
                f"{server.base}/api/plans/{pid}",
                content=SMALL_PLAN.replace("Test Parade", "Test Parade, revised"),
                headers={"Content-Type": "application/yaml"},
            )
            assert r.status_code == 201, r.text
        events = await until(s, lambda e: e.data.get("revision") == 2)
        assert events[-1].kind == "snapshot" and events[-1].id > first.id
        s.close()

    asyncio.run(scenario())


def test_the_announcer_has_a_stream_of_its_own(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)

    async def scenario() -> None:
        s = await Stream.open(server.port, f"/api/plans/{pid}/announcer/events", org)
        first = await s.event()
        assert first.kind == "snapshot" and set(first.data) == {
            "plan",
            "revision",
            "checkins",
            "now",
            "timezone",
            "script",
            "incidents",
        }
        assert sorted(first.data["script"], key=lambda u: first.data["script"][u]["order"]) == [
            "colour-guard",
            "band",
            "tanks",
        ]
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            await post(client, server, pid, checkin("band", "tribune", "head", "10:00:30"))
        events = await until(s, lambda e: e.data.get("checkins") == 1)
        doc = follow(first.data, events)
        assert doc["script"]["band"]["order"] == 0 and doc["script"]["band"]["observed"]
        s.close()

    asyncio.run(scenario())


def test_a_delta_stays_small_with_thousands_of_checkins(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)
    rng = random.Random(3000)
    bodies = [random_checkin(rng) for _ in range(3000)]

    async def scenario() -> None:
        async with httpx.AsyncClient(headers=org, timeout=60) as client:
            await asyncio.gather(*(post_raw(server, org, pid, bodies[i::8]) for i in range(8)))
            s = await Stream.open(server.port, f"/api/plans/{pid}/events", org)
            snapshot = await s.event()
            assert snapshot.data["checkins"] == 3000
            assert snapshot.size > 200_000  # the whole document is large…
            await post(client, server, pid, checkin("tanks", "release", "tail", "10:19:59"))
            events = await until(s, lambda e: e.data.get("checkins") == 3001)
        # …but what a check-in changes is small (every unit's projection may move).
        assert all(e.kind == "delta" for e in events)
        assert max(e.size for e in events) < 8_000, [e.size for e in events]
        s.close()

    asyncio.run(scenario())


def test_two_hundred_watchers_all_get_a_checkin_within_a_second(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)

    async def scenario() -> list[float]:
        streams = [
            await Stream.open(server.port, f"/api/plans/{pid}/events", org) for _ in range(200)
        ]
        for s in streams:
            assert (await s.event()).kind == "snapshot"
        latencies: list[float] = []
        async with httpx.AsyncClient(headers=org, timeout=30) as client:
            for n in range(1, 4):
                await post(client, server, pid, checkin("band", "start", "head", f"10:01:0{n}"))
                acked = time.perf_counter()

                async def receipt(s: Stream, n: int = n, acked: float = acked) -> float:
                    await until(s, lambda e: e.data.get("checkins") == n)
                    return time.perf_counter() - acked

                latencies += await asyncio.gather(*(receipt(s) for s in streams))
        for s in streams:
            s.close()
        return latencies

    latencies = asyncio.run(scenario())
    assert len(latencies) == 600
    assert max(latencies) < 1.0, (statistics.median(latencies), max(latencies))


def test_the_cap_refuses_one_watcher_too_many_and_frees_on_disconnect(
    tmp_path: Path,
) -> None:
    srv = _start(tmp_path, "--max-watchers", "3")
    try:
        org = srv.token("org")
        pid = new_plan(srv, org)
        other = new_plan(srv, org)

        async def scenario() -> None:
            control, announcer = f"/api/plans/{pid}/events", f"/api/plans/{pid}/announcer/events"
            held = [await Stream.open(srv.port, p, org) for p in (control, control, announcer)]
            for s in held:
                assert (await s.event()).kind == "snapshot"
            refused = await Stream.open(srv.port, control, org)
            assert refused.status == 503 and refused.headers["retry-after"] == "10"
            detail = json.loads(refused.body)["detail"]
            assert f"plan {pid}" in detail and "most watchers allowed (3)" in detail
            # The cap is per plan: another plan's control room still opens.
            elsewhere = await Stream.open(srv.port, f"/api/plans/{other}/events", org)
            assert elsewhere.status == 200
            # A watcher that leaves frees its slot at once, not at the next event.
            held.pop().close()
            deadline = time.monotonic() + 2.0
            while True:
                again = await Stream.open(srv.port, announcer, org)
                if again.status == 200 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
            assert again.status == 200 and (await again.event()).kind == "snapshot"
            for s in [*held, elsewhere, again]:
                s.close()

        asyncio.run(scenario())
    finally:
        srv.stop()
    log = (tmp_path / "server.log").read_text()
    assert f"watcher refused: plan {pid} has its 3 watchers" in log
    assert "Traceback" not in log and "Bearer" not in log


def test_live_answers_304_when_the_document_is_unchanged(server: Server) -> None:
    org = server.token("org")
    pid = new_plan(server, org)
    with httpx.Client(headers=org, timeout=30) as client:
        url = f"{server.base}/api/plans/{pid}/live"
        answers = []
        for _ in range(5):  # a document is reused for a second: two quick GETs share it
            first = client.get(url)
            assert first.status_code == 200 and first.json()["plan"] == pid
            again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
            answers.append(again)
            if again.status_code == 304:
                break
        assert answers[-1].status_code == 304 and answers[-1].content == b""
        changed = client.get(url, headers={"If-None-Match": '"not-the-current-one"'})
        assert changed.status_code == 200 and changed.json()["plan"] == pid


def test_a_watcher_that_falls_behind_is_dropped_not_buffered() -> None:
    async def scenario() -> None:
        dropped: list[bool] = []
        w = Watcher(limit=4)
        w.on_drop = lambda: dropped.append(True)
        for i in range(4):
            w.offer(b"event %d\n\n" % i)
        assert await w.take() == b"event 0\n\nevent 1\n\nevent 2\n\nevent 3\n\n"
        for _ in range(5):  # it stops reading: the fifth is one too many
            w.offer(b"x")
        assert w.dropped and dropped == [True] and not w.waiting

    asyncio.run(scenario())
