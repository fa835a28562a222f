"""Server-side sessions: created at sign-in, checked on every request, revoked at will.

The check-in path must stay cheap, so each process keeps what it learnt about
a token for at most :data:`FRESH_S` seconds: the principal (name, role,
assignments, read from the database, not from the token) or "refused". A
revocation made anywhere (another process, the CLI) therefore applies here
within that time; one made in this process applies at once (:func:`forget`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from dataclasses import dataclass

import anyio.to_thread
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from paradeops.service.users.models import Assignment, User, UserSession
from paradeops.service.users.tokens import (
    LIFETIME,
    ROLES,
    Principal,
    TokenClaims,
    make_token,
    read_claims,
)
from paradeops.store import Database
from paradeops.store.base import utcnow_iso

#: A process trusts what it read about a session for this long [s].
FRESH_S = 2.0
_CACHE_MAX = 8192


@dataclass(frozen=True)
class _Entry:
    principal: Principal | None
    session_id: str
    expires_at: int
    checked_at: float  # time.monotonic()


#: (database URL, token) -> what the database said. Only correctly signed
#: tokens get in, so forged ones cannot fill it; when full it is cleared.
_cache: dict[tuple[str, str], _Entry] = {}
_cache_lock = threading.Lock()


def create(session: Session, user: User, now: dt.datetime, secret: bytes) -> str:
    """A new session for ``user``; its signed token."""
    session_id = secrets.token_urlsafe(32)
    expires_at = int((now + LIFETIME).timestamp())
    session.add(
        UserSession(
            id=session_id, user_id=user.id, created_at=utcnow_iso(now), expires_at=expires_at
        )
    )
    # Sessions long past their expiry are of no use: keep the table small.
    session.execute(delete(UserSession).where(UserSession.expires_at < now.timestamp() - 86400))
    return make_token(secret, session_id, expires_at)


def revoke(session: Session, session_id: str, now: dt.datetime) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow_iso(now))
    )


def revoke_all_of(session: Session, user_id: int, now: dt.datetime) -> int:
    """End every session of one user (disable, delete, role or password change)."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow_iso(now))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_everything(session: Session, now: dt.datetime) -> int:
    """End every session of every user (key rotation)."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow_iso(now))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def principal_of(session: Session, user: User) -> Principal:
    role = next(r for r in ROLES if r == user.role)  # a role the migrations allow
    rows = session.execute(
        select(Assignment.plan_id, Assignment.checkpoint).where(Assignment.user_id == user.id)
    ).all()
    return Principal(user.name, role, frozenset((int(p), str(c)) for p, c in rows))


def _load(db: Database, session_id: str) -> Principal | None:
    """The principal of a live session, from the database; None if revoked or the user is gone."""
    with db.sessions() as session:
        row = session.execute(
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        ).scalar_one_or_none()
        if row is None or row.disabled:
            return None
        return principal_of(session, row)


def _lookup(db: Database, secret: bytes, token: str) -> tuple[_Entry | None, TokenClaims | None]:
    """(a fresh cache entry, None), (None, the claims to look up) or (None, None): refused."""
    hit = _cache.get((db.url, token))
    if hit is not None and time.monotonic() - hit.checked_at <= FRESH_S:
        return hit, None
    return None, read_claims(secret, token)


def _remember(db: Database, token: str, claims: TokenClaims, who: Principal | None) -> _Entry:
    entry = _Entry(who, claims.session_id, claims.expires_at, time.monotonic())
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[(db.url, token)] = entry
    return entry


def _valid(entry: _Entry | None, now: dt.datetime) -> Principal | None:
    if entry is None or entry.expires_at < now.timestamp():
        return None
    return entry.principal


def principal(db: Database, secret: bytes, token: str, now: dt.datetime) -> Principal | None:
    """Who holds ``token`` now, or None (blocking: reads the database when not fresh)."""
    entry, claims = _lookup(db, secret, token)
    if entry is None and claims is not None:
        entry = _remember(db, token, claims, _load(db, claims.session_id))
    return _valid(entry, now)


async def principal_async(
    db: Database, secret: bytes, token: str, now: dt.datetime
) -> Principal | None:
    """:func:`principal` for the event loop: a fresh entry at once, the database in a thread."""
    entry, claims = _lookup(db, secret, token)
    if entry is None and claims is not None:
        who = await anyio.to_thread.run_sync(_load, db, claims.session_id)
        entry = _remember(db, token, claims, who)
    return _valid(entry, now)


def session_id_of(secret: bytes, token: str) -> str | None:
    claims = read_claims(secret, token)
    return None if claims is None else claims.session_id


def forget(db: Database, token: str | None = None) -> None:
    """Drop what this process knows about ``token`` (all tokens if None): the next request asks."""
    with _cache_lock:
        if token is None:
            for key in [k for k in _cache if k[0] == db.url]:
                del _cache[key]
        else:
            _cache.pop((db.url, token), None)
