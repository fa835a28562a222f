"""Tables (plans, plan_revisions) and API schemas of the plans slice."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.store.base import Base


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(64))


class RevisionRow(Base):
    __tablename__ = "plan_revisions"
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    geometry_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    geometry: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The catalogue the plan named, as read when the revision was checked.
    equipment_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    equipment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(64))


class PlanCreated(BaseModel):
    id: int
    revision: int


class RevisionOut(BaseModel):
    revision: int
    filename: str
    created_at: str
    created_by: str
    units: int


class PlanOut(BaseModel):
    id: int
    name: str
    revision: int
    created_at: str
    created_by: str


class UnitMove(BaseModel):
    unit: str
    before: int  # 1-based place in the order of march
    after: int


class TimeChange(BaseModel):
    unit: str
    checkpoint: str
    part: str
    before: str
    after: str
    delta_s: float


class DiffOut(BaseModel):
    plan: int
    from_revision: int
    to_revision: int
    added: list[str]
    removed: list[str]
    reordered: list[UnitMove]
    times_changed: list[TimeChange]
