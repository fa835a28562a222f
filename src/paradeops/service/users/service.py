"""Accounts, passwords (argon2), the token secret and the audit log."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.service.users.models import AuditEntry, Setting, User
from paradeops.service.users.tokens import ROLES, Principal, Role
from paradeops.store.base import utcnow_iso

_hasher = PasswordHasher()
_AUDIT = insert(cast(Table, AuditEntry.__table__))  # compiled once: every check-in writes one
# Verifying against this when the user does not exist keeps the answer's
# timing the same, so a login form does not reveal which names exist.
_DUMMY = _hasher.hash("not a password")


def load_or_create_secret(session: Session) -> bytes:
    """The token-signing secret, made on first start and kept in the database."""
    row = session.get(Setting, "token_secret")
    if row is None:
        row = Setting(key="token_secret", value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def add_user(
    session: Session,
    *,
    name: str,
    role: str,
    password: str,
    checkpoints: Iterable[str] = (),
    now: dt.datetime,
    actor: str = "cli",
) -> User:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
    cps = sorted(set(checkpoints))
    if role == "marshal" and not cps:
        raise UserError("a marshal needs at least one --checkpoint", field="--checkpoint")
    if role != "marshal" and cps:
        raise UserError("only marshals are assigned checkpoints", field="--checkpoint")
    if not name or len(name) > 64:
        raise UserError("a user name has 1 to 64 characters")
    if len(password) < 8:
        raise UserError("the password is too short", hint="use at least 8 characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists")
    user = User(
        name=name,
        role=role,
        password_hash=_hasher.hash(password),
        checkpoints=json.dumps(cps),
        created_at=utcnow_iso(now),
    )
    session.add(user)
    audit(session, now=now, actor=actor, action="user.add", target=name, detail={"role": role})
    return user


def authenticate(session: Session, name: str, password: str) -> Principal | None:
    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    role: Role = user.role  # type: ignore[assignment]
    return Principal(user.name, role, frozenset(json.loads(user.checkpoints)))


def audit(
    session: Session,
    *,
    now: dt.datetime,
    actor: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a write: who, when, what. In the caller's transaction, so both or neither."""
    session.execute(
        _AUDIT,
        {
            "at": utcnow_iso(now),
            "actor": actor,
            "action": action,
            "target": target[:200],
            "detail": json.dumps(detail or {}, ensure_ascii=False, default=str),
        },
    )


def audit_log(session: Session, *, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
