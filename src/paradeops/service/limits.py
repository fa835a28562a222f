"""Request bodies bounded while they stream, before any route sees them.

:class:`BodyLimit` is a plain ASGI middleware installed outside everything
else (the check-in fast path, authentication, FastAPI's body parsing), so an
anonymous client can never make the service hold more than one route's limit
in memory:

* uploads (plans, guest books, multipart included) may carry
  ``settings.max_upload_bytes`` (plus a little for the form's framing); the
  body is passed on as it arrives and counted, and the request is cut off with
  a 413 at the first byte over;
* every other body (check-ins, guest events, voids, sign-in forms …) is read
  first, up to ``settings.max_json_bytes`` (a 413 at the first byte over), and
  a JSON body is refused with a 400 if its brackets nest deeper than
  :data:`MAX_JSON_DEPTH` (Python's ``json`` recurses once per level and a
  few thousand levels end in a RecursionError);
* a Content-Length over the limit is refused before one byte is read.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, cast

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paradeops.service.settings import ServiceSettings

#: Deepest nesting of arrays and objects in a JSON body (a check-in has 1).
MAX_JSON_DEPTH = 64
#: Room for a multipart form's boundaries and part headers beyond the files.
FORM_FRAMING_BYTES = 64 * 1024

#: The routes that take files (method, path); all other bodies are small.
_UPLOADS = (
    ("POST", re.compile(r"/api/plans/?")),
    ("PUT", re.compile(r"/api/plans/[^/]+/?")),
    ("POST", re.compile(r"/api/guestbooks/?")),
)
#: Inside a JSON body only these matter for depth: brackets, quotes, escapes.
_DEPTH_TOKENS = re.compile(rb'\\.|["\[\]{}]', re.DOTALL)
_JSON_HEADERS = [(b"content-type", b"application/json"), (b"connection", b"close")]

logger = logging.getLogger(__name__)


class BodyTooLarge(Exception):
    """Raised from ``receive`` inside the app when an upload passes its limit."""


def is_upload(method: str, path: str) -> bool:
    return any(method == m and pattern.fullmatch(path) for m, pattern in _UPLOADS)


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in ``body`` nest deeper than ``limit``.

    Brackets inside strings do not count. A body cannot nest deeper than its
    number of opening brackets, which a C-speed count gives for nearly every
    real body; only a body with more than ``limit`` of them is scanned.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    in_string = False
    for token in _DEPTH_TOKENS.finditer(body):
        t = token[0]
        if t == b'"':
            in_string = not in_string
        elif in_string or len(t) == 2:  # in a string, or an escape (\" is not a quote)
            continue
        elif t in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def is_json(scope: Scope) -> bool:
    """JSON or no declared type (FastAPI parses a body without a type as JSON)."""
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True


def _declared_length(scope: Scope) -> int | None:
    """The Content-Length, or None when the body is chunked (or absent)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return bool(value != b"0")
    return False


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} kB"


async def refuse(send: Send, status: int, detail: str) -> None:
    """A JSON error answer that also closes the connection (its body is left unread)."""
    payload = orjson.dumps({"detail": detail})
    headers = [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def too_large_detail(limit: int) -> str:
    return f"the request body is over this route's limit of {_size(limit)}"


class BodyLimit:
    def __init__(self, app: ASGIApp, settings: ServiceSettings) -> None:
        self.app = app
        self.json_limit = settings.max_json_bytes
        self.upload_limit = settings.max_upload_bytes + FORM_FRAMING_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            return await self.app(scope, receive, send)
        upload = is_upload(scope["method"], scope["path"])
        limit = self.upload_limit if upload else self.json_limit
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            return await refuse(send, 413, too_large_detail(limit))
        if upload:
            return await self._stream(scope, receive, send, limit)
        return await self._buffered(scope, receive, send, limit)

    async def _buffered(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Read the whole (small) body, check it, then hand it on in one message."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return await refuse(send, 413, too_large_detail(limit))
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if is_json(scope) and json_depth_exceeds(body):
            detail = f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels"
            return await refuse(send, 400, detail)
        await self.app(scope, _once(body, receive), send)

    async def _stream(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Pass the body on as it comes, counting; cut it off at the first byte over."""
        size = 0
        overflowed = started = False

        async def counted() -> Message:
            nonlocal size, overflowed
            if overflowed:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                size += len(message.get("body", b""))
                if size > limit:
                    overflowed = True
                    raise BodyTooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if overflowed:  # whatever the app makes of the cut-off, the answer is the 413
                return
            started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not overflowed:
                raise
        if overflowed and not started:  # else the server closes the half-sent answer
            await refuse(send, 413, too_large_detail(limit))


def replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first hands out the messages a middleware has read already."""
    pending = list(messages)

    async def again() -> Message:
        return pending.pop(0) if pending else await receive()

    return again


def _once(body: bytes, receive: Receive) -> Receive:
    """``receive`` that hands out ``body`` first, then waits for the disconnect."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


# --- connections: deadlines, sizes and a cap, in uvicorn's HTTP protocol ---------------

connection_log = logging.getLogger("paradeops.connections")
#: The scope key of the connection's own peer address (host, port), which a trusted
#: proxy's X-Forwarded-For replaces in "client".
PEER_KEY = "paradeops.peer"
#: How often a body's progress is checked against its deadline or rate [s].
BODY_CHECK_S = 1.0


@dataclass(frozen=True)
class ConnectionLimits:
    """What a connection may take: the settings :func:`guarded_http` enforces."""

    header_timeout_s: float
    max_connections: int
    max_header_bytes: int
    body_timeout_s: float
    #: An upload's slowest average once ``body_timeout_s`` has passed [bytes/s].
    min_upload_rate: float

    @classmethod
    def of(cls, settings: ServiceSettings) -> ConnectionLimits:
        return cls(
            header_timeout_s=settings.header_timeout_s,
            max_connections=settings.max_connections,
            max_header_bytes=settings.max_header_bytes,
            body_timeout_s=settings.body_timeout_s,
            min_upload_rate=settings.min_upload_rate_kbps * 1024,
        )


def guarded_http(settings: ServiceSettings) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol with deadlines, a header size limit and a connection cap.

    uvicorn closes idle keep-alive connections, but a client that sends its
    request line and headers a byte at a time (slowloris) is waited for
    forever; thousands of them hold the server's sockets. Here:

    * every request's headers must be complete within ``header_timeout_s`` of
      the connection's start or of the request's first byte (else 408);
    * the request line and headers may hold ``max_header_bytes`` in all,
      counted as the bytes arrive (the parser would otherwise buffer a header
      of any size): a 431 at the first byte over;
    * a body must keep coming: a small route's whole body within
      ``body_timeout_s`` of its headers, an upload's at an average of at least
      ``min_upload_rate_kbps`` once ``body_timeout_s`` has passed (else 408);
      time while the server itself is not reading (back-pressure) does not count;
    * a connection beyond ``max_connections`` open ones is closed as soon as
      it is accepted.
    """
    # uvicorn is imported when a server is built, not when the app is.
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    guarded = type(
        "GuardedHttpTools",
        (_ConnectionGuards, HttpToolsProtocol),
        {"limits": ConnectionLimits.of(settings)},
    )
    return cast(type[asyncio.Protocol], guarded)


if TYPE_CHECKING:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _GuardedBase
else:
    _GuardedBase = object


class _ConnectionGuards(_GuardedBase):
    """The guards of :func:`guarded_http`, put in front of uvicorn's protocol there."""

    limits: ClassVar[ConnectionLimits]
    _header_deadline: asyncio.TimerHandle | None = None
    _body_check: asyncio.TimerHandle | None = None
    #: Between a request's first byte (or the connection's start) and its headers' end.
    _in_head = True
    _head_bytes = 0
    _body_upload = False
    _body_bytes = 0
    #: The body's clock [s]: time it has been waited for while the server was reading.
    _body_waited = 0.0

    # --- uvicorn's callbacks, each with its guard --------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        cap = self.limits.max_connections
        if len(self.connections) > cap:
            connection_log.warning(
                "connection refused: %d open, the cap is %d (--max-connections)",
                len(self.connections) - 1,
                cap,
            )
            transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            room = self.limits.max_header_bytes - self._head_bytes
            if len(data) > room:
                super().data_received(data[:room])  # the headers may end in there
                if self._in_head:
                    self._headers_too_large()
                    return
                if self.transport.is_closing():
                    return
                data = data[room:]
            else:
                self._head_bytes += len(data)
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._arm()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        # The peer as connected, before uvicorn's proxy headers middleware rewrites "client".
        cast(Scope, self.scope)[PEER_KEY] = self.client
        super().on_headers_complete()
        scope = cast(Scope, self.scope)
        if _has_body(scope) and not self.transport.is_closing():
            self._body_upload = is_upload(scope["method"], scope["path"])
            self._body_bytes = 0
            self._body_waited = 0.0
            self._body_check = self.loop.call_later(BODY_CHECK_S, self._check_body)

    def on_body(self, body: bytes) -> None:
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._stop_body_check()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._stop_body_check()
        super().connection_lost(exc)

    # --- the header deadline ---------------------------------------------------------

    def _arm(self) -> None:
        if self._header_deadline is None:
            self._header_deadline = self.loop.call_later(
                self.limits.header_timeout_s, self._too_slow
            )

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        self._close(
            "connection closed: no complete request headers within %g s",
            self.limits.header_timeout_s,
            _TIMEOUT_ANSWER if self._between_answers() else None,
        )

    def _headers_too_large(self) -> None:
        self._disarm()
        self._close(
            "connection closed: request headers over %s",
            _size(self.limits.max_header_bytes),
            _HEADERS_TOO_LARGE_ANSWER if self._between_answers() else None,
        )

    # --- the body's progress ---------------------------------------------------------

    def _stop_body_check(self) -> None:
        if self._body_check is not None:
            self._body_check.cancel()
            self._body_check = None

    def _check_body(self) -> None:
        self._body_check = None
        if self.transport.is_closing():
            return
        if not self.flow.read_paused:  # the server not reading is not the client's fault
            self._body_waited += BODY_CHECK_S
        if not self._body_late():
            self._body_check = self.loop.call_later(BODY_CHECK_S, self._check_body)
            return
        limits = self.limits
        rule = (
            f"an upload's body slower than {limits.min_upload_rate / 1024:g} kB/s"
            if self._body_upload
            else f"no complete request body within {limits.body_timeout_s:g} s"
        )
        cycle = self.cycle
        answer = cycle is not None and not cycle.response_started
        self._close("connection closed: %s", rule, _TIMEOUT_ANSWER if answer else None)

    def _body_late(self) -> bool:
        """A small body not complete in time, or an upload below the slowest average rate."""
        waited, limits = self._body_waited, self.limits
        if self._body_upload:
            return (
                waited > limits.body_timeout_s
                and self._body_bytes < limits.min_upload_rate * waited
            )
        return waited >= limits.body_timeout_s

    # --- closing ---------------------------------------------------------------------

    def _between_answers(self) -> bool:
        """No answer is being written (never write inside one: it is cut off instead)."""
        return self.cycle is None or self.cycle.response_complete

    def _close(self, why: str, arg: object, answer: bytes | None) -> None:
        client = self.client[0] if self.client else ""
        connection_log.info(why, arg, extra={"client": client})
        cycle = self.cycle
        if answer is not None:
            self.transport.write(answer)
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's receive() hears a disconnect
            cycle.message_event.set()
        self.transport.close()


_TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nrequest timeout\n"
)
_HEADERS_TOO_LARGE_ANSWER = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\nconnection: close\r\n\r\nrequest header fields too large\n"
)
