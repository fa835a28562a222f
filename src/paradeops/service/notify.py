"""Several workers and hosts on one PostgreSQL database: changes cross through LISTEN/NOTIFY.

Every worker keeps the plans' actuals in memory and wakes its own stream
producers (``broadcast.py``); a change committed by another worker must
reach it. PostgreSQL carries it, no other infrastructure:

* the check-in writer calls :func:`checkins_in` inside its transaction: the
  rows it inserted travel in the notification, which PostgreSQL delivers
  only if, and when, the transaction commits; a receiver adds them to its
  actuals and wakes its producers;
* other changes (a void, a new revision, later ones) go through
  :meth:`Broadcaster.publish` after their commit, which hands them to
  :meth:`Relay.changed`: a receiver forgets that plan's actuals (read afresh)
  and wakes its producers;
* each worker holds one listening connection (:class:`Relay`, a thread). If it
  drops, the worker reconnects with backoff; notifications sent meanwhile
  are lost, so after every (re)connection it forgets every plan's actuals
  and wakes every producer: each recomputes from the database.

The channel is named after the schema (``search_path``), so services on other
schemas of the same database do not hear each other. PostgreSQL lets any role
that may connect NOTIFY on any channel, so payloads are signed (HMAC with a
key derived from the token-signing key, which every worker shares and the
database never holds): rows are believed only from a payload signed so; any
other payload naming a plan makes the receiver read that plan afresh from the
database, and anything unreadable is logged and dropped, never a failure.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import queue
import random
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from paradeops.service.control.actuals import Row
from paradeops.service.users.signin import current_secret
from paradeops.store.serving import tag_sessions

if TYPE_CHECKING:
    import psycopg

    from paradeops.service.context import ServiceContext

logger = logging.getLogger(__name__)

#: The channel's name, computed by PostgreSQL from the session's schema.
CHANNEL_SQL = "'paradeops_' || left(md5(coalesce(current_schema(), '')), 16)"
_NOTIFY = text(f"SELECT pg_notify({CHANNEL_SQL}, p) FROM unnest(CAST(:payloads AS text[])) AS p")
#: PostgreSQL refuses payloads of 8000 bytes or more; rows are packed below this,
#: and the signature in front (:data:`MAC_CHARS` and a space) keeps the whole below 8000.
MAX_PAYLOAD = 7800
MAC_CHARS = 32
#: Longest field of a row believed from a payload (ids are ≤ 64; plans name units).
MAX_FIELD = 512
#: Plan ids are positive 32-bit integers (plans.views.PlanId).
MAX_PLAN_ID = 2**31 - 1
#: Reconnecting after a drop: first wait, and the longest [s].
BACKOFF_S, MAX_BACKOFF_S = 0.1, 5.0
#: The listener looks at its stop flag this often [s].
POLL_S = 0.5
#: TCP keep-alives on the listening connection: a dead peer is found in ~25 s.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5,
              "keepalives_count": 3}  # fmt: skip


# --- signing -----------------------------------------------------------------------


def _mac(secret: bytes, message: str) -> str:
    # A key of its own, derived: a notification's MAC is never a token's signature.
    key = hmac.new(secret, b"paradeops notify v1", hashlib.sha256).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:MAC_CHARS]


def sign(secret: bytes, message: str) -> str:
    return f"{_mac(secret, message)} {message}"


def verify(secret: bytes, payload: str) -> tuple[str, bool]:
    """(the message, whether it was signed with ``secret``)."""
    mac, space, message = payload.partition(" ")
    if not space:
        return payload, False
    return message, hmac.compare_digest(mac.encode(), _mac(secret, message).encode())


# --- sending -----------------------------------------------------------------------


def _encode(message: dict[str, Any]) -> str:
    return orjson.dumps(message).decode()


def row_payloads(tag: int, plan_id: int, rows: Sequence[Row]) -> Iterator[str]:
    """The rows in payloads under :data:`MAX_PAYLOAD` bytes; a row too long alone: a bare change."""
    head = len(_encode({"o": tag, "p": plan_id, "r": []}))
    packed: list[list[str]] = []
    size = head
    for r in rows:
        item = list(r)
        n = len(orjson.dumps(item)) + 1
        if head + n > MAX_PAYLOAD:  # alone too long: the receiver reads the plan afresh
            yield _encode({"o": tag, "p": plan_id})
            continue
        if size + n > MAX_PAYLOAD:
            yield _encode({"o": tag, "p": plan_id, "r": packed})
            packed, size = [], head
        packed.append(item)
        size += n
    if packed:
        yield _encode({"o": tag, "p": plan_id, "r": packed})


def checkins_in(session: Session, tag: int, secret: bytes, rows: dict[int, list[Row]]) -> None:
    """Inside the writer's transaction: the inserted rows, delivered to every worker on commit."""
    payloads = [
        sign(secret, m) for plan_id, rs in rows.items() for m in row_payloads(tag, plan_id, rs)
    ]
    if payloads:
        session.execute(_NOTIFY, {"payloads": payloads})


# --- receiving ---------------------------------------------------------------------


def _row(item: Any) -> Row | None:
    if (
        isinstance(item, list)
        and len(item) == len(Row._fields)
        and all(isinstance(x, str) and len(x) <= MAX_FIELD for x in item)
    ):
        return Row(*item)
    return None


def parse(payload: str) -> tuple[int, int, list[Row] | None] | None:
    """(origin, plan, rows or None for "read it afresh"); None if it cannot be read at all."""
    try:
        m = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(m, dict):
        return None
    origin, plan_id = m.get("o"), m.get("p")
    if type(origin) is not int or type(plan_id) is not int:  # bools are ints too
        return None
    if not 1 <= plan_id <= MAX_PLAN_ID:
        return None
    items = m.get("r")
    if not isinstance(items, list):
        return origin, plan_id, None
    rows = [_row(x) for x in items]
    if any(r is None for r in rows):
        return origin, plan_id, None
    return origin, plan_id, [r for r in rows if r is not None]


def apply(ctx: ServiceContext, payload: str) -> None:
    """One notification: the rows into the actuals (or the plan forgotten), the producers woken."""
    message, signed = verify(current_secret(ctx), payload)
    got = parse(message)
    if got is None:
        logger.warning(
            "unreadable notification on the change channel (signed: %s): dropped", signed
        )
        return
    origin, plan_id, rows = got
    if origin == ctx.broadcaster.tag:  # our own: applied when it committed
        return
    if not signed:  # forged, or sent during a key rotation: only the database is believed
        logger.warning("unsigned notification for plan %d: the plan is read afresh", plan_id)
    if rows is None or not signed:
        ctx.actuals.forget(plan_id)
    else:
        try:
            ctx.actuals.committed(plan_id, rows)
        except Exception:
            logger.exception("control room actuals of plan %d dropped, re-read", plan_id)
            ctx.actuals.forget(plan_id)
    # A plan nobody here looked at has nothing to wake (and a forged plan id leaves
    # no state behind).
    if ctx.broadcaster.knows(plan_id):
        ctx.broadcaster.wake(plan_id)


def recompute_all(ctx: ServiceContext) -> None:
    """Every plan read afresh and every producer woken (notifications may have been lost)."""
    for plan_id in ctx.broadcaster.plans():
        ctx.actuals.forget(plan_id)
        ctx.broadcaster.wake(plan_id)


# --- the worker's relay ---------------------------------------------------------------


class Relay:
    """One worker's listening connection (a thread) and its sender of changes (another)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._outbox: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        #: (Re)connections made, the first included.
        self.connections = 0
        self._engine = create_engine(ctx.db.url, poolclass=NullPool, connect_args=KEEPALIVES)
        # Named like the server's other sessions: restore sees this one too.
        tag_sessions(self._engine)
        self._threads = [
            threading.Thread(target=self._listen, name="notify-listen", daemon=True),
            threading.Thread(target=self._send, name="notify-send", daemon=True),
        ]

    def start(self) -> Relay:
        for t in self._threads:
            t.start()
        self.ctx.broadcaster.relay = self
        return self

    def stop(self) -> None:
        self.ctx.broadcaster.relay = None
        self._stop.set()
        self._outbox.put(None)
        for t in self._threads:
            t.join(timeout=2 * POLL_S + 1)
        self._engine.dispose()

    def changed(self, plan_id: int) -> None:
        """Any thread, after a commit: the other workers read the plan afresh."""
        self._outbox.put(plan_id)

    # --- listening ---
    def _listen(self) -> None:
        delay = BACKOFF_S
        while not self._stop.is_set():
            try:
                self._session()
                delay = BACKOFF_S
            except Exception as e:  # a dropped connection, the database away…
                logger.warning("change channel lost (%s); reconnecting in %.1f s", e, delay)
                self._stop.wait(delay * random.uniform(0.8, 1.2))
                delay = min(2 * delay, MAX_BACKOFF_S)

    def _session(self) -> None:
        """Connect, LISTEN, read everything afresh, then apply notifications until stopped."""
        raw = self._engine.raw_connection()
        try:
            conn: psycopg.Connection[Any] = raw.driver_connection  # type: ignore[assignment]
            conn.autocommit = True
            channel = conn.execute(f"SELECT {CHANNEL_SQL}").fetchone()[0]  # type: ignore[index]
            conn.execute(f'LISTEN "{channel}"')  # md5 hex: nothing to quote
            self.connections += 1
            if self.connections > 1:
                logger.warning("change channel back: every plan read afresh")
            recompute_all(self.ctx)
            while not self._stop.is_set():
                for n in conn.notifies(timeout=POLL_S):
                    self._apply(n.payload)
        finally:
            with contextlib.suppress(Exception):  # already broken, most likely
                raw.close()

    def _apply(self, payload: str) -> None:
        try:
            apply(self.ctx, payload)
        except Exception:  # a bug: this notification's plans are read afresh
            logger.exception("a change notification could not be applied")
            recompute_all(self.ctx)

    # --- sending ---
    def _send(self) -> None:
        while True:
            first = self._outbox.get()
            if first is None:
                return
            plans = {first}
            while True:  # everything waiting goes in one statement
                try:
                    nxt = self._outbox.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._notify(plans)
                    return
                plans.add(nxt)
            self._notify(plans)

    def _notify(self, plans: Iterable[int]) -> None:
        tag, secret = self.ctx.broadcaster.tag, current_secret(self.ctx)
        payloads = [sign(secret, _encode({"o": tag, "p": p})) for p in sorted(plans)]
        for attempt in range(3):
            try:
                with self.ctx.db.engine.begin() as c:
                    c.execute(_NOTIFY, {"payloads": payloads})
                return
            except Exception:
                logger.exception("change notification not sent (attempt %d of 3)", attempt + 1)
                if self._stop.wait(0.5 * (attempt + 1)):
                    return
