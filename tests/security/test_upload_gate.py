"""Uploads checked one at a time: expensive uploads never starve the check-ins.

The tester's finding: four organiser uploads of a plan with 400,000 keys
(~10 s each to read), checked at once in the thread pool, held the GIL and
raised the check-in p99 from 17 ms to 485 ms. Now one upload is checked at a
time (others wait in a short line, then 503 with Retry-After), and an upload
may take at most 3 s to read. Against a real server (SQLite).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from paradeops.service.upload_gate import QUEUE, UPLOAD_READ_SECONDS
from tests.service.server import Server, add_users
from tests.service.support import checkin

KEYS = 400_000
UPLOADS = QUEUE + 2  # one checked, QUEUE waiting, one refused at once


def huge_plan() -> bytes:
    """A plan of 400,000 keys (~6 MB): seconds of the checker's time, and not a plan."""
    lines = ["version: 1", "parade:", "  name: Huge", "notes:"]
    lines += [f"  k{i}: {i}" for i in range(KEYS)]
    return ("\n".join(lines) + "\n").encode()


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def test_expensive_uploads_do_not_slow_checkins(tmp_path: Path) -> None:
    database = str(tmp_path / "gate.sqlite")
    add_users(database)
    server = Server(database, tmp_path / "server.log").start()
    try:
        org = server.token("org")
        plan_id = server.upload(org)
        url = f"{server.base}/api/plans/{plan_id}/checkins"
        body = huge_plan()
        answers: list[httpx.Response] = []
        latencies: list[float] = []
        failures: list[str] = []
        stop = threading.Event()

        def upload() -> None:
            with httpx.Client(headers=org, timeout=120) as client:
                answers.append(
                    client.post(
                        f"{server.base}/api/plans",
                        content=body,
                        headers={"Content-Type": "application/yaml"},
                    )
                )

        def marshal() -> None:
            with httpx.Client(headers=org, timeout=60) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    c = checkin("band", "start", "head", f"10:{i // 60 % 60:02d}:{i % 60:02d}")
                    t0 = time.perf_counter()
                    r = client.post(url, json=c)
                    latencies.append(time.perf_counter() - t0)
                    if r.status_code != 201:
                        failures.append(f"{r.status_code} {r.text[:200]}")
                    time.sleep(0.01)

        checker = threading.Thread(target=marshal)
        checker.start()
        time.sleep(2.0)  # a baseline of check-ins first
        baseline = len(latencies)
        uploaders = [threading.Thread(target=upload) for _ in range(UPLOADS)]
        for t in uploaders:
            t.start()
            time.sleep(0.3)  # each upload's body in before the next: a known order
        for t in uploaders:
            t.join(180)
        stop.set()
        checker.join(60)
    finally:
        server.stop()

    assert failures == []
    codes = sorted(r.status_code for r in answers)
    # One refused at once (the line was full), with a time to come back; the
    # others checked in turn and refused for their read time, never a 500.
    assert codes.count(503) >= 1, codes
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.headers["Retry-After"].isdigit() and "try again" in busy.json()["detail"]
    read = [r for r in answers if r.status_code == 400]
    assert len(read) + codes.count(503) == UPLOADS, codes
    # Each refused for its read time or, read within it (the fast reader takes ~2 s of
    # CPU), for what it lacks as a plan: a located 400 either way.
    assert all(
        f"longer than {UPLOAD_READ_SECONDS:g} s" in r.json()["detail"]
        or "notes: unknown field 'notes'" in r.json()["detail"]
        for r in read
    ), [r.json()["detail"][:200] for r in read]
    before, during = latencies[:baseline], latencies[baseline:]
    assert len(during) > 100
    # The target is 100 ms; on a machine busy with other work, within 4x what
    # check-ins took there just before (the finding: 17 ms became 485 ms).
    bound = max(0.1, 4 * p99(before))
    assert p99(during) < bound, (
        f"check-in p99 {p99(during) * 1000:.0f} ms while uploads were checked "
        f"({p99(before) * 1000:.0f} ms before)"
    )
