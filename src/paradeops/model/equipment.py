"""The equipment catalogue: models of vehicles and aircraft, their class and figures.

A catalogue is a file of its own (``equipment: ../equipment.yaml`` in a plan,
relative to the plan file) or a list inline in the plan under ``equipment:``.
Units refer to an entry by its ``model`` name (``equipment: T-90M``); a
vehicle unit's ``vehicle_length_m`` and ``speed_kmh`` default from it and the
class (tank, tractor, ...) always comes from it. Pure: models and checks on
plain data, no file access (see :mod:`paradeops.io.catalogue`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from paradeops.model.input_types import AirSpeed, PositiveMetres

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

#: The classes a model may belong to. The article's "armored vehicles, tank
#: trucks, tractors, tanks, and other tracked equipment" plus aircraft; the
#: others make a column countable without "other" swallowing half of it.
EquipmentClass = Literal[
    "tank",
    "armoured-vehicle",
    "tank-truck",
    "tractor",
    "tracked-vehicle",
    "artillery",
    "missile-system",
    "air-defence",
    "truck",
    "aircraft",
    "helicopter",
    "other",
]
AIR_CLASSES = frozenset({"aircraft", "helicopter"})


class EquipmentModel(BaseModel):
    """One model of vehicle or aircraft."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    model: str = Field(
        min_length=1, max_length=200, description="Name units refer to, e.g. T-90M",
        examples=["T-90M"],
    )
    class_: EquipmentClass = Field(
        alias="class", description="What it is: tank, tractor, aircraft, ...", examples=["tank"]
    )
    length_m: PositiveMetres | None = Field(
        None, description="Length of one vehicle or airframe [m]", examples=[9.63]
    )
    speed_kmh: AirSpeed | None = Field(
        None, description="Typical parade speed [km/h]", examples=[20]
    )
    name: str | None = Field(None, description="Full name, for tables")
    note: str | None = Field(None, description="Source of the figures, or 'illustrative'")

    @property
    def is_air(self) -> bool:
        return self.class_ in AIR_CLASSES


class EquipmentCatalogue(BaseModel):
    """A catalogue file: ``version: 1`` and a list of ``equipment``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    version: Literal[1] = Field(description="Version of the catalogue format: 1")
    equipment: list[EquipmentModel] = Field(
        min_length=1, max_length=10_000, description="The models, each once"
    )


def index(entries: Sequence[EquipmentModel]) -> dict[str, EquipmentModel]:
    """Entries by model name (the first of duplicates; duplicates are reported)."""
    out: dict[str, EquipmentModel] = {}
    for e in entries:
        out.setdefault(e.model, e)
    return out


def duplicate_issues(entries: Any, loc: Loc = ("equipment",)) -> Iterator[Issue]:
    """The same model listed twice in a catalogue (plain data)."""
    seen: dict[str, int] = {}
    for i, raw in enumerate(entries if isinstance(entries, list) else []):
        name = raw.get("model") if isinstance(raw, Mapping) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield (
                (*loc, i, "model"),
                f"model {name!r} is already listed at [{seen[name]}]",
                "list each model once",
            )
        else:
            seen[name] = i


def equipment_issues(data: Any, known: Mapping[str, EquipmentModel] | None) -> Iterator[Issue]:
    """Units of a plan (plain data) against its catalogue.

    ``known`` is None when the plan has no catalogue: then ``equipment`` is a
    label only, and a vehicle unit must give its own length and speed.
    """
    units = data.get("units") if isinstance(data, Mapping) else None
    for i, raw in enumerate(units if isinstance(units, list) else []):
        if not isinstance(raw, Mapping):
            continue
        kind, name = raw.get("kind"), raw.get("equipment")
        loc: Loc = ("units", i)
        entry = None
        if isinstance(name, str) and known is not None:
            entry = known.get(name)
            if entry is None and kind in ("vehicles", "aircraft"):
                yield (
                    (*loc, "equipment"),
                    f"unknown equipment {name!r}: not in the catalogue",
                    _near(name, known),
                )
                continue
        if kind != "vehicles":
            continue
        for field, fallback in (("vehicle_length_m", "length_m"), ("speed_kmh", "speed_kmh")):
            if raw.get(field) is not None:
                continue
            if entry is not None and getattr(entry, fallback) is not None:
                continue
            if entry is not None:
                hint = f"give {field} here, or {fallback} for {name!r} in the catalogue"
            elif isinstance(name, str):
                hint = f"give {field}, or add an equipment catalogue that lists {name!r}"
            else:
                hint = f"give {field}, or name the model in `equipment` and use a catalogue"
            yield loc, f"no {field}: neither the unit nor the catalogue gives it", hint


def _near(name: str, known: Mapping[str, EquipmentModel]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "add it to the catalogue, or fix the name (the match is exact)"
