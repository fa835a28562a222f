"""Against a running server: 50 concurrent marshals, a SIGKILL mid-load, the SSE push."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paradeops.service.control import merge_patch

from .server import Server, add_users
from .support import MSK

pytestmark = pytest.mark.slow
UNITS = ["colour-guard", "band", "tanks"]
CHECKPOINTS = ["start", "tribune", "release"]


def random_checkin(rng: random.Random) -> dict[str, str]:
    at = dt.datetime(2025, 5, 9, 10, 0, tzinfo=MSK) + dt.timedelta(seconds=rng.uniform(0, 900))
    return {
        "id": str(uuid.uuid4()),
        "unit": rng.choice(UNITS),
        "checkpoint": rng.choice(CHECKPOINTS),
        "part": rng.choice(["head", "tail"]),
        "at": at.isoformat(),
    }


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    add_users(database_url)
    srv = Server(database_url, tmp_path / "server.log").start()
    yield srv
    srv.stop()


def test_fifty_marshals_every_acknowledged_checkin_stored_once(server: Server) -> None:
    org, mar = server.token("org"), server.token("mar")
    pid = server.upload(org)
    url = f"{server.base}/api/plans/{pid}/checkins"
    acked: dict[str, dict[str, str]] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def marshal(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(headers=mar, timeout=60) as client:
            for _ in range(100):
                c = random_checkin(rng)
                # A retry (the phone did not see the answer) must be harmless.
                for attempt in range(1 + (rng.random() < 0.2)):
                    r = client.post(url, json=c)
                    want = 201 if attempt == 0 else 200
                    if r.status_code != want:
                        errors.append(f"{r.status_code} {r.text}")
                    else:
                        with lock:
                            acked[c["id"]] = r.json()

    threads = [threading.Thread(target=marshal, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    stored = httpx.get(url, headers=org, timeout=60).json()
    ids = [s["id"] for s in stored]
    assert len(ids) == len(set(ids)) == 5000
    assert set(ids) == set(acked)
    by_id = {s["id"]: s for s in stored}
    assert all(by_id[i] == acked[i] for i in acked)


def test_sigkill_loses_nothing_acknowledged(tmp_path: Path) -> None:
    url = str(tmp_path / "killed.sqlite")
    add_users(url)
    srv = Server(url, tmp_path / "server.log").start()
    org, mar = srv.token("org"), srv.token("mar")
    pid = srv.upload(org)
    acked: set[str] = set()
    stop = threading.Event()
    lock = threading.Lock()

    def load(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(headers=mar, timeout=10) as client:
            while not stop.is_set():
                c = random_checkin(rng)
                try:
                    r = client.post(f"{srv.base}/api/plans/{pid}/checkins", json=c)
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code in (200, 201):
                    with lock:
                        acked.add(c["id"])

    threads = [threading.Thread(target=load, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acked) < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.proc is not None
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(30)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) >= 300
    again = Server(url, tmp_path / "restart.log").start()
    try:
        stored = httpx.get(
            f"{again.base}/api/plans/{pid}/checkins", headers=again.token("org"), timeout=60
        ).json()
    finally:
        again.stop()
    assert acked <= {s["id"] for s in stored}


def test_control_room_is_pushed_each_checkin(server: Server) -> None:
    org = server.token("org")
    pid = server.upload(org)
    latencies = []
    with (
        httpx.Client(headers=org, timeout=30) as client,
        client.stream("GET", f"{server.base}/api/plans/{pid}/events") as events,
    ):
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = events.iter_lines()

        doc: dict = {}

        def next_status() -> dict:
            # A snapshot is the whole document; a delta, a merge patch of the last one.
            nonlocal doc
            for line in lines:
                if line.startswith("data: "):
                    doc = merge_patch.apply(doc, json.loads(line[6:]))
                    return doc
            raise AssertionError("stream ended")

        assert next_status()["checkins"] == 0
        rng = random.Random(1)
        for n in range(1, 4):
            sent = time.monotonic()
            r = client.post(f"{server.base}/api/plans/{pid}/checkins", json=random_checkin(rng))
            assert r.status_code == 201
            while next_status()["checkins"] < n:
                pass
            latencies.append(time.monotonic() - sent)
    # The issue asks for 1 s; the bound is looser for a loaded test machine.
    assert max(latencies) < 3.0, latencies
