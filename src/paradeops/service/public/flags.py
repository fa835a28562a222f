"""Whether a plan is public (and shows its incidents): stored, audited, cached briefly.

Every public request and every public watcher asks; a crowd must not turn
into database reads, so each worker keeps the answer for :data:`FRESH_S`.
A change made through this worker is seen here at once; one made through
another worker (or host) within :data:`FRESH_S`.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paradeops.service.context import ServiceContext
from paradeops.service.public.models import PublicIn, PublicOut, PublicRow
from paradeops.service.users.service import audit
from paradeops.service.users.tokens import Principal
from paradeops.store.base import utcnow_iso

#: How long a worker believes what it read of a plan's flags [s].
FRESH_S = 2.0


@dataclass(frozen=True)
class Flags:
    public: bool = False
    incidents: bool = False


PRIVATE = Flags()
_lock = threading.Lock()
#: (database url, plan id) → (when read [monotonic s], flags).
_cache: dict[tuple[str, int], tuple[float, Flags]] = {}


def read(session: Session, plan_id: int) -> PublicOut:
    row = session.get(PublicRow, plan_id)
    if row is None:
        return PublicOut(plan=plan_id, public=False, incidents=False)
    return PublicOut(
        plan=plan_id,
        public=row.public,
        incidents=row.incidents,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def flags(ctx: ServiceContext, plan_id: int) -> Flags:
    """The plan's flags, from this worker's cache when fresh (any thread)."""
    key = (ctx.db.url, plan_id)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < FRESH_S:
        return hit[1]
    with ctx.db.sessions() as session:
        out = read(session, plan_id)
    found = Flags(out.public, out.incidents)
    with _lock:
        _cache[key] = (time.monotonic(), found)
        if len(_cache) > 10_000:  # made-up plan ids must not grow it without end
            _cache.clear()
    return found


def store(
    session: Session, plan_id: int, body: PublicIn, who: Principal, now: dt.datetime
) -> PublicOut:
    """Set the flags and audit the change (the caller's transaction: both or neither)."""
    stamp = utcnow_iso(now)
    _first_row(session, plan_id, stamp, who.name)
    row = session.scalar(select(PublicRow).where(PublicRow.plan_id == plan_id).with_for_update())
    assert row is not None
    row.public, row.incidents = body.public, body.incidents
    row.updated_at, row.updated_by = stamp, who.name
    audit(
        session,
        now=now,
        actor=who.name,
        action="plan.public",
        target=str(plan_id),
        detail={"public": body.public, "incidents": body.incidents},
    )
    return PublicOut(
        plan=plan_id,
        public=body.public,
        incidents=body.incidents,
        updated_at=stamp,
        updated_by=who.name,
    )


def _first_row(session: Session, plan_id: int, stamp: str, name: str) -> None:
    """The plan's row, private, unless it has one: two first switches at once (two
    workers) would otherwise both insert it, and the second would fail."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"public": False, "incidents": False, "updated_at": stamp, "updated_by": name}
    session.execute(
        insert(PublicRow)
        .values(plan_id=plan_id, **values)
        .on_conflict_do_nothing(index_elements=["plan_id"])
    )


def forget(ctx: ServiceContext, plan_id: int) -> None:
    """Drop the cached flags (after this worker changed them)."""
    with _lock:
        _cache.pop((ctx.db.url, plan_id), None)
