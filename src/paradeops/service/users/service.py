"""Accounts (add, list, disable, delete, re-role, password, assignments) and the audit log.

Every change is audited in the same transaction, and every change that
alters what a user may do ends their sessions (or, for assignments, reaches
them through the session cache within seconds).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from argon2 import PasswordHasher
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.service.users import sessions, throttle
from paradeops.service.users.models import Assignment, AuditEntry, User, UserSession
from paradeops.service.users.passwords import check_password
from paradeops.service.users.tokens import ROLES
from paradeops.store.base import utcnow_iso

hasher = PasswordHasher()
_AUDIT = insert(cast(Table, AuditEntry.__table__))  # compiled once: every check-in writes one
_NAME = re.compile(r"[\w.@+-]{1,64}")
_CHECKPOINT = re.compile(r"[A-Za-z0-9_.-]{1,64}")


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    disabled: bool
    assignments: list[tuple[int, str]]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(
            f"unknown role {role!r}", field="ROLE", hint=f"use one of {', '.join(ROLES)}"
        )


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise UserError(
            f"{name[:80]!r} is not a user name",
            field="NAME",
            hint="1 to 64 letters, digits or . _ @ + -",
        )


def find_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise UserError(f"no user {name[:80]!r}", field="NAME", hint="see paradeops user list")
    return user


def add_user(
    session: Session,
    *,
    name: str,
    role: str,
    password: str,
    assignments: Iterable[tuple[int, str]] = (),
    now: dt.datetime,
    actor: str = "cli",
) -> User:
    _check_role(role)
    _check_name(name)
    pairs = sorted(set(assignments))
    if role != "marshal" and pairs:
        raise UserError("only marshals are assigned checkpoints", field="--checkpoint")
    check_password(password, name)
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise UserError(f"user {name!r} already exists", field="NAME")
    user = User(
        name=name,
        role=role,
        password_hash=hasher.hash(password),
        created_at=utcnow_iso(now),
        disabled=False,
    )
    session.add(user)
    session.flush()
    audit(session, now=now, actor=actor, action="user.add", target=name, detail={"role": role})
    for plan_id in sorted({p for p, _ in pairs}):
        assign(
            session,
            name,
            plan_id,
            [c for p, c in pairs if p == plan_id],
            now=now,
            actor=actor,
        )
    return user


def list_users(session: Session) -> list[UserInfo]:
    by_user: dict[int, list[tuple[int, str]]] = {}
    for a in session.scalars(
        select(Assignment).order_by(Assignment.plan_id, Assignment.checkpoint)
    ):
        by_user.setdefault(a.user_id, []).append((a.plan_id, a.checkpoint))
    return [
        UserInfo(u.name, u.role, u.disabled, by_user.get(u.id, []))
        for u in session.scalars(select(User).order_by(User.name))
    ]


def _other_organisers(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == "organiser", User.disabled.is_(False), User.id != user.id)
        )
        or 0
    )


def _keep_an_organiser(session: Session, user: User, doing: str) -> None:
    """Refuse to remove the last enabled organiser: nobody could upload or fix plans."""
    if user.role == "organiser" and not user.disabled and _other_organisers(session, user) == 0:
        raise UserError(
            f"cannot {doing} {user.name!r}: it is the last enabled organiser",
            field="NAME",
            hint="add or enable another organiser first",
        )


def set_disabled(
    session: Session, name: str, disabled: bool, *, now: dt.datetime, actor: str = "cli"
) -> int:
    """Disable (ending every session) or enable an account; the number of sessions ended."""
    user = find_user(session, name)
    if disabled:
        _keep_an_organiser(session, user, "disable")
    user.disabled = disabled
    ended = sessions.revoke_all_of(session, user.id, now) if disabled else 0
    action = "user.disable" if disabled else "user.enable"
    audit(session, now=now, actor=actor, action=action, target=name, detail={"sessions": ended})
    return ended


def delete_user(session: Session, name: str, *, now: dt.datetime, actor: str = "cli") -> None:
    """Remove an account, its sessions and assignments (what it recorded stays, by name)."""
    user = find_user(session, name)
    _keep_an_organiser(session, user, "delete")
    session.execute(delete(Assignment).where(Assignment.user_id == user.id))
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    throttle.clear(session, throttle.account_key(name))
    session.delete(user)
    audit(
        session, now=now, actor=actor, action="user.delete", target=name, detail={"role": user.role}
    )


def set_role(
    session: Session, name: str, role: str, *, now: dt.datetime, actor: str = "cli"
) -> None:
    """Change a role; ends the user's sessions (a former marshal keeps no assignments)."""
    _check_role(role)
    user = find_user(session, name)
    if role != "organiser":
        _keep_an_organiser(session, user, "change the role of")
    before = user.role
    user.role = role
    if role != "marshal":
        session.execute(delete(Assignment).where(Assignment.user_id == user.id))
    ended = sessions.revoke_all_of(session, user.id, now)
    audit(
        session,
        now=now,
        actor=actor,
        action="user.set_role",
        target=name,
        detail={"from": before, "to": role, "sessions": ended},
    )


def set_password(
    session: Session, name: str, password: str, *, now: dt.datetime, actor: str = "cli"
) -> None:
    """A new password (policy checked); ends the user's sessions and clears its throttle."""
    user = find_user(session, name)
    check_password(password, name)
    user.password_hash = hasher.hash(password)
    ended = sessions.revoke_all_of(session, user.id, now)
    throttle.clear(session, throttle.account_key(name))
    audit(
        session,
        now=now,
        actor=actor,
        action="user.password",
        target=name,
        detail={"sessions": ended},
    )


def unlock(session: Session, name: str, *, now: dt.datetime, actor: str = "cli") -> bool:
    """Clear the sign-in throttle of an account; whether it had failures recorded."""
    find_user(session, name)
    had = throttle.clear(session, throttle.account_key(name))
    audit(session, now=now, actor=actor, action="user.unlock", target=name, detail={"had": had})
    return had


def _check_plan(session: Session, plan_id: int, checkpoints: Iterable[str]) -> None:
    from paradeops.service.plans.models import PlanRow

    if session.get(PlanRow, plan_id) is None:
        raise UserError(f"no plan {plan_id}", field="--plan", hint="see the plans in the service")
    known = plan_checkpoints(session, plan_id)
    for cp in checkpoints:
        if not _CHECKPOINT.fullmatch(cp):
            raise UserError(f"{cp[:80]!r} is not a checkpoint id", field="--checkpoint")
        if known is not None and cp not in known:
            raise UserError(
                f"plan {plan_id} has no checkpoint {cp!r}",
                field="--checkpoint",
                hint=f"its checkpoints: {', '.join(known)}",
            )


def plan_checkpoints(session: Session, plan_id: int) -> list[str] | None:
    """The checkpoint ids of a plan's latest revision (None if it cannot be read here)."""
    from paradeops.service.plans.models import RevisionRow
    from paradeops.service.plans.service import stored_upload
    from paradeops.service.plans.upload import Rules, recheck

    row = session.scalar(
        select(RevisionRow)
        .where(RevisionRow.plan_id == plan_id)
        .order_by(RevisionRow.revision.desc())
        .limit(1)
    )
    if row is None:
        return None
    try:
        plan = recheck(stored_upload(row), Rules()).plan
    except (UserError, RuntimeError):
        # e.g. it needs the operator's catalogue folder: the service checks it anyway.
        return None
    return [c.id for c in plan.route.checkpoints]


def assign(
    session: Session,
    name: str,
    plan_id: int,
    checkpoints: Iterable[str],
    *,
    now: dt.datetime,
    actor: str = "cli",
) -> list[str]:
    """Let a marshal check in at ``checkpoints`` of one plan; those newly added."""
    user = find_user(session, name)
    if user.role != "marshal":
        raise UserError(
            f"{name!r} is {user.role}: only marshals are assigned checkpoints", field="NAME"
        )
    wanted = sorted(set(checkpoints))
    if not wanted:
        raise UserError("give at least one --checkpoint", field="--checkpoint")
    _check_plan(session, plan_id, wanted)
    have = set(
        session.scalars(
            select(Assignment.checkpoint).where(
                Assignment.user_id == user.id, Assignment.plan_id == plan_id
            )
        )
    )
    added = [cp for cp in wanted if cp not in have]
    session.add_all(Assignment(user_id=user.id, plan_id=plan_id, checkpoint=cp) for cp in added)
    audit(
        session,
        now=now,
        actor=actor,
        action="user.assign",
        target=name,
        detail={"plan": plan_id, "checkpoints": added},
    )
    return added


def unassign(
    session: Session,
    name: str,
    plan_id: int,
    checkpoints: Iterable[str] = (),
    *,
    now: dt.datetime,
    actor: str = "cli",
) -> int:
    """Remove a marshal's ``checkpoints`` of one plan (all of that plan's if none given)."""
    user = find_user(session, name)
    which = sorted(set(checkpoints))
    query = delete(Assignment).where(Assignment.user_id == user.id, Assignment.plan_id == plan_id)
    if which:
        query = query.where(Assignment.checkpoint.in_(which))
    removed = int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]
    audit(
        session,
        now=now,
        actor=actor,
        action="user.unassign",
        target=name,
        detail={"plan": plan_id, "checkpoints": which or "all", "removed": removed},
    )
    return removed


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
