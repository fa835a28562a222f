"""Tables (guest_books, guest_records) and API schemas of the guests slice.

A guest book is stored as the uploaded ``guests.yaml`` text, never changed;
events appended through the API are rows of ``guest_records`` (kind
``event``, the event as JSON), in the order recorded. The book served is the
text's book with those events after its own: the same append-only history
the file keeps, extended.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from paradeops.protocol.guests import EventKind, Moment, Source
from paradeops.store.base import Base


class GuestBookRow(Base):
    __tablename__ = "guest_books"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))  # the uploaded file's name
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(64))


class GuestRecordRow(Base):
    __tablename__ = "guest_records"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("guest_books.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "event"
    data: Mapped[str] = mapped_column(Text)  # the protocol Event as JSON
    recorded_at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(64))


class BookCreated(BaseModel):
    id: int
    guests: int
    events: int
    announcements: int


class BookOut(BaseModel):
    id: int
    name: str
    event: str | None
    created_at: str
    created_by: str


class EventIn(BaseModel):
    """One attendance event for the guest named in the path."""

    model_config = ConfigDict(extra="forbid")

    at: Moment
    kind: EventKind
    reason: str | None = Field(default=None, max_length=1000)
    source: Source | None = None


class GuestOut(BaseModel):
    """One guest with the status derived at the moment asked (organisers only)."""

    id: str
    name: str
    title: str | None
    country: str
    country_name: str
    category: str
    delegation: str
    status: str
    expected: bool
    since: str | None
    reason: str | None
    illustrative: bool


class GuestsOut(BaseModel):
    """Counts for everyone allowed to read guests; ``guests`` for organisers only."""

    book: int
    event: str | None
    as_of: str | None
    total: int
    expected: int
    by_status: dict[str, int]
    by_category: dict[str, int]
    by_country: dict[str, int]
    guests: list[GuestOut] | None = Field(
        description="null for viewers: names and titles are personal data"
    )


class HistoryOut(BaseModel):
    at: str
    guest: str
    name: str
    kind: str
    status: str
    reason: str | None
    by: str | None
    where: str | None
    illustrative: bool
    recorded_by: str | None = Field(description="who appended it; null: in the uploaded file")
    recorded_at: str | None


class ChangeOut(BaseModel):
    guest: str
    counted_before: bool
    counted_now: bool
    status: str
    reason: str | None


class AnnouncementOut(BaseModel):
    """The shape of ``paradeops guests announcements --format json``.

    For viewers ``difference`` and ``changes_since_previous`` are null: they
    name guests and give reasons (an illness), which is personal data.
    """

    at: str
    by: str
    where: str | None
    category: str
    counts: str = Field(description="leaders, delegations or persons")
    foreign_only: bool
    announced: int
    actual: int
    matches: bool
    difference: list[str] | None
    explained_at: str | None
    changes_since_previous: list[ChangeOut] | None
    text: str | None
    illustrative: bool
