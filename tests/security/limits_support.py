"""A real server with extra ``serve`` options, its memory, and raw-socket attackers."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from tests.service.server import Server, add_users

MB = 1024 * 1024
#: A check-in the test marshal may post (plus an "id"); SMALL_PLAN's parade day.
CHECKIN = {"unit": "band", "checkpoint": "start", "part": "head", "at": "2025-05-09T10:05:00+03:00"}


class OptionServer(Server):
    """:class:`Server` started with extra ``serve`` options, whose memory can be read."""

    def __init__(self, url: str, log: Path, options: Sequence[str] = ()) -> None:
        super().__init__(url, log, args=tuple(options))

    def start(self, timeout: float = 90.0) -> OptionServer:
        super().start(timeout)
        return self

    def rss_bytes(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")


class PeakRss:
    """The server's largest RSS while the ``with`` block runs (sampled every 10 ms)."""

    def __init__(self, server: OptionServer) -> None:
        self.server = server
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.server.rss_bytes())

    def __enter__(self) -> PeakRss:
        self.peak = self.server.rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def flood(
    port: int,
    path: str,
    *,
    total: int,
    chunked: bool,
    method: str = "POST",
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    prefix: bytes = b"",
    timeout: float = 30.0,
) -> tuple[bytes, int]:
    """Stream up to ``total`` bytes of body to ``path``; (the answer's first bytes, bytes sent).

    The body is ``prefix`` (a multipart part's head, say), then ``[`` after
    ``[``. Sends as fast as the server reads and stops as soon as an answer
    arrives (a client that reads while it sends, as curl and browsers do).
    """
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {total}\r\n\r\n"
    block = b"[" * 65536
    frames = [_framed(prefix, chunked)] if prefix else []
    sent = 0
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(5)  # a server that stops reading without answering: stop sending
        s.sendall(head.encode())
        try:
            while sent < total and time.monotonic() < deadline:
                readable, writable, _ = select.select([s], [s], [], 1.0)
                if readable:
                    break
                if writable:
                    frame = frames.pop(0) if frames else _framed(block, chunked)
                    s.sendall(frame)
                    sent += len(frame)
        except OSError:  # the server closed the connection: its answer may still be read
            pass
        return read_answer(s), sent


def _framed(data: bytes, chunked: bool) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data) if chunked else data


def read_answer(s: socket.socket, timeout: float = 10.0) -> bytes:
    """One HTTP answer (headers and a Content-Length body), or what came before EOF."""
    s.settimeout(timeout)
    data = b""
    try:
        while chunk := s.recv(65536):
            data += chunk
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep and len(body) >= _content_length(head):
                break
    except OSError:
        pass
    return data


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def start(tmp_path: Path, *options: str) -> OptionServer:
    """A real server on a fresh SQLite database in ``tmp_path``, with ``options`` to serve."""
    url = str(tmp_path / "paradeops.sqlite")
    add_users(url)
    return OptionServer(url, tmp_path / "server.log", options).start()
