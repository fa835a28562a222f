"""Check-ins (worker threads) wake the streams' producers (event loop), which fan out bytes.

A version counter per plan is all a producer needs: it waits until the
version moves on, then computes the new document. A change committed by this
process moves it at once (:meth:`Broadcaster.wake`); on PostgreSQL, one
committed by another worker or host moves it when its notification arrives
(``notify.py``), and :meth:`Broadcaster.publish` sends one for changes that
did not notify inside their own transaction.

The fan-out half lives here too: a :class:`Channel` per (plan, stream) holds
the latest document, its sequence number and a bounded history of deltas, and
hands the *same* encoded bytes to every :class:`Watcher`'s bounded queue. How
the documents are computed is ``control/stream.py``'s business.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, Protocol

import orjson

#: Events a watcher may have waiting before it counts as too slow and is dropped.
WATCHER_QUEUE = 64
#: Deltas kept per channel for reconnecting watchers, by count and by size.
HISTORY_EVENTS = 512
HISTORY_BYTES = 8 * 1024 * 1024
#: Event ids are ``tag * ID_SPAN + n``: n (wall-clock ms at the channel's start,
#: then +1 per event) stays below this for centuries.
ID_SPAN = 10**13


def worker_tag() -> int:
    """A random six-digit number naming this process in its event ids (below 2**63 / ID_SPAN)."""
    return 100_000 + secrets.randbelow(800_000)


class Relay(Protocol):
    """Tells the other workers and hosts that a plan changed (``notify.py``)."""

    def changed(self, plan_id: int) -> None: ...


class Broadcaster:
    def __init__(self, tag: int | None = None) -> None:
        #: Names this process: the high digits of its event ids, and its notifications.
        self.tag = worker_tag() if tag is None else tag
        #: Set while the worker listens to the database (PostgreSQL): see :meth:`publish`.
        self.relay: Relay | None = None
        self._lock = threading.Lock()
        self._versions: dict[int, int] = defaultdict(int)
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = (
            defaultdict(set)
        )
        #: Open (or opening) watcher streams per plan, for the caps. Event loop only.
        self.watching: dict[int, int] = defaultdict(int)
        #: Open (or opening) watcher streams per session (its token). Event loop only.
        self.by_session: dict[str, int] = defaultdict(int)
        #: The streams' channels by (plan, stream name). Event loop only.
        self.channels: dict[tuple[int, str], Channel] = {}

    def version(self, plan_id: int) -> int:
        with self._lock:
            return self._versions[plan_id]

    def publish(self, plan_id: int) -> None:
        """Called from any thread after a change to ``plan_id`` is committed.

        Wakes this process's producers and, through the relay, every other
        worker's (which then read the plan afresh). The check-in writer
        notifies inside its transaction instead and calls :meth:`wake`.
        """
        self.wake(plan_id)
        relay = self.relay
        if relay is not None:
            relay.changed(plan_id)

    def knows(self, plan_id: int) -> bool:
        """Whether this process has looked at the plan (or changed it) since it started."""
        with self._lock:
            return plan_id in self._versions

    def plans(self) -> list[int]:
        """Every plan whose version was ever asked for or moved on (what may be cached)."""
        with self._lock:
            return list(self._versions)

    def wake(self, plan_id: int) -> None:
        """Move the plan's version on and wake its producers here (any thread)."""
        with self._lock:
            self._versions[plan_id] += 1
            waiters = list(self._waiters[plan_id])
        for loop, ev in waiters:
            # A RuntimeError means that loop has closed; its waiter is gone.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ev.set)

    async def wait(self, plan_id: int, seen: int, timeout: float) -> int:
        """The plan's version, once it differs from ``seen`` or ``timeout`` passes."""
        ev = asyncio.Event()
        key = (asyncio.get_running_loop(), ev)
        with self._lock:
            if self._versions[plan_id] != seen:
                return self._versions[plan_id]
            self._waiters[plan_id].add(key)
        try:
            await asyncio.wait_for(ev.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters[plan_id].discard(key)
        return self.version(plan_id)

    def reserve(self, plan_id: int, cap: int) -> bool:
        """Take one of the plan's ``cap`` watcher slots; False if all are taken."""
        if self.watching[plan_id] >= cap:
            return False
        self.watching[plan_id] += 1
        return True

    def release(self, plan_id: int) -> None:
        self.watching[plan_id] -= 1
        if self.watching[plan_id] <= 0:
            del self.watching[plan_id]

    def reserve_session(self, session: str, cap: int) -> bool:
        """Take one of a session's ``cap`` watcher slots (over all plans); False if none left."""
        if self.by_session.get(session, 0) >= cap:
            return False
        self.by_session[session] += 1
        return True

    def release_session(self, session: str) -> None:
        self.by_session[session] -= 1
        if self.by_session[session] <= 0:
            del self.by_session[session]

    def channel(self, plan_id: int, stream: str) -> Channel:
        key = (plan_id, stream)
        ch = self.channels.get(key)
        if ch is None:
            ch = self.channels[key] = Channel(self.tag)
        return ch

    def forget(self, plan_id: int, stream: str, channel: Channel) -> None:
        """Drop ``channel`` (if it is still the one kept for the plan's stream)."""
        if self.channels.get((plan_id, stream)) is channel:
            del self.channels[(plan_id, stream)]


class Watcher:
    """One open stream: the events waiting to be written to it, at most :data:`WATCHER_QUEUE`."""

    def __init__(self, limit: int = WATCHER_QUEUE) -> None:
        self.limit = limit
        self.waiting: deque[bytes] = deque()
        self.wake = asyncio.Event()
        #: Set when it fell :data:`WATCHER_QUEUE` events behind: its stream ends.
        self.dropped = False
        self.on_drop: Callable[[], Any] = lambda: None

    def offer(self, event: bytes) -> None:
        if self.dropped:
            return
        if len(self.waiting) >= self.limit:
            # Its client does not read (or reads too slowly): rather than keep
            # an ever longer backlog, end its stream; it reconnects with
            # Last-Event-ID and catches up from the history, or a snapshot.
            self.dropped = True
            self.waiting.clear()
            self.on_drop()
            return
        self.waiting.append(event)
        self.wake.set()

    async def take(self) -> bytes:
        """Everything waiting, as one chunk (a slow reader gets several events at once)."""
        while not self.waiting:
            self.wake.clear()
            await self.wake.wait()
        chunk = b"".join(self.waiting)
        self.waiting.clear()
        return chunk


def sse(kind: str, seq: int, data: bytes) -> bytes:
    """A server-sent event (``data`` is one line of JSON: orjson never writes a newline)."""
    return b"event: %s\nid: %d\ndata: %s\n\n" % (kind.encode(), seq, data)


class Channel:
    """One stream of one plan: the latest document, its number, the recent deltas, the watchers.

    Used on the event loop only. Sequence numbers start at the wall clock in
    ms when the channel is made, so a Last-Event-ID from before a restart of
    the service is older than any number of this process (the producer makes
    at most a few events a second, far fewer than one per ms) and gets a
    snapshot rather than the wrong deltas. In front of it, ``tag`` (the
    worker's, :func:`worker_tag`): each worker computes its own documents, so
    its deltas apply only to its own; a watcher that reconnects to another
    worker (or host) names an id outside that worker's range and gets a
    snapshot. Ids still count up by one within a worker.
    """

    def __init__(self, tag: int = 0) -> None:
        self.seq = tag * ID_SPAN + time.time_ns() // 1_000_000
        self.document: dict[str, Any] | None = None
        #: (seq, event) of each delta since the last snapshot, oldest first.
        self.history: deque[tuple[int, bytes]] = deque()
        self.history_bytes = 0
        self.watchers: set[Watcher] = set()
        #: Watchers open or opening: the producer stops when none are left.
        self.members = 0
        self.producer: asyncio.Task[None] | None = None
        #: Resolved when the producer (re)started has brought the document up to date.
        self.fresh: asyncio.Future[None] | None = None
        self._snapshot: tuple[int, bytes] | None = None
        #: The producer's own state between rounds (one producer at a time uses it).
        self.memo: dict[str, Any] = {}
        #: When an event (or a keep-alive) last went out [monotonic s].
        self.last_sent = time.monotonic()

    # --- the producer's side -------------------------------------------------------
    def start(self, document: dict[str, Any]) -> None:
        """The first document of a channel nobody has seen yet: no event."""
        self.document = document

    def snapshot(self, document: dict[str, Any], data: bytes) -> None:
        """A document that replaces the previous (a new revision): everyone gets it whole."""
        self.seq += 1
        self.document = document
        self.history.clear()
        self.history_bytes = 0
        event = sse("snapshot", self.seq, data)
        self._snapshot = (self.seq, event)
        self._fan_out(event)

    def delta(self, document: dict[str, Any], patch: bytes) -> None:
        self.seq += 1
        self.document = document
        event = sse("delta", self.seq, patch)
        self.history.append((self.seq, event))
        self.history_bytes += len(event)
        while self.history and (
            len(self.history) > HISTORY_EVENTS or self.history_bytes > HISTORY_BYTES
        ):
            self.history_bytes -= len(self.history.popleft()[1])
        self._fan_out(event)

    def keep_alive(self) -> None:
        """A comment line: proxies see traffic, and dead connections show up on writing."""
        self._fan_out(b": keep-alive\n\n")

    def _fan_out(self, event: bytes) -> None:
        self.last_sent = time.monotonic()
        for w in list(self.watchers):
            w.offer(event)

    # --- a joining watcher's side ------------------------------------------------------
    def catch_up(self, last_event_id: int | None) -> list[bytes]:
        """What a watcher that last saw ``last_event_id`` needs: the deltas since, or a snapshot."""
        n = last_event_id
        if n is not None and n == self.seq:
            return []
        if n is not None and n < self.seq and self.history and self.history[0][0] <= n + 1:
            return [event for seq, event in self.history if seq > n]
        return [self.snapshot_event()]

    def snapshot_event(self) -> bytes:
        """The whole current document as an event, encoded once per sequence number."""
        if self._snapshot is None or self._snapshot[0] != self.seq:
            self._snapshot = (self.seq, sse("snapshot", self.seq, orjson.dumps(self.document)))
        return self._snapshot[1]
