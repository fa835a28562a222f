"""Tribunes (reviewing stands): sections, rows and seats, and their honour order.

Geometry. Sections stand side by side, left to right in file order, as seen
by the people seated on them (facing the parade); ``aisle`` empty columns
separate two sections. In each section, row 1 is the front row; seat 1 of a
row is its leftmost seat, and ``offset`` shifts a row to the right. Every
seat thus gets a global column; "right of the host" means a larger column.

Honour order. The host's seat is the most honourable. Then, tier by tier
(a section's ``tier``, 0 unless given), front rows first; within a row by
distance from the host's column, the seat to the host's right before the
one to the left at the same distance: centre, right 1, left 1, right 2, …

Precedence seats. On the seats that carry honour — by default the host's row
of the host's section; ``precedence_seats`` names other rows — precedence is
a hard rule (:mod:`paradeops.protocol.seating_precedence`): no secondary rule
(interpreters, keep-apart) moves a principal out of their place there unless
``rules_over_precedence`` lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from paradeops.errors import ValueAt

#: A whole number as written (not true, not 2.0, not "2").
Whole = Annotated[int, Strict()]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: Whole = Field(ge=1, le=1000, description="1 is the front row")
    seats: Whole = Field(ge=1, le=1000, description="seats in the row")
    offset: Whole = Field(default=0, ge=0, le=1000, description="empty columns before seat 1")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str | None = None
    tier: Whole = Field(default=0, ge=0, le=100, description="0 is the most honourable tier")
    rows: list[Row] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _unique_rows(self) -> Section:
        seen: set[int] = set()
        for i, r in enumerate(self.rows):
            if r.number in seen:
                raise ValueAt(
                    ("rows", i, "number"), f"section {self.id!r} lists row {r.number} twice"
                )
            seen.add(r.number)
        return self


class SeatRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section: str
    row: Whole = Field(ge=1, le=1000)
    seat: Whole = Field(ge=1, le=1000)


class PrecedenceRows(BaseModel):
    """Rows of one section whose seats carry honour: precedence is exact there."""

    model_config = ConfigDict(extra="forbid")

    section: str
    rows: list[Whole] = Field(min_length=1, description="row numbers; 1 is the front row")


#: Secondary rules a tribune file may put above precedence on the precedence seats.
Rule = Literal["interpreters", "keep_apart"]


class Tribunes(BaseModel):
    """Everything in ``tribunes.yaml``."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    name: str | None = None
    aisle: Whole = Field(default=1, ge=0, le=100, description="empty columns between two sections")
    host_seat: SeatRef | None = None
    sections: list[Section] = Field(min_length=1, max_length=1000)
    precedence_seats: list[PrecedenceRows] | None = Field(
        default=None, description="rows where precedence is exact; default: the host's row")
    rules_over_precedence: list[Rule] = Field(
        default_factory=list,
        description="secondary rules that may move a principal out of a precedence seat")

    @model_validator(mode="after")
    def _check(self) -> Tribunes:
        ids: set[str] = set()
        for i, s in enumerate(self.sections):
            if s.id in ids:
                raise ValueAt(("sections", i, "id"), f"two sections share the id {s.id!r}")
            ids.add(s.id)
        if self.host_seat is not None:
            ref = self.host_seat
            section = next((s for s in self.sections if s.id == ref.section), None)
            row = None if section is None else next(
                (r for r in section.rows if r.number == ref.row), None
            )
            # The field at fault: the section, else the row, else the seat.
            at = "section" if section is None else "row" if row is None else "seat"
            if row is None or ref.seat > row.seats:
                raise ValueAt(
                    ("host_seat", at),
                    f"host_seat {ref.section} row {ref.row} seat {ref.seat} is not on the tribunes",
                )
        self._check_precedence_seats()
        return self

    def _check_precedence_seats(self) -> None:
        rows = {s.id: {r.number for r in s.rows} for s in self.sections}
        for i, ref in enumerate(self.precedence_seats or []):
            if ref.section not in rows:
                raise ValueAt(("precedence_seats", i, "section"),
                              f"precedence_seats names section {ref.section!r}, "
                              "which the tribunes do not have")
            for j, number in enumerate(ref.rows):
                if number not in rows[ref.section]:
                    raise ValueAt(("precedence_seats", i, "rows", j),
                                  f"section {ref.section!r} has no row {number}")


@dataclass(frozen=True)
class Seat:
    index: int  # position in Layout.seats
    section: str
    row: int
    number: int
    column: int
    honour: int  # 0 = the host's seat


@dataclass(frozen=True)
class Segment:
    """A run of adjacent seats: one row of one section."""

    index: int
    section: str
    row: int
    seats: tuple[int, ...]  # seat indices, left to right
    behind: int | None  # the segment of the next row back in the same section


@dataclass(frozen=True)
class Layout:
    seats: tuple[Seat, ...]
    segments: tuple[Segment, ...]
    host_seat: int
    #: segments whose seats carry honour: precedence is exact there (empty: the host's row)
    precedence_segments: tuple[int, ...] = ()
    rules_over_precedence: frozenset[str] = frozenset()

    def principal_segments(self) -> tuple[int, ...]:
        """The segments where precedence is exact: as configured, else the host's row."""
        if self.precedence_segments:
            return self.precedence_segments
        return tuple(seg.index for seg in self.segments if self.host_seat in seg.seats)

    def honour_order(self) -> list[Seat]:
        return sorted(self.seats, key=lambda s: s.honour)

    def label(self, seat: Seat) -> str:
        return f"{seat.section} r{seat.row} s{seat.number}"


def layout(tribunes: Tribunes) -> Layout:
    """Seats with their columns and honour ranks, and the row segments."""
    raw: list[tuple[str, int, int, int, int]] = []  # section, row, number, column, tier
    col0 = 0
    runs: list[tuple[str, int, list[int]]] = []
    for section in tribunes.sections:
        width = max(r.offset + r.seats for r in section.rows)
        for row in sorted(section.rows, key=lambda r: r.number):
            run = []
            for n in range(1, row.seats + 1):
                run.append(len(raw))
                raw.append((section.id, row.number, n, col0 + row.offset + n - 1, section.tier))
            runs.append((section.id, row.number, run))
        col0 += width + tribunes.aisle
    if tribunes.host_seat is not None:
        ref = tribunes.host_seat
        host = next(
            i for i, s in enumerate(raw) if (s[0], s[1], s[2]) == (ref.section, ref.row, ref.seat)
        )
    else:
        middle = tribunes.sections[len(tribunes.sections) // 2]
        front = min(middle.rows, key=lambda r: r.number)
        host = next(
            i
            for i, s in enumerate(raw)
            if (s[0], s[1], s[2]) == (middle.id, front.number, (front.seats + 1) // 2)
        )
    host_col = raw[host][3]

    def key(i: int) -> tuple[int, int, int, int, int]:
        _, row, _, column, tier = raw[i]
        dx = column - host_col
        return (0 if i == host else 1, tier, row, abs(dx), 0 if dx > 0 else 1)

    ranked = sorted(range(len(raw)), key=key)
    honour = [0] * len(raw)
    for rank, i in enumerate(ranked):
        honour[i] = rank
    seats = tuple(
        Seat(i, s[0], s[1], s[2], s[3], honour[i]) for i, s in enumerate(raw)
    )
    segments: list[Segment] = []
    for k, (section_id, number, run) in enumerate(runs):
        nxt = runs[k + 1] if k + 1 < len(runs) else None
        behind = k + 1 if nxt is not None and nxt[0] == section_id else None
        segments.append(Segment(k, section_id, number, tuple(run), behind))
    chosen = {(ref.section, n) for ref in tribunes.precedence_seats or [] for n in ref.rows}
    principal = tuple(seg.index for seg in segments if (seg.section, seg.row) in chosen)
    return Layout(seats, tuple(segments), host, principal,
                  frozenset(tribunes.rules_over_precedence))
