"""The plan file, version 1 (see DESIGN.md): pydantic models, pure.

Field names carry their unit (``speed_kmh``, ``gap_m``) and are converted to SI
once, by :mod:`paradeops.model.units`. Cross-field rules (ids unique,
checkpoints in order, references resolve) live in :mod:`paradeops.model.checks`
so that every problem in a file is reported at once, not just the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from paradeops.model.equipment import EquipmentModel
from paradeops.model.music import MusicProgram
from paradeops.model.rehearsals import Rehearsal
from paradeops.model.simulation_spec import SimulationSpec

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=64,
        description="Short identifier: letters, digits, '-', '_' or '.'",
    ),
]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$")


def parse_clock(value: Any) -> dt.time:
    """``"HH:MM[:SS[.f]]"`` (or a time) to a :class:`datetime.time`."""
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        m = _CLOCK.match(value.strip())
        if m:
            seconds = float(m.group(3) or 0)
            whole = int(seconds)
            return dt.time(
                int(m.group(1)), int(m.group(2)), whole, round((seconds - whole) * 1e6)
            )
    raise ValueError(f'expected a clock time "HH:MM:SS", got {value!r}')


Clock = Annotated[dt.time, Field(json_schema_extra={"type": "string", "pattern": _CLOCK.pattern})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Parade(_Strict):
    name: str = Field(min_length=1)
    date: dt.date
    timezone: str = Field(description="IANA time zone, e.g. Europe/Moscow")
    start: Clock = Field(description="Reference time: head of the first unit at the start point")
    window_end: Clock | None = Field(
        None, description="The last tail must pass the reviewing stand by then"
    )

    _clock = field_validator("start", "window_end", mode="before")(
        lambda v: None if v is None else parse_clock(v)
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r}; use an IANA name such as Europe/Moscow"
            ) from None
        return v


class Checkpoint(_Strict):
    id: Id
    name: str | None = None
    at_m: NonNegative | None = Field(None, description="Distance along the route [m]")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    reviewing: bool = False

    @property
    def label(self) -> str:
        return self.name or self.id


class SpeedLimit(_Strict):
    from_: str = Field(alias="from")
    to: str
    max_kmh: Positive


class Route(_Strict):
    checkpoints: list[Checkpoint] = Field(min_length=2)
    speed_limits: list[SpeedLimit] = Field(default_factory=list)
    geometry: str | None = Field(
        None, description="GeoJSON file (LineString, lon/lat) relative to the plan file"
    )


class Defaults(_Strict):
    gap_m: NonNegative = Field(20, description="Planned distance from a tail to the next head")
    min_gap_m: NonNegative = Field(5, description="Closer than this, the follower is held back")
    max_gap_m: Positive | None = Field(
        None, description="A larger gap opening before the reviewing stand is a finding"
    )
    flypast_clear_s: NonNegative | None = Field(
        None,
        description="If set, no aircraft may pass over a checkpoint within this many "
        "seconds of a show stop there",
    )


class Target(_Strict):
    at: str = Field(description="Checkpoint id")
    head: Clock | None = None
    tail: Clock | None = None

    _clock = field_validator("head", "tail", mode="before")(
        lambda v: None if v is None else parse_clock(v)
    )


class ShowStop(_Strict):
    at: str = Field(description="Checkpoint id where the head halts")
    duration_s: Positive


class _UnitBase(_Strict):
    id: Id
    name: str | None = None
    description: str | None = Field(None, description="One sentence for the announcer")
    gap_m: NonNegative | None = Field(None, description="Overrides defaults.gap_m before this unit")
    step_off: Clock | None = None
    target: Target | None = None
    show_stop: ShowStop | None = None
    debut: bool = False
    country: str | None = Field(None, description="ISO 3166 alpha-2 code of a foreign contingent")
    personnel: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Number of people, where it is not ranks × files"
    )

    _clock = field_validator("step_off", mode="before")(
        lambda v: None if v is None else parse_clock(v)
    )

    @property
    def label(self) -> str:
        return self.name or self.id


class _Formation(_UnitBase):
    ranks: Annotated[int, Field(ge=1)]
    files: Annotated[int, Field(ge=1)] = 1
    rank_spacing_m: Positive = 1.4
    rank_depth_m: Positive = Field(
        0.5, description="Depth of the last rank, front to back [m] (a horse: 2.4)"
    )
    cadence_spm: Positive | None = Field(None, description="Steps per minute")
    pace_m: Positive | None = Field(None, description="Length of one step [m]")
    speed_kmh: Positive | None = None


class FootUnit(_Formation):
    kind: Literal["foot"]


class BandUnit(_Formation):
    kind: Literal["band"]


class MountedUnit(_Formation):
    kind: Literal["mounted"]
    rank_depth_m: Positive = Field(2.4, description="Length of the last horse [m]")


class VehicleUnit(_UnitBase):
    kind: Literal["vehicles"]
    equipment: str | None = None
    count: Annotated[int, Field(ge=1)]
    vehicle_length_m: Positive | None = Field(
        None, description="Default: length_m of the equipment in the catalogue"
    )
    spacing_m: NonNegative = Field(description="Back of one vehicle to the front of the next [m]")
    speed_kmh: Positive | None = Field(
        None, description="Default: speed_kmh of the equipment in the catalogue"
    )


class FloatUnit(_UnitBase):
    kind: Literal["float"]
    length_m: Positive
    speed_kmh: Positive


class AircraftUnit(_UnitBase):
    kind: Literal["aircraft"]
    equipment: str | None = None
    count: Annotated[int, Field(ge=1)] = 1
    over: str = Field(description="Checkpoint id the formation passes over")
    at: Clock = Field(description="Time the lead aircraft is over that checkpoint")
    speed_kmh: Positive = 450
    length_m: NonNegative = Field(0, description="Length of the formation [m]")

    _at = field_validator("at", mode="before")(parse_clock)


Unit = Annotated[
    FootUnit | BandUnit | MountedUnit | VehicleUnit | FloatUnit | AircraftUnit,
    Field(discriminator="kind"),
]
GroundUnit = FootUnit | BandUnit | MountedUnit | VehicleUnit | FloatUnit


class Plan(_Strict):
    """A whole plan file."""

    version: Literal[1]
    parade: Parade
    route: Route
    defaults: Defaults = Field(default_factory=Defaults)
    units: list[Unit] = Field(min_length=1)
    equipment: str | list[EquipmentModel] | None = Field(
        None,
        description="Equipment catalogue: a file relative to the plan, or the list inline. "
        "After loading, always the list (the file resolved).",
    )
    music: MusicProgram | None = None
    rehearsals: list[Rehearsal] = Field(default_factory=list)
    simulation: SimulationSpec = Field(default_factory=SimulationSpec)

    # Set by the loader: maps a field path such as ("units", 3, "target") to
    # its line, so that problems found later (by the engine) still name one.
    _locate: Callable[[tuple[str | int, ...]], int | None] | None = PrivateAttr(None)

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        return None if self._locate is None else self._locate(loc)

    def checkpoint(self, cid: str) -> Checkpoint:
        for c in self.route.checkpoints:
            if c.id == cid:
                return c
        raise KeyError(cid)

    @property
    def reviewing(self) -> Checkpoint:
        """The reviewing stand; without one marked, the last checkpoint."""
        for c in self.route.checkpoints:
            if c.reviewing:
                return c
        return self.route.checkpoints[-1]
