"""The plan file, version 1 (docs/plan-format.md): pydantic models, pure.

Field names carry their unit (``speed_kmh``, ``gap_m``) and are converted to SI
once, by :mod:`paradeops.model.units`. Cross-field rules (ids unique,
checkpoints in order, references resolve) live in :mod:`paradeops.model.checks`
so that every problem in a file is reported at once, not just the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
)

from paradeops.model.assembly import Assembly
from paradeops.model.clock import CLOCK_PATTERN, ClockTime, parse_clock_time
from paradeops.model.equipment import EquipmentModel
from paradeops.model.input_types import (
    AirSpeed,
    Count,
    Files,
    Flag,
    GroundSpeed,
    Latitude,
    Longitude,
    Metres,
    PerMinute,
    Personnel,
    PlanDate,
    PositiveMetres,
    PositiveSeconds,
    Seconds,
)
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
# Numbers are strict, finite and bounded (see paradeops.model.input_types).
Positive = PositiveMetres
NonNegative = Metres

# A plan's clock time, by the one rule of :mod:`paradeops.model.clock`; it
# becomes an instant once the parade's date and zone are known.
Clock = Annotated[
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
            "examples": ["10:30:00", "24:15:00", "2025-07-15T00:15:00+02:00"],
        }
    ),
]


def _version_one(value: Any) -> Any:
    """``1`` only: lax ``Literal[1]`` also takes ``1.0`` and ``true`` (both equal 1)."""
    if type(value) is not int:
        shown = "true" if value is True else "false" if value is False else repr(value)
        raise ValueError(
            f"must be the whole number 1 (the format's version), got {shown}: write version: 1"
        )
    return value


FormatVersion = Annotated[Literal[1], BeforeValidator(_version_one)]

#: The most tags of one unit, and the longest tag: words, not descriptions.
MAX_TAGS, MAX_TAG_CHARS = 16, 32
_TAG = re.compile(r"[a-z][a-z0-9-]*")


def _tag_word(value: str) -> str:
    """A tag is one lowercase word, so that a rule names it as the plan writes it."""
    if not _TAG.fullmatch(value) or len(value) > MAX_TAG_CHARS:
        raise ValueError(
            f"tag {value!r} is not a lowercase word: use a-z, digits and '-', "
            f"starting with a letter, at most {MAX_TAG_CHARS} characters (e.g. band, horses)"
        )
    return value


Tag = Annotated[
    str,
    AfterValidator(_tag_word),
    WithJsonSchema(
        {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": MAX_TAG_CHARS,
         "description": "A lowercase word: letters a-z, digits and '-'"}
    ),
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Parade(_Strict):
    name: str = Field(min_length=1, description="Name of the parade, for titles",
                      examples=["Victory Day Parade"])
    date: PlanDate = Field(
        description="Date of the parade, YYYY-MM-DD, from 1900 to 2200", examples=["2025-05-09"]
    )
    timezone: str = Field(description="IANA time zone, e.g. Europe/Moscow",
                          examples=["Europe/Moscow"])
    start: Clock = Field(description="Reference time: head of the first unit at the start point")
    window_end: Clock | None = Field(
        None, description="The last tail must pass the reviewing stand by then"
    )
    window_name: str = Field(
        "window", min_length=1, max_length=60,
        description="What the window is, for charts (e.g. broadcast window)",
        examples=["broadcast window"],
    )  # fmt: skip

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
    name: str | None = Field(None, description="Name for tables (default: the id)")
    at_m: Metres | None = Field(None, description="Distance along the route [m]",
                                examples=[180])
    lon: Longitude | None = Field(None, description="Longitude [°], with lat and route.geometry",
                                  examples=[37.6196])
    lat: Latitude | None = Field(None, description="Latitude [°], with lon and route.geometry",
                                 examples=[55.7537])
    reviewing: Flag = Field(False, description="The reviewing stand (at most one)")

    @property
    def label(self) -> str:
        return self.name or self.id


class SpeedLimit(_Strict):
    from_: str = Field(alias="from", description="Checkpoint id where the limit begins",
                       examples=["start"])
    to: str = Field(description="Checkpoint id where the limit ends", examples=["tribune"])
    max_kmh: GroundSpeed = Field(description="Speed limit [km/h]; a unit moves at most this "
                                 "fast while any part of it is in the stretch", examples=[12])


class Route(_Strict):
    checkpoints: list[Checkpoint] = Field(
        min_length=2, max_length=1000,
        description="Points along the route in the order the parade reaches them",
    )
    speed_limits: list[SpeedLimit] = Field(
        default_factory=list, description="Stretches of the route with a lower speed"
    )
    geometry: str | None = Field(
        None, description="GeoJSON file (LineString, lon/lat) relative to the plan file"
    )


class Defaults(_Strict):
    gap_m: NonNegative = Field(20, description="Planned distance from a tail to the next head")
    min_gap_m: NonNegative = Field(5, description="Closer than this, the follower is held back")
    max_gap_m: PositiveMetres | None = Field(
        None, description="A larger gap opening before the reviewing stand is a finding"
    )
    flypast_clear_s: Seconds | None = Field(
        None,
        description="If set, no aircraft may pass over a checkpoint within this many "
        "seconds of a show stop there",
    )


class Target(_Strict):
    at: str = Field(description="Checkpoint id")
    head: Clock | None = Field(None, description="Clock time the head should pass `at`")
    tail: Clock | None = Field(None, description="Clock time the tail should pass `at`")


class ShowStop(_Strict):
    at: str = Field(description="Checkpoint id where the head halts")
    duration_s: PositiveSeconds = Field(description="How long the head halts there [s]",
                                        examples=[30])


class _UnitBase(_Strict):
    id: Id
    name: str | None = Field(None, description="Name for tables (default: the id)")
    description: str | None = Field(None, description="One sentence for the announcer")
    gap_m: NonNegative | None = Field(None, description="Overrides defaults.gap_m before this unit")
    step_off: Clock | None = Field(
        None, description="Clock time the head crosses the start (default: behind the unit ahead)"
    )
    target: Target | None = Field(
        None, description="A time the head or tail must pass a checkpoint; sets the step-off"
    )
    show_stop: ShowStop | None = Field(None, description="A halt of the head at a checkpoint")
    debut: Flag = Field(False, description="First appearance in a parade, for the announcer")
    country: str | None = Field(None, description="ISO 3166 alpha-2 code of a foreign contingent")
    personnel: Personnel | None = Field(
        None, description="Number of people, where it is not ranks × files"
    )
    tags: list[Tag] = Field(
        default_factory=list,
        max_length=MAX_TAGS,
        description="Words the order-of-march rules name (docs/lineup.md)",
        examples=[["band", "loud"]],
    )

    @property
    def label(self) -> str:
        return self.name or self.id


class _Formation(_UnitBase):
    ranks: Count = Field(description="Ranks (rows) one behind the other", examples=[10])
    files: Files = Field(1, description="People (or horses) side by side in a rank")
    rank_spacing_m: PositiveMetres = Field(
        1.4, description="Front of one rank to the front of the next [m]"
    )
    rank_depth_m: Positive = Field(
        0.5, description="Depth of the last rank, front to back [m] (a horse: 2.4)"
    )
    cadence_spm: PerMinute | None = Field(None, description="Steps per minute", examples=[116])
    pace_m: PositiveMetres | None = Field(
        None, description="Length of one step [m]", examples=[0.8]
    )
    speed_kmh: GroundSpeed | None = Field(
        None, description="March speed [km/h]; default cadence_spm × pace_m", examples=[5.5]
    )


class FootUnit(_Formation):
    kind: Literal["foot"] = Field(description="A formation on foot")


class BandUnit(_Formation):
    kind: Literal["band"] = Field(description="A marching band")


class MountedUnit(_Formation):
    kind: Literal["mounted"] = Field(description="A formation on horseback")
    rank_depth_m: Positive = Field(2.4, description="Length of the last horse [m]")


class VehicleUnit(_UnitBase):
    kind: Literal["vehicles"] = Field(description="A column of vehicles")
    equipment: str | None = Field(
        None, description="Model name in the equipment catalogue", examples=["T-90M"]
    )
    count: Count = Field(description="Number of vehicles, one behind the other", examples=[6])
    vehicle_length_m: PositiveMetres | None = Field(
        None, description="Default: length_m of the equipment in the catalogue"
    )
    spacing_m: Metres = Field(
        description="Back of one vehicle to the front of the next [m]", examples=[25]
    )
    speed_kmh: GroundSpeed | None = Field(
        None, description="Speed [km/h]; default: speed_kmh of the equipment in the catalogue"
    )


class FloatUnit(_UnitBase):
    kind: Literal["float"] = Field(description="A float (a decorated vehicle or platform)")
    length_m: PositiveMetres = Field(description="Length of the float [m]", examples=[12])
    speed_kmh: GroundSpeed = Field(description="Speed [km/h]", examples=[4])


class AircraftUnit(_UnitBase):
    kind: Literal["aircraft"] = Field(description="A flypast: aircraft over one checkpoint")
    equipment: str | None = Field(
        None, description="Model name in the equipment catalogue", examples=["Su-57"]
    )
    count: Count = Field(1, description="Number of aircraft in the formation")
    over: str = Field(description="Checkpoint id the formation passes over")
    at: Clock = Field(description="Time the lead aircraft is over that checkpoint")
    speed_kmh: AirSpeed = Field(450, description="Ground speed of the formation [km/h]")
    length_m: Metres = Field(0, description="Length of the formation [m]")


Unit = Annotated[
    FootUnit | BandUnit | MountedUnit | VehicleUnit | FloatUnit | AircraftUnit,
    Field(discriminator="kind"),
]
GroundUnit = FootUnit | BandUnit | MountedUnit | VehicleUnit | FloatUnit


class Plan(_Strict):
    """A whole plan file."""

    version: FormatVersion = Field(description="Version of the plan format: 1")
    parade: Parade = Field(description="Name, date, time zone and start of the parade")
    route: Route = Field(description="Checkpoints, speed limits and the route's geometry")
    defaults: Defaults = Field(
        default_factory=Defaults, description="Gaps and limits that apply to every unit"
    )
    units: list[Unit] = Field(
        min_length=1, max_length=10_000, description="The units in order of march"
    )
    equipment: str | list[EquipmentModel] | None = Field(
        None,
        description="Equipment catalogue: a file relative to the plan, or the list inline. "
        "After loading, always the list (the file resolved).",
    )
    music: MusicProgram | None = Field(
        None, description="Bands beside the route and their cue sheets (docs/composition.md)"
    )
    rehearsals: list[Rehearsal] = Field(
        default_factory=list, description="Rehearsals: when, where, which units"
    )
    simulation: SimulationSpec = Field(
        default_factory=SimulationSpec,
        description="What may go wrong on the day, for `paradeops simulate` (docs/simulation.md)",
    )
    assembly: Assembly | None = Field(None, description="Assembly areas (docs/staging.md)")

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
