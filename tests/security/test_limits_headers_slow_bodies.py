"""Tester's findings 2 and 3: huge request headers, bodies sent a byte a second.

Before: a 50 MB ``X-Big:`` header on ``GET /login`` got a 200 (20 such
connections: +700 MB), and with ``--max-connections 100`` a hundred
connections sending one body byte a second held every slot for good. Now the
request line and headers are capped while they arrive (``--max-header-kb``,
a 431), a small route's body must arrive within ``--body-timeout`` and an
upload's at ``--min-upload-rate`` after that (a 408, the connection closed).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .limits_support import CHECKIN, MB, OptionServer, PeakRss, read_answer, start, status_of

pytestmark = pytest.mark.slow
BODY_TIMEOUT_S = 2.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OptionServer]:
    srv = start(
        tmp_path_factory.mktemp("slow_bodies"),
        "--max-connections",
        "30",
        "--body-timeout",
        str(BODY_TIMEOUT_S),
        "--min-upload-rate",
        "10",
    )
    yield srv
    srv.stop()


def big_header(port: int, megabytes: int, answers: list[bytes]) -> None:
    """``GET /login`` with an ``X-Big`` header of ``megabytes`` MB, sent as fast as read."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(10)
        block = b"a" * 65536
        try:
            s.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
            for _ in range(megabytes * 16):
                s.sendall(block)
            s.sendall(b"\r\n\r\n")
        except OSError:  # the server answered and closed
            pass
        answers.append(read_answer(s))


def test_a_huge_header_is_refused_with_431_and_memory_stays_flat(server: OptionServer) -> None:
    answers: list[bytes] = []
    with PeakRss(server) as peak:
        before = peak.peak
        threads = [
            threading.Thread(target=big_header, args=(server.port, 50, answers)) for _ in range(20)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert len(answers) == 20
    assert all(status_of(a) == 431 for a in answers), [a[:60] for a in answers]
    # 20 × 50 MB sent (+700 MB before); each connection holds at most ~32 kB now.
    assert peak.peak - before < 40 * MB, (peak.peak - before) / MB
    # Headers under the limit (32 kB by default) are still fine.
    r = httpx.get(server.base + "/login", headers={"X-Ok": "a" * 20_000}, timeout=10)
    assert r.status_code == 200
    assert "connection closed: request headers over 32 kB" in Path(server.log).read_text()


def slow_body(port: int, path: str, content_type: str, length: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\n\r\n".encode()
    )
    return s


def drip(sockets: list[socket.socket], seconds: float) -> dict[socket.socket, bytes]:
    """One byte a second to each socket for ``seconds``; what each got back before closing."""
    answers: dict[socket.socket, bytes] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(answers) < len(sockets):
        for s in sockets:
            if s in answers:
                continue
            try:
                s.sendall(b"[")
            except OSError:
                answers[s] = read_answer(s, 1.0)
        time.sleep(1.0)
    for s in sockets:
        if s not in answers:
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # else no answer and still open
                answers[s] = s.recv(65536)
    return answers


def drip_until_answered(s: socket.socket, seconds: float) -> tuple[bytes, float]:
    """One byte a second to ``s`` until the server answers; the answer and when
    it became readable (timed as it arrives, not when the next byte fails)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):  # closed by the server: its answer is waiting
            s.sendall(b"[")
        readable, _, _ = select.select([s], [], [], 1.0)
        if readable:
            return read_answer(s, 1.0), time.monotonic()
    return b"", time.monotonic()


def test_slow_json_bodies_time_out_and_free_every_slot(server: OptionServer) -> None:
    plan_id = server.upload(server.token("org"))
    mar = server.token("mar")
    # As many slow clients as the cap allows (30), each sending a byte a second.
    attackers = [
        slow_body(server.port, f"/api/plans/{plan_id}/checkins", "application/json", 1000)
        for _ in range(30)
    ]
    try:
        answers = drip(attackers, BODY_TIMEOUT_S + 4)
        assert len(answers) == 30, f"{30 - len(answers)} slow bodies still held"
        assert all(status_of(a) == 408 for a in answers.values())
        # The slots are free again: a marshal's check-in goes through at once.
        r = httpx.post(
            f"{server.base}/api/plans/{plan_id}/checkins",
            json={**CHECKIN, "id": str(uuid.uuid4())},
            headers=mar,
            timeout=10,
        )
        assert r.status_code == 201, r.text
    finally:
        for s in attackers:
            s.close()
    assert "no complete request body within 2 s" in Path(server.log).read_text()


def test_a_trickled_upload_is_cut_off_but_a_steady_one_is_not(server: OptionServer) -> None:
    org = server.token("org")
    auth = org["Authorization"]
    # 100 kB declared, a byte a second: far under 10 kB/s once the grace is over.
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(
        f"POST /api/plans HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n"
        f"Content-Type: application/yaml\r\nContent-Length: 100000\r\n\r\n".encode()
    )
    t0 = time.monotonic()
    with s:
        answer, answered_after = drip_until_answered(s, BODY_TIMEOUT_S + 6)
        assert status_of(answer) == 408
    # Bytes arrive once a second: cut at the first one past the grace (~3 s).
    assert answered_after - t0 < BODY_TIMEOUT_S + 4
    # A real upload that takes longer than the grace at a fair rate (20 kB/s) is read whole.
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        body = b"#" * 70_000  # a YAML comment: parsed, then refused as no plan (400)
        s.sendall(
            f"POST /api/plans HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n"
            f"Content-Type: application/yaml\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        )
        for i in range(0, len(body), 5000):
            s.sendall(body[i : i + 5000])
            time.sleep(0.25)
        assert status_of(read_answer(s)) not in (408, 413)
