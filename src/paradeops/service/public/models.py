"""The public flags table and the public API's schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.store.base import Base


class PublicRow(Base):
    """Whether a plan is public and shows its incidents (no row: private)."""

    __tablename__ = "plan_public"
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    public: Mapped[bool] = mapped_column(Boolean)
    incidents: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(64))


class PublicIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Strict: pydantic would read "yes", "off" or 1 as a switch; only true or false is one.
    public: StrictBool = Field(description="Whether anyone may follow the plan without signing in")
    incidents: StrictBool = Field(
        description="Whether open incidents are shown publicly (a standard line per code, "
        "never the text a marshal typed)"
    )


class PublicOut(PublicIn):
    plan: int
    updated_at: str | None = None
    updated_by: str | None = None


class Range(BaseModel):
    """A time still to come as P10–P50–P90 of the conditioned runs, or what has passed."""

    p10: str | None = None
    p50: str | None = None
    p90: str | None = None
    actual: str | None = Field(None, description="When it passed (observed, or projected past)")


class HeadTail(BaseModel):
    head: Range
    tail: Range


class UnitEta(HeadTail):
    id: str


class EtaOut(BaseModel):
    plan: int
    checkpoint: str | None = None
    at_m: float
    runs: int = Field(description="Conditioned runs the ranges come from")
    computed: str = Field(description="When the runs were made (the parade's clock)")
    parade: HeadTail
    units: list[UnitEta]
