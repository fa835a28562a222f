"""The check-ins table and its API schemas."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.store.base import Base


class CheckinRow(Base):
    __tablename__ = "checkins"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    unit: Mapped[str] = mapped_column(String(64))
    checkpoint: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(8))
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 with the phone's offset
    received_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(64))


Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class CheckinIn(BaseModel):
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
    unit: Ident
    checkpoint: Ident
    part: Literal["head", "tail"]
    at: AwareDatetime = Field(description="When it passed, by the phone's clock, with offset")


class CheckinOut(BaseModel):
    id: str
    unit: str
    checkpoint: str
    part: Literal["head", "tail"]
    at: str
    received_at: str
    recorded_by: str
