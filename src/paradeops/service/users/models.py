"""Tables (users, assignments, sessions, sign-in throttle, audit log, settings) and API schemas."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.store.base import Base


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    #: A disabled account cannot sign in, and its sessions are revoked.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class Assignment(Base):
    """A marshal may check in at ``checkpoint`` of ``plan_id`` (finding 11: per plan)."""

    __tablename__ = "user_assignments"
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    plan_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    checkpoint: Mapped[str] = mapped_column(String(64), primary_key=True)


class UserSession(Base):
    """One sign-in. Its id travels in the signed token; revoking the row ends it everywhere."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[str] = mapped_column(String(40))
    #: Unix time [s]: compared with the service clock on every request.
    expires_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[str | None] = mapped_column(String(40), nullable=True)


class SigninThrottle(Base):
    """Failed sign-ins per account (``user:NAME``) or client address (``addr:ADDRESS``)."""

    __tablename__ = "signin_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    #: Unix times [s] on the service clock.
    last_failure_at: Mapped[float] = mapped_column(Float)
    blocked_until: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="{}")


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class AssignmentOut(BaseModel):
    plan_id: int
    checkpoint: str


class MeOut(BaseModel):
    name: str
    role: str
    assignments: list[AssignmentOut]


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target: str
    detail: str
