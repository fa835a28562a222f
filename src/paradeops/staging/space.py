"""The room a unit takes in an assembly area: metres of road, or square metres. Pure.

In an area given in metres (``capacity_m``) a unit takes its road space, as
on the march (:func:`paradeops.model.units.length_m`). In one given in square
metres (``capacity_m2``) it takes its road space times its width. The plan
gives no unit's width, so it is assumed from what the unit is:

* a formation on foot or a band: ``files`` × 0.75 m (a marcher's frontage
  and the interval to the next file);
* a mounted formation: ``files`` × 1.5 m (a horse and its interval);
* vehicles and floats: 3.5 m, a traffic lane (parade vehicles and floats are
  at most about 3 m wide, with room to walk round them).
"""

from __future__ import annotations

from paradeops.model.assembly import Area
from paradeops.model.plan import BandUnit, FootUnit, MountedUnit, Unit
from paradeops.model.units import length_m

__all__ = ["FILE_WIDTH_M", "HORSE_WIDTH_M", "LANE_WIDTH_M", "space", "width_m"]

FILE_WIDTH_M = 0.75
HORSE_WIDTH_M = 1.5
LANE_WIDTH_M = 3.5


def width_m(unit: Unit) -> float:
    """The width a unit is assumed to take when formed up [m] (module docstring)."""
    if isinstance(unit, MountedUnit):
        return unit.files * HORSE_WIDTH_M
    if isinstance(unit, FootUnit | BandUnit):
        return unit.files * FILE_WIDTH_M
    return LANE_WIDTH_M


def space(unit: Unit, area: Area) -> float:
    """What ``unit`` takes of ``area``: metres of road, or square metres of ground."""
    if area.capacity_m2 is not None:
        return length_m(unit) * width_m(unit)
    return length_m(unit)


def capacity(area: Area) -> float:
    """The area's capacity in the measure :func:`space` uses."""
    if area.capacity_m2 is not None:
        return area.capacity_m2
    assert area.capacity_m is not None, "an area has exactly one capacity (the model checks it)"
    return area.capacity_m


def measure(area: Area) -> str:
    """``m`` or ``m²``: how the area's capacity and occupancy are counted."""
    return "m²" if area.capacity_m2 is not None else "m"
