"""The orders tables (orders, their steps) and their API schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat
from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.service.checkins.models import Ident, IsoTime
from paradeops.store.base import Base

#: Longest hold an organiser may order [s]: beyond, the parade is stopped, not gapped.
MAX_HOLD_S = 1800.0
Step = Literal["confirmed", "acknowledged", "executed"]
State = Literal["issued", "confirmed", "acknowledged", "executed"]
#: Each step, and the state the order must be in for it.
AFTER: dict[str, str] = {
    "confirmed": "issued",
    "acknowledged": "confirmed",
    "executed": "acknowledged",
}
PhoneId = Annotated[
    str,
    Field(
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Made by the caller (a UUID); sending it again is harmless",
    ),
]


class OrderRow(Base):
    """An order as issued (append-only: it moves on by rows of its own)."""

    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    unit: Mapped[str] = mapped_column(String(64))
    checkpoint: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    seconds: Mapped[float | None] = mapped_column(Float)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[str] = mapped_column(String(40))


class StepRow(Base):
    """A step of an order done at its checkpoint (append-only: never undone)."""

    __tablename__ = "order_steps"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))


def _whole_seconds(value: float) -> float:
    """A hold is told to a unit in whole seconds (and recommended in whole 5 s steps):
    a fraction is a client's mistake, not an order."""
    if not value.is_integer():
        raise ValueError(f"must be a whole number of seconds, 1 to {MAX_HOLD_S:.0f}")
    return value


#: How long to hold: a JSON number (never text or true/false, which pydantic would
#: otherwise read as 60 or 1), whole seconds from 1 to MAX_HOLD_S.
HoldSeconds = Annotated[StrictFloat, Field(ge=1.0, le=MAX_HOLD_S), AfterValidator(_whole_seconds)]


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: PhoneId | None = Field(None, description="Default: made by the service")
    unit: Ident = Field(description="The unit to hold or release (the plan's unit id)")
    checkpoint: Ident = Field(description="Where: a checkpoint before the reviewing stand")
    action: Literal["hold", "release"]
    seconds: HoldSeconds | None = Field(
        None, description="How long to hold [s], a whole number from 1 to 1800; only for a hold"
    )


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: PhoneId
    at: IsoTime | None = Field(
        None,
        description="When it was done, by the phone's clock (ISO 8601 with offset); "
        "default: when the service received it",
    )


class StepOut(BaseModel):
    id: str
    step: str
    by: str
    at: str


class OrderOut(BaseModel):
    id: str
    unit: str
    checkpoint: str
    action: str
    seconds: float | None
    issued_by: str
    issued_at: str
    state: State
    steps: list[StepOut]


class RecommendationOut(BaseModel):
    unit: str
    checkpoint: str
    action: str
    seconds: float | None
    #: When the unit's head is projected to reach the checkpoint (the parade's clock).
    due: str
    why: str


class OrdersOut(BaseModel):
    recommended: list[RecommendationOut]
    issued: list[OrderOut]
