"""Road space and march speed of a unit, in SI (docs/timing.md "Road space")."""

from __future__ import annotations

from paradeops.model.plan import (
    AircraftUnit,
    BandUnit,
    FloatUnit,
    FootUnit,
    MountedUnit,
    Plan,
    Unit,
    VehicleUnit,
)

KMH = 1 / 3.6  # m/s per km/h


def length_m(unit: Unit) -> float:
    """Road space [m]: the head-to-tail length of the unit on the march.

    A formation's ``rank_spacing_m`` runs from one rank's front to the next
    rank's front, so the last rank adds its own depth, not a spacing: a
    one-rank unit still takes ``rank_depth_m`` of road.
    """
    if isinstance(unit, FootUnit | BandUnit | MountedUnit):
        return (unit.ranks - 1) * unit.rank_spacing_m + unit.rank_depth_m
    if isinstance(unit, VehicleUnit):
        if unit.vehicle_length_m is None:  # the loader fills it from the catalogue
            raise ValueError(f"unit {unit.id} has no vehicle_length_m and no catalogue entry")
        return unit.count * unit.vehicle_length_m + (unit.count - 1) * unit.spacing_m
    if isinstance(unit, FloatUnit):
        return unit.length_m
    return unit.length_m  # aircraft: the formation, over a point


def speed_ms(unit: Unit) -> float:
    """March speed [m/s]: ``speed_kmh`` where given, else cadence × pace."""
    if isinstance(unit, FootUnit | BandUnit | MountedUnit):
        if unit.speed_kmh is not None:
            return unit.speed_kmh * KMH
        if unit.cadence_spm is None or unit.pace_m is None:
            raise ValueError(f"unit {unit.id} has neither speed_kmh nor cadence_spm and pace_m")
        return unit.cadence_spm * unit.pace_m / 60.0
    if unit.speed_kmh is None:  # a vehicle unit: the loader fills it from the catalogue
        raise ValueError(f"unit {unit.id} has no speed_kmh and no catalogue entry")
    return unit.speed_kmh * KMH


def planned_gap_m(plan: Plan, unit: Unit) -> float:
    """The road the plan leaves ahead of ``unit`` [m]: its ``gap_m``, else the default.

    The timing engine releases a unit stepping off behind the one ahead when
    that unit's tail is this far past the start point; calibration fits it.
    """
    return plan.defaults.gap_m if unit.gap_m is None else unit.gap_m


def personnel(unit: Unit) -> int:
    """People in the unit: explicit ``personnel``, else ranks × files for formations."""
    if unit.personnel is not None:
        return unit.personnel
    if isinstance(unit, FootUnit | BandUnit | MountedUnit):
        return unit.ranks * unit.files
    return 0


def is_ground(unit: Unit) -> bool:
    return not isinstance(unit, AircraftUnit)
