"""The check-ins tables (check-ins, their voids, per-plan windows) and their API schemas."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.store.base import Base


class CheckinRow(Base):
    __tablename__ = "checkins"
    # Named as migration 0001 created it.
    __table_args__ = (Index("ix_checkins_plan", "plan_id"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    unit: Mapped[str] = mapped_column(String(64))
    checkpoint: Mapped[str] = mapped_column(String(64))
    part: Mapped[str] = mapped_column(String(8))
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 with the phone's offset
    received_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(64))


class VoidRow(Base):
    """A check-in declared a mistake (append-only: a void is never undone or changed)."""

    __tablename__ = "checkin_voids"
    checkin_id: Mapped[str] = mapped_column(ForeignKey("checkins.id"), primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    voided_by: Mapped[str] = mapped_column(String(64))
    voided_at: Mapped[str] = mapped_column(String(40))


class WindowRow(Base):
    """A plan's own check-in window; the latest row per plan applies (append-only).

    Both bounds None: back to the default window around the parade's date.
    """

    __tablename__ = "checkin_windows"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    from_at: Mapped[str | None] = mapped_column(String(40))
    until_at: Mapped[str | None] = mapped_column(String(40))
    set_at: Mapped[str] = mapped_column(String(40))
    set_by: Mapped[str] = mapped_column(String(64))


Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]

# A date and a time of day, then anything pydantic reads as seconds and offset.
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_text(value: Any) -> Any:
    """Only ISO 8601 text: pydantic would read ``-1`` or ``"1e12"`` as Unix time."""
    if not isinstance(value, str) or not _ISO_START.match(value):
        raise ValueError(
            "give the time as ISO 8601 text with an offset, e.g. 2025-05-09T10:00:00+03:00"
        )
    return value


#: When something happened, as ISO 8601 text with an offset (never a number).
IsoTime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


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
    at: IsoTime = Field(
        description="When it passed, by the phone's clock, as ISO 8601 text with offset; "
        "within the plan's check-in window (by default the parade's date ± 1 day)"
    )


class VoidOut(BaseModel):
    checkin_id: str
    reason: str
    voided_by: str
    voided_at: str


class CheckinOut(BaseModel):
    id: str
    unit: str
    checkpoint: str
    #: "head" or "tail"; plain text so that a row stored by hand is still listed.
    part: str
    at: str
    received_at: str
    recorded_by: str
    #: Set when the check-in was voided: the control room ignores it.
    void: VoidOut | None = None


#: Control characters, and line and paragraph separators (U+2028, U+2029).
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
#: Bidirectional overrides and isolates: they make text read other than it is stored.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def one_line_text(value: str) -> str:
    """A sentence or two typed on a phone: no control characters (newlines included),
    not blank (an incident's text, a void's reason: both reach pages and the log)."""
    if any(unicodedata.category(c) in _BREAKING or c in _BIDI for c in value):
        raise ValueError(
            "holds a control character (a newline, tab, escape or text-direction mark): "
            "write it as one line of plain text"
        )
    if not value.strip():
        raise ValueError("is blank: say in a few words what happened")
    return value


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str,
        Field(
            min_length=1,
            max_length=500,
            description="Why the check-in is a mistake (kept in the audit log)",
        ),
        AfterValidator(one_line_text),
    ]


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: IsoTime = Field(alias="from", description="Earliest accepted check-in time")
    until: IsoTime = Field(description="Latest accepted check-in time")


class WindowOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", serialization_alias="from")
    until: str
    #: "plan": set for this plan by an organiser; "default": the parade's date ± N days.
    source: Literal["plan", "default"]
    set_by: str | None = None
    set_at: str | None = None
