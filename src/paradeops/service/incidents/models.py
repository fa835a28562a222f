"""The incidents tables (incidents, their clearing) and their API schemas."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat
from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.live.incidents import IncidentCode
from paradeops.service.checkins.models import Ident, IsoTime, one_line_text
from paradeops.store.base import Base

#: Longest incident text [characters]: a sentence or two typed on a phone.
MAX_TEXT = 500


class IncidentRow(Base):
    """An incident as posted (append-only: it is cleared by a row of its own)."""

    __tablename__ = "incidents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(64))
    at_m: Mapped[float | None] = mapped_column(Float)
    at: Mapped[str] = mapped_column(String(40))  # when it began, ISO 8601 with offset
    received_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(64))


class ClearRow(Base):
    """An incident declared over (append-only: never undone)."""

    __tablename__ = "incident_clears"
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    cleared_by: Mapped[str] = mapped_column(String(64))
    cleared_at: Mapped[str] = mapped_column(String(40))


class IncidentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[
        str,
        Field(
            min_length=8,
            max_length=64,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Made by the phone (a UUID); sending it again is harmless",
        ),
    ]
    code: IncidentCode = Field(description="What kind of incident")
    text: Annotated[
        str,
        Field(min_length=1, max_length=MAX_TEXT, description="What happened, one line"),
        AfterValidator(one_line_text),
    ]
    unit: Ident | None = Field(None, description="The unit it stops (the plan's unit id)")
    # Strict: a number, never text ("120") or true/false, which pydantic would read as one.
    at_m: StrictFloat | None = Field(
        None, ge=0.0, description="Where on the route [m from the start point]"
    )
    at: IsoTime | None = Field(
        None,
        description="When it began, by the phone's clock (ISO 8601 with offset); "
        "default: when the service received it",
    )


class ClearOut(BaseModel):
    incident_id: str
    cleared_by: str
    cleared_at: str


class IncidentOut(BaseModel):
    id: str
    code: str
    text: str
    unit: str | None
    at_m: float | None
    at: str
    received_at: str
    recorded_by: str
    #: Set once the incident is over; until then it holds its unit in the projections.
    cleared: ClearOut | None = None
