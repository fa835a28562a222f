"""The composition of parades: counts, debuts and year-over-year ratios.

Vehicles are the ``count`` of ``vehicles`` units; aircraft the ``count`` of
``aircraft`` units; personnel :func:`paradeops.model.units.personnel` summed
over every unit. A *debut* is a model (an ``equipment`` name) that appears in
a parade and in none of the parades given with an earlier date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paradeops.composition.catalogue import catalogue_of, class_of
from paradeops.model.plan import AircraftUnit, FloatUnit, Plan, VehicleUnit
from paradeops.model.units import personnel

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Composition:
    name: str
    date: dt.date
    personnel: int
    vehicles: int
    aircraft: int
    floats: int
    units: int
    #: class -> number of vehicles or aircraft (from the catalogue).
    by_class: dict[str, int]
    #: model -> number of vehicles or aircraft.
    by_model: dict[str, int]
    #: Models never seen in the earlier parades given (empty without any).
    debuts: tuple[str, ...] = ()
    #: Models of units marked ``debut: true`` in the plan.
    declared_debuts: tuple[str, ...] = ()
    #: Names of the earlier parades the debuts were found against.
    compared_with: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def models(self) -> frozenset[str]:
        return frozenset(self.by_model)


@dataclass(frozen=True)
class Ratio:
    """The first parade's figures divided by another's (None where that one has 0)."""

    vs: str
    vehicles: float | None
    personnel: float | None
    aircraft: float | None

    def text(self) -> str:
        if self.vehicles is None:
            return f"{self.vs} had no vehicles"
        return f"{self.vehicles:.1f}× the vehicles of {self.vs}"


@dataclass(frozen=True)
class Comparison:
    parades: tuple[Composition, ...]
    ratios: tuple[Ratio, ...]

    def to_frame(self) -> pd.DataFrame:
        """Counts (totals, then by class), one column per parade (needs pandas); see
        :func:`paradeops.frames.comparison_frame`."""
        from paradeops.frames import comparison_frame

        return comparison_frame(self)


def composition(plan: Plan) -> Composition:
    """Counts of one parade (no debuts: those need other parades)."""
    cat = catalogue_of(plan)
    by_class: Counter[str] = Counter()
    by_model: Counter[str] = Counter()
    vehicles = aircraft = floats = 0
    declared: list[str] = []
    for unit in plan.units:
        if isinstance(unit, FloatUnit):
            floats += 1
        if not isinstance(unit, VehicleUnit | AircraftUnit):
            continue
        if isinstance(unit, VehicleUnit):
            vehicles += unit.count
        else:
            aircraft += unit.count
        cls = class_of(unit, cat)
        assert cls is not None
        by_class[cls] += unit.count
        if unit.equipment is not None:
            by_model[unit.equipment] += unit.count
            if unit.debut and unit.equipment not in declared:
                declared.append(unit.equipment)
    return Composition(
        name=plan.parade.name,
        date=plan.parade.date,
        personnel=sum(personnel(u) for u in plan.units),
        vehicles=vehicles,
        aircraft=aircraft,
        floats=floats,
        units=len(plan.units),
        by_class=dict(sorted(by_class.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_model=dict(by_model),
        declared_debuts=tuple(declared),
    )


def compare(plans: Sequence[Plan]) -> Comparison:
    """Compositions in the order given, debuts against earlier-dated ones, ratios to the first."""
    if not plans:
        raise ValueError("compare() needs at least one plan")
    base = [composition(p) for p in plans]
    out = []
    for c in base:
        earlier = [o for o in base if o.date < c.date]
        out.append(_with_debuts(c, earlier))
    first = out[0]
    ratios = tuple(
        Ratio(
            vs=o.name,
            vehicles=_ratio(first.vehicles, o.vehicles),
            personnel=_ratio(first.personnel, o.personnel),
            aircraft=_ratio(first.aircraft, o.aircraft),
        )
        for o in out[1:]
    )
    return Comparison(tuple(out), ratios)


def _with_debuts(c: Composition, earlier: list[Composition]) -> Composition:
    if not earlier:
        return c
    seen = frozenset().union(*(o.models for o in earlier))
    debuts = tuple(m for m in c.by_model if m not in seen)
    notes = [
        f"{m} is marked debut: true but appears in an earlier parade"
        for m in c.declared_debuts
        if m in seen
    ]
    unmarked = [m for m in debuts if m not in c.declared_debuts]
    if unmarked:
        notes.append("new against the earlier parades, not marked debut: " + ", ".join(unmarked))
    return Composition(
        **{
            **c.__dict__,
            "debuts": debuts,
            "compared_with": tuple(o.name for o in earlier),
            "notes": tuple(notes),
        }
    )


def _ratio(a: int, b: int) -> float | None:
    return None if b == 0 else a / b
