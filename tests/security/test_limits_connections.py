"""Finding 8 (second half): half-open connections held for a minute, no connection cap.

Before: 2,000 connections that each sent half a request line were all held
for a minute (no header timeout, no cap). Now a connection whose request
headers are not complete within ``--header-timeout`` is closed (with a 408),
check-ins go on meanwhile, and connections beyond ``--max-connections`` are
closed as soon as they are accepted.
"""

from __future__ import annotations

import select
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .limits_support import CHECKIN, OptionServer, start

pytestmark = pytest.mark.slow
HEADER_TIMEOUT_S = 2.0



@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OptionServer]:
    srv = start(tmp_path_factory.mktemp("slow"), "--header-timeout", str(HEADER_TIMEOUT_S))
    yield srv
    srv.stop()


def half_open(port: int, n: int, data: bytes = b"GET /api/plans HT") -> list[socket.socket]:
    """``n`` connections that each send ``data`` and then nothing."""
    sockets = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(data)
        sockets.append(s)
    return sockets


def closed_by_server(s: socket.socket, wait_s: float) -> bool:
    """Whether the server closes ``s`` within ``wait_s`` (EOF or reset, after any answer)."""
    deadline = time.monotonic() + wait_s
    while True:
        left = max(0.0, deadline - time.monotonic())
        readable, _, _ = select.select([s], [], [], left)
        if not readable:
            return False
        try:
            if not s.recv(65536):
                return True
        except OSError:
            return True


def test_slowloris_connections_are_closed_and_checkins_go_on(slow_server: OptionServer) -> None:
    plan_id = slow_server.upload(slow_server.token("org"))  # assigns ``mar`` its checkpoints
    mar = slow_server.token("mar")
    opened = time.monotonic()
    attackers = half_open(slow_server.port, 300)
    try:
        # Meanwhile a marshal's check-in is answered at once.
        t0 = time.monotonic()
        r = httpx.post(
            f"{slow_server.base}/api/plans/{plan_id}/checkins",
            json={**CHECKIN, "id": str(uuid.uuid4())},
            headers=mar,
            timeout=10,
        )
        assert r.status_code == 201, r.text
        assert time.monotonic() - t0 < 1.0
        still_open = [s for s in attackers if not closed_by_server(s, 0.0)]
        assert len(still_open) == 300, "closed before the header timeout"
        closed = sum(closed_by_server(s, HEADER_TIMEOUT_S + 5) for s in attackers)
        assert closed == 300, f"only {closed} of 300 half-open connections were closed"
        assert time.monotonic() - opened < HEADER_TIMEOUT_S + 6
    finally:
        for s in attackers:
            s.close()


def test_the_timeout_answer_is_a_408(slow_server: OptionServer) -> None:
    (s,) = half_open(slow_server.port, 1, b"POST /api/token HTTP/1.1\r\nHost: x\r\n")
    with s:
        s.settimeout(HEADER_TIMEOUT_S + 5)
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408 "), answer


def test_slow_headers_on_a_kept_alive_connection_are_closed_too(
    slow_server: OptionServer,
) -> None:
    """A first quick request, then a second one that never finishes its headers."""
    with socket.create_connection(("127.0.0.1", slow_server.port)) as s:
        s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(10)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 ")
        # Keep the keep-alive timer (5 s) from closing it first: send part of a request,
        # a byte a second, slower than the header deadline allows.
        started = time.monotonic()
        s.sendall(b"GET /api/plans HTTP/1.1\r\n")
        for byte in b"Host: x\r\nX-Slow: yes":
            if closed_by_server(s, 1.0):
                break
            try:
                s.sendall(bytes([byte]))
            except OSError:
                break
        held = time.monotonic() - started
    assert held < HEADER_TIMEOUT_S + 2, f"held {held:.1f} s"


def test_connections_over_the_cap_are_closed_at_once(tmp_path: Path) -> None:
    server = start(tmp_path, "--max-connections", "50", "--header-timeout", "60")
    try:
        held = half_open(server.port, 50)
        time.sleep(0.5)
        over = half_open(server.port, 10)
        assert all(closed_by_server(s, 2.0) for s in over), "over the cap but kept"
        assert not any(closed_by_server(s, 0.0) for s in held), "under the cap but closed"
        for s in held[:5]:
            s.close()
        time.sleep(0.5)
        # Room again: an ordinary request is answered.
        assert httpx.get(server.base + "/login", timeout=10).status_code == 200
        for s in held[5:] + over:
            s.close()
        log = Path(server.log).read_text()
        assert "connection refused: 50 open, the cap is 50" in log
    finally:
        server.stop()
