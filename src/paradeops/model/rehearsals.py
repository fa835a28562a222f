"""Rehearsals in a plan: when and where, and which units take part.

Plan section ``rehearsals:`` (a list). ``start`` means what ``parade.start``
means for the parade: the head of the first unit at the start point, the
reference time of that rehearsal's movement table. ``start`` and ``end``
follow the plan's rule for clock times on the rehearsal's own date
(``24:30:00`` is half past midnight after it); the rules that need the zone
(a skipped or repeated time, an end not after the start) are in
:mod:`paradeops.model.clock_checks`. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema

from paradeops.model.clock import CLOCK_PATTERN, ClockTime, parse_clock_time
from paradeops.model.input_types import PlanDate, PositiveSeconds

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

_Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        description="Short identifier: letters, digits, '-', '_' or '.'",
    ),
]


# A clock time by the plan's one rule (paradeops.model.clock), on the
# rehearsal's own date: 24:00:00-47:59:59 is the next date, ISO an instant.
RehearsalClock = Annotated[
    ClockTime,
    PlainValidator(parse_clock_time),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": CLOCK_PATTERN},
                {"type": "string", "format": "date-time"},
            ],
            "description": "Local wall-clock time on the rehearsal's date, HH:MM:SS; "
            "24:00:00-47:59:59 for the next date; or an ISO 8601 date-time with offset",
            "examples": ["22:00:00", "24:30:00", "2025-04-30T00:30:00+03:00"],
        }
    ),
]


class Rehearsal(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: _Id
    name: str | None = Field(None, description="Name for tables (default: the id)")
    date: PlanDate = Field(
        description="Date of the rehearsal, YYYY-MM-DD, from 1900 to 2200",
        examples=["2025-05-04"],
    )
    start: RehearsalClock = Field(
        description="Head of the first unit at the start point, on the rehearsal's date"
    )
    end: RehearsalClock | None = Field(
        None,
        description="When it ends; after midnight 24:MM:SS (must be after start)",
        examples=["24:30:00"],
    )
    duration_s: PositiveSeconds | None = Field(
        None, description="Length [s]; default: the parade's (or give end)"
    )
    place: str = Field(min_length=1, description="Where it is held", examples=["Alabino"])
    units: list[str] | None = Field(None, description="Unit ids taking part; default all")
    note: str | None = Field(None, description="Free text")

    @property
    def label(self) -> str:
        return self.name or self.id


def rehearsal_issues(data: Any) -> Iterator[Issue]:
    """Unknown units, duplicate ids, both end and duration_s (plain data)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("rehearsals"), list):
        return
    units = data.get("units")
    known = {
        u.get("id") for u in (units if isinstance(units, list) else []) if isinstance(u, Mapping)
    }
    seen: set[str] = set()
    for r, raw in enumerate(data["rehearsals"]):
        if not isinstance(raw, Mapping):
            continue
        loc: Loc = ("rehearsals", r)
        rid = raw.get("id")
        if isinstance(rid, str):
            if rid in seen:
                yield (*loc, "id"), f"rehearsal id {rid!r} is used twice", "give each its own id"
            seen.add(rid)
        if raw.get("end") is not None and raw.get("duration_s") is not None:
            yield loc, "both end and duration_s given", "keep one of them"
        ids = raw.get("units")
        for i, uid in enumerate(ids if isinstance(ids, list) else []):
            if isinstance(uid, str) and uid not in known:
                yield (*loc, "units", i), f"unknown unit {uid!r}", "use a unit id from `units`"
