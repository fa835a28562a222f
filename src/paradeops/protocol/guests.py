"""The guest book: guests, their attendance events, public announcements and rules.

These are the value objects of the protocol core. They validate what one
record can validate on its own (an ISO country code, an aware datetime);
checks that need the whole book (unknown guest ids, events out of order)
live in :mod:`paradeops.protocol.ledger`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    WithJsonSchema,
    field_validator,
)

from paradeops.errors import UserError
from paradeops.model.input_types import CalendarDate, Flag
from paradeops.protocol.countries import check_language, normalise_country


def moment_from_text(text: str) -> dt.date | dt.datetime:
    """``YYYY-MM-DD`` as a date, text with a ``T`` or a space as an ISO datetime: how
    every moment of the protocol is written. ValueError for anything else; a naive
    datetime comes back as it is, for the caller to refuse in its own words."""
    text = text.strip()
    if "T" in text or " " in text:
        return dt.datetime.fromisoformat(text)
    return dt.date.fromisoformat(text)


def read_moment(text: str, field: str) -> dt.date | dt.datetime:
    """A moment a user typed (``--as-of``, ``?as_of=``), or a UserError on ``field``
    quoting ``text``: not a date, or a datetime without its UTC offset."""
    try:
        moment = moment_from_text(text)
    except ValueError:
        raise UserError(
            f"{text!r} is not a date",
            field=field,
            hint="write YYYY-MM-DD or 2025-05-07T12:00+03:00",
        ) from None
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        raise UserError(
            f"{text!r} has no UTC offset",
            field=field,
            hint="add the offset, e.g. 2025-05-07T12:00+03:00, or give a date",
        )
    return moment


def _moment(value: object) -> dt.date | dt.datetime:
    """A date, or a datetime with its UTC offset; a naive datetime is refused."""
    if isinstance(value, str):
        try:
            value = moment_from_text(value)
        except ValueError:
            # Named by its place, not echoed: the service's answers never carry input.
            raise ValueError("not a date (YYYY-MM-DD) or an ISO datetime") from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"{value.isoformat()} has no UTC offset: write e.g. "
                f"{value.isoformat(timespec='minutes')}+03:00, or give the date alone"
            )
        return value
    if isinstance(value, dt.date):
        return value
    raise ValueError("give a date (YYYY-MM-DD) or a datetime with its UTC offset")


#: A moment in a history: a whole day, or an instant with its UTC offset.
Moment = Annotated[
    dt.date | dt.datetime,
    PlainValidator(_moment),
    WithJsonSchema({"type": "string", "description": "ISO date, or ISO datetime with offset"}),
]

GuestId = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][\w.\-]*$")]


class Category(StrEnum):
    """What a guest is, in the order precedence ranks them by default."""

    head_of_state = "head_of_state"
    head_of_government = "head_of_government"
    minister = "minister"
    ambassador = "ambassador"
    military_delegation = "military_delegation"
    veteran = "veteran"
    official = "official"
    press = "press"
    other = "other"


class EventKind(StrEnum):
    """One step in a guest's attendance history."""

    invited = "invited"
    confirmed = "confirmed"
    declined = "declined"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"


class Source(BaseModel):
    """Who said it, and where it was said or published."""

    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1)
    where: str | None = None


class Guest(BaseModel):
    """A person on the guest list."""

    model_config = ConfigDict(extra="forbid")

    id: GuestId
    name: str = Field(min_length=1)
    title: str | None = None
    country: str = Field(description="ISO 3166-1 alpha-2 or alpha-3 code; stored as alpha-2")
    category: Category = Category.other
    delegation: str | None = Field(
        default=None,
        description="guests of one delegation sit together; defaults to the country "
        "(host-country guests default to sitting on their own)",
    )
    host: Flag = False
    in_office_since: CalendarDate | None = None
    interpreter_for: GuestId | None = None
    illustrative: Flag = False
    note: str | None = None

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        return normalise_country(value)


class Event(BaseModel):
    """A dated fact about one guest's attendance; events are only ever appended."""

    model_config = ConfigDict(extra="forbid")

    guest: GuestId
    at: Moment
    kind: EventKind
    reason: str | None = None
    source: Source | None = None
    illustrative: Flag = False


class AnnouncedCategory(StrEnum):
    """What an announcement counts: a category, ``leader`` (head of state or government)
    or ``any``."""

    leader = "leader"
    head_of_state = "head_of_state"
    head_of_government = "head_of_government"
    minister = "minister"
    ambassador = "ambassador"
    military_delegation = "military_delegation"
    veteran = "veteran"
    official = "official"
    press = "press"
    other = "other"
    any = "any"


class Counts(StrEnum):
    """What the number in an announcement counts, of the guests of its category."""

    leaders = "leaders"  # each guest of the category; interpreters never (spouses do)
    delegations = "delegations"  # delegations with a guest of the category expected
    persons = "persons"  # the guests of the category and their interpreters


class Announcement(BaseModel):
    """A dated public statement of how many guests of a kind will attend."""

    model_config = ConfigDict(extra="forbid")

    at: Moment
    by: str = Field(min_length=1)
    where: str | None = None
    category: AnnouncedCategory = AnnouncedCategory.leader
    counts: Counts = Counts.leaders
    count: Annotated[int, Strict()] = Field(ge=0, le=100_000)
    foreign_only: Flag = True
    text: str | None = None
    illustrative: Flag = False


class Override(BaseModel):
    """Move one guest directly before or after another in the precedence list."""

    model_config = ConfigDict(extra="forbid")

    guest: GuestId
    before: GuestId | None = None
    after: GuestId | None = None
    reason: str | None = None


class PrecedenceRules(BaseModel):
    """How guests are ordered: the host first, then by category, then within it."""

    model_config = ConfigDict(extra="forbid")

    categories: list[Category] = Field(default_factory=lambda: list(Category))
    within_rank: Literal["seniority", "alphabetical"] = "seniority"
    language: str = Field(default="en", description="language of country names for ordering")
    overrides: list[Override] = Field(default_factory=list)

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        check_language(value)
        return value


class KeepApart(BaseModel):
    """Two guests or delegations that must not sit side by side."""

    model_config = ConfigDict(extra="forbid")

    a: str
    b: str
    reason: str | None = None


class SeatingRules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keep_apart: list[KeepApart] = Field(default_factory=list)


class GuestBook(BaseModel):
    """Everything in ``guests.yaml``."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    event: str | None = Field(default=None, description="the ceremony these guests attend")
    host_country: str
    language: str = Field(default="en", description="the host language, for country names")
    guests: list[Guest] = Field(max_length=100_000)
    events: list[Event] = Field(default_factory=list)
    announcements: list[Announcement] = Field(default_factory=list)
    precedence: PrecedenceRules = Field(default_factory=PrecedenceRules)
    seating: SeatingRules = Field(default_factory=SeatingRules)

    @field_validator("host_country")
    @classmethod
    def _iso_country(cls, value: str) -> str:
        return normalise_country(value)

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        check_language(value)
        return value

    def by_id(self) -> dict[str, Guest]:
        return {g.id: g for g in self.guests}

    def delegation_of(self, guest: Guest) -> str:
        """The delegation a guest sits with; host-country guests sit alone unless told."""
        if guest.delegation:
            return guest.delegation
        if guest.country == self.host_country:
            return f"{guest.country}:{guest.id}"
        return guest.country
