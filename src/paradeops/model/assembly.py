"""Assembly areas of a plan: where units form up before they step off.

Plan section ``assembly:`` (docs/staging.md). Each area holds units in metres
of road (``capacity_m``, a street closed for the purpose) or in square metres
(``capacity_m2``, a car park or a square); ``to_start_s`` is the walk or drive
from the area to the start point; ``opens`` is when the area can take units,
by the plan's rule for clock times (:mod:`paradeops.model.clock`). ``assign``
names each unit's area; a unit not named goes to ``default`` (the only area
when there is one), else it is a finding of ``paradeops staging``.

The rules that need only the plan's plain data (unknown or twice-used ids, a
time the clocks skip) are :func:`assembly_issues`; those that need the units'
road space (an area too small for a unit) are in :mod:`paradeops.staging`.
Pure.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)

from paradeops.errors import ValueAt
from paradeops.model.clock import CLOCK_PATTERN, ClockError, ClockTime, instant, parse_clock_time
from paradeops.model.clock_checks import parade_date, parade_zone
from paradeops.model.input_types import MAX_LENGTH_M, PositiveMetres, Seconds

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

__all__ = ["DEFAULT_FORM_UP_S", "Area", "Assembly", "assembly_issues"]

#: Time a unit is called before it leaves its area [s]: to arrive, find its
#: place, dress its ranks and be checked by the marshal (20 minutes).
DEFAULT_FORM_UP_S = 1200.0

_Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        description="Short identifier: letters, digits, '-', '_' or '.'",
    ),
]

# An area of a car park or a square [m²]: up to a square of the longest road.
_SquareMetres = Annotated[PositiveMetres, Field(le=MAX_LENGTH_M * 1000)]

# A clock time by the plan's one rule, on the parade's date: 24:00:00-47:59:59
# is the next date, an ISO date-time with offset is that instant (the evening
# before a parade dated after midnight is written that way).
OpensClock = Annotated[
    ClockTime,
    PlainValidator(parse_clock_time),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": CLOCK_PATTERN},
                {"type": "string", "format": "date-time"},
            ],
            "description": "Local wall-clock time on the parade's date, HH:MM:SS; "
            "24:00:00-47:59:59 for the next date; or an ISO 8601 date-time with offset",
            "examples": ["11:30:00", "2025-05-08T23:00:00+03:00"],
        }
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Area(_Strict):
    """An assembly area: where units wait and form up before the start point."""

    id: _Id = Field(examples=["station-road"])
    name: str | None = Field(
        None, description="Name for tables (default: the id)", examples=["Station Road car park"]
    )
    capacity_m: PositiveMetres | None = Field(
        None,
        description="Road space it holds [m], units one behind the other "
        "(give this or capacity_m2)",
        examples=[400],
    )
    capacity_m2: _SquareMetres | None = Field(
        None,
        description="Ground it holds [m²], for a car park or a square "
        "(give this or capacity_m); a unit takes its road space × its width (docs/staging.md)",
        examples=[2500],
    )
    to_start_s: Seconds = Field(
        description="From leaving the area to the head at the start point [s]", examples=[300]
    )
    opens: OpensClock | None = Field(
        None, description="When units may arrive (default: open all along)"
    )

    @model_validator(mode="after")
    def _one_capacity(self) -> Self:
        if (self.capacity_m is None) == (self.capacity_m2 is None):
            both = "both" if self.capacity_m is not None else "neither"
            raise ValueAt(
                (),
                f"area {self.id!r} has {both} of capacity_m and capacity_m2: give exactly one "
                "(metres of road, or square metres of ground)",
            )
        return self

    @property
    def label(self) -> str:
        return self.name or self.id


class Assembly(_Strict):
    """Assembly areas, which units form up where, and how long forming up takes."""

    areas: list[Area] = Field(min_length=1, max_length=1000, description="The assembly areas")
    assign: dict[str, str] = Field(
        default_factory=dict,
        description="Unit id to area id: where each unit forms up",
        examples=[{"cadets": "station-road", "tanks": "depot"}],
    )
    default: str | None = Field(
        None,
        description="Area id for units not in assign (default: the only area, if there is one)",
        examples=["station-road"],
    )
    form_up_s: Seconds = Field(
        DEFAULT_FORM_UP_S, description="A unit's call time is this long before it must "
        "leave its area: to arrive, find its place and form up [s]",
    )  # fmt: skip

    def area(self, area_id: str) -> Area:
        for a in self.areas:
            if a.id == area_id:
                return a
        raise KeyError(area_id)

    def area_of(self, unit_id: str) -> str | None:
        """The id of the area ``unit_id`` forms up in, or ``None`` when none is named."""
        if unit_id in self.assign:
            return self.assign[unit_id]
        if self.default is not None:
            return self.default
        return self.areas[0].id if len(self.areas) == 1 else None


def assembly_issues(data: Any) -> Iterator[Issue]:
    """Unknown and twice-used ids, aircraft assigned, skipped or repeated ``opens`` (plain data)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("assembly"), Mapping):
        return
    section = data["assembly"]
    units = data.get("units")
    kinds = {
        u.get("id"): u.get("kind")
        for u in (units if isinstance(units, list) else [])
        if isinstance(u, Mapping)
    }
    areas = section.get("areas")
    areas = areas if isinstance(areas, list) else []
    known = yield from _area_ids(areas)
    assign = section.get("assign")
    for uid, aid in (assign if isinstance(assign, Mapping) else {}).items():
        loc: Loc = ("assembly", "assign", uid)
        if isinstance(uid, str) and uid not in kinds:
            yield loc, f"unknown unit {uid!r}", "use a unit id from `units`"
        elif kinds.get(uid) == "aircraft":
            yield loc, f"unit {uid!r} is aircraft: it does not form up", "remove it from assign"
        if isinstance(aid, str) and aid not in known:
            yield loc, f"unknown area {aid!r}", _known_areas(known)
    default = section.get("default")
    if isinstance(default, str) and default not in known:
        yield ("assembly", "default"), f"unknown area {default!r}", _known_areas(known)
    yield from _opens_issues(data.get("parade"), areas)


def _area_ids(areas: list[Any]) -> Generator[Issue, None, list[str]]:
    """Issues of twice-used area ids; returns the ids (a generator's return value)."""
    seen: dict[str, int] = {}
    for i, raw in enumerate(areas):
        aid = raw.get("id") if isinstance(raw, Mapping) else None
        if not isinstance(aid, str):
            continue
        if aid in seen:
            yield (
                ("assembly", "areas", i, "id"),
                f"area id {aid!r} is already used by assembly.areas[{seen[aid]}]",
                "give each area its own id",
            )
        else:
            seen[aid] = i
    return list(seen)


def _opens_issues(parade: Any, areas: list[Any]) -> Iterator[Issue]:
    """An ``opens`` the parade's zone skips or shows twice that day."""
    parade = parade if isinstance(parade, Mapping) else {}
    date, zone = parade_date(parade.get("date")), parade_zone(parade.get("timezone"))
    if date is None or zone is None:
        return
    for i, raw in enumerate(areas):
        value = raw.get("opens") if isinstance(raw, Mapping) else None
        if value is None:
            continue
        try:
            clock = parse_clock_time(value)
        except ValueError:
            continue  # pydantic says what is wrong with the spelling
        try:
            instant(clock, date, zone, "")
        except ClockError as e:
            yield ("assembly", "areas", i, "opens"), e.message, e.hint


def _known_areas(known: list[str]) -> str:
    return "known areas: " + ", ".join(known) if known else "add the area to assembly.areas"
