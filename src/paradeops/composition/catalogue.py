"""The equipment catalogue of a loaded plan, and the class of each unit."""

from __future__ import annotations

from paradeops.model.equipment import EquipmentModel, index
from paradeops.model.plan import AircraftUnit, Plan, Unit, VehicleUnit

#: Class of a vehicle unit whose model the plan's catalogue does not know.
UNCLASSIFIED = "unclassified"


def catalogue_of(plan: Plan) -> dict[str, EquipmentModel]:
    """Entries by model name; empty when the plan has none (or it is not resolved)."""
    return index(plan.equipment) if isinstance(plan.equipment, list) else {}


def class_of(unit: Unit, catalogue: dict[str, EquipmentModel]) -> str | None:
    """The class of a vehicle or aircraft unit; None for the other kinds."""
    if not isinstance(unit, VehicleUnit | AircraftUnit):
        return None
    entry = catalogue.get(unit.equipment) if unit.equipment is not None else None
    if entry is not None:
        return entry.class_
    return "aircraft" if isinstance(unit, AircraftUnit) else UNCLASSIFIED
