"""Sign-in throttling per account and per client address, kept in the database.

Rules (finding 4): an account has :data:`ACCOUNT_FREE` failed sign-ins free
and an address :data:`ADDRESS_FREE` (generous: a whole venue's phones may
share one address behind its Wi-Fi). Each failure beyond that blocks the key
for a delay that doubles from :data:`FIRST_DELAY_S` up to :data:`MAX_DELAY_S`;
attempts while blocked are answered "try again in N s" without looking at the
password, and do not count. A key with no failure for :data:`FORGET_S` starts
afresh, a correct password clears its account, ``paradeops user unlock NAME``
clears an account at once. So nothing is ever locked for good, and sessions
already signed in are never touched.

The state is in the database so that every process serving it agrees.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paradeops.service.users.models import SigninThrottle

ACCOUNT_FREE = 5
ADDRESS_FREE = 20
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 300.0
FORGET_S = 15 * 60.0


@dataclass(frozen=True)
class Key:
    text: str
    free: int


def account_key(name: str) -> Key:
    return Key(f"user:{name[:64]}", ACCOUNT_FREE)


def address_key(address: str) -> Key:
    return Key(f"addr:{address[:64]}", ADDRESS_FREE)


def retry_after(session: Session, keys: list[Key], now: dt.datetime) -> int:
    """Seconds until ``keys`` may try again (0: now)."""
    until = session.scalar(
        select(SigninThrottle.blocked_until)
        .where(SigninThrottle.key.in_([k.text for k in keys]))
        .order_by(SigninThrottle.blocked_until.desc())
        .limit(1)
    )
    wait = (until or 0.0) - now.timestamp()
    return math.ceil(wait) if wait > 0 else 0


def delay_after(failures: int, free: int) -> float:
    """How long a key is blocked after its ``failures``-th failure in a row."""
    beyond = failures - free
    if beyond <= 0:
        return 0.0
    return min(FIRST_DELAY_S * 2.0 ** min(beyond - 1, 30), MAX_DELAY_S)


def record_failure(session: Session, key: Key, now: dt.datetime) -> float:
    """Count one failure against ``key`` (in the caller's write transaction); the block [s]."""
    t = now.timestamp()
    _ensure_row(session, key.text, t)
    row = session.scalars(
        select(SigninThrottle).where(SigninThrottle.key == key.text).with_for_update()
    ).one()
    failures = 1 if t - row.last_failure_at > FORGET_S else row.failures + 1
    block = delay_after(failures, key.free)
    row.failures = failures
    row.last_failure_at = t
    row.blocked_until = max(row.blocked_until, t + block) if block else row.blocked_until
    return block


def _ensure_row(session: Session, key: str, t: float) -> None:
    """Insert the key's row unless another process did (no race between SELECT and INSERT)."""
    values = {"key": key, "failures": 0, "last_failure_at": t, "blocked_until": 0.0}
    dialect = session.get_bind().dialect.name
    table = cast(Table, SigninThrottle.__table__)
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(table).values(values).on_conflict_do_nothing())


def clear(session: Session, key: Key) -> bool:
    """Forget ``key``'s failures; whether there were any."""
    result = session.execute(delete(SigninThrottle).where(SigninThrottle.key == key.text))
    return bool(result.rowcount)  # type: ignore[attr-defined]
