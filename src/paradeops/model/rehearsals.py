"""Rehearsals in a plan: when and where, and which units take part.

Plan section ``rehearsals:`` (a list). ``start`` means what ``parade.start``
means for the parade: the head of the first unit at the start point, the
reference time of that rehearsal's movement table. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from paradeops.model.input_types import PositiveSeconds

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


def _clock(v: Any) -> Any:
    from paradeops.model.plan import parse_clock  # plan.py imports this module

    return None if v is None else parse_clock(v)


class Rehearsal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: _Id
    name: str | None = Field(None, description="Name for tables (default: the id)")
    date: dt.date = Field(description="Date of the rehearsal, YYYY-MM-DD", examples=["2025-05-04"])
    start: dt.time = Field(description="Head of the first unit at the start point, HH:MM:SS")
    end: dt.time | None = Field(None, description="Clock time; before start means next day")
    duration_s: PositiveSeconds | None = Field(
        None, description="Length [s]; default: the parade's (or give end)"
    )
    place: str = Field(min_length=1, description="Where it is held", examples=["Alabino"])
    units: list[str] | None = Field(None, description="Unit ids taking part; default all")
    note: str | None = Field(None, description="Free text")

    _clocks = field_validator("start", "end", mode="before")(_clock)

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
