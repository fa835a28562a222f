"""Reading equipment catalogues and applying them to a plan's units.

A plan names its catalogue in ``equipment:`` (a file relative to the plan) or
lists it inline. :func:`resolve` reads it; :func:`apply` fills the missing
``vehicle_length_m`` and ``speed_kmh`` of vehicle units from it and stores the
resolved list in ``plan.equipment``, so that the core never reads a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from paradeops.errors import Problem, UserError
from paradeops.model.equipment import (
    EquipmentCatalogue,
    EquipmentModel,
    duplicate_issues,
    index,
)
from paradeops.model.plan import Plan, VehicleUnit
from paradeops.model.yamlsource import Locator, field_path, parse_yaml, validate


def load_catalogue(path: Path | str) -> list[EquipmentModel]:
    """A catalogue file's entries; every problem reported with file:line."""
    from paradeops.io.planfile import read_text

    path = Path(path)
    name = str(path)
    data, locator = parse_yaml(read_text(path), name)
    cat = validate(EquipmentCatalogue, data, locator, name)
    dups = [
        Problem(msg, file=name, line=locator.line(loc), field=field_path(loc), hint=hint)
        for loc, msg, hint in duplicate_issues(data.get("equipment"))
    ]
    if dups:
        raise UserError(problems=dups)
    return cat.equipment


def resolve(
    data: Any, locator: Locator, file: str, base_dir: Path | None
) -> tuple[list[EquipmentModel] | None, list[Problem]]:
    """The catalogue a plan's plain data refers to, and the problems found reading it.

    Returns ``(None, [])`` for a plan without ``equipment:``. Inline entries
    that fail validation are left out here (the plan's validation reports them).
    """
    ref = data.get("equipment") if isinstance(data, dict) else None
    if ref is None:
        return None, []
    if isinstance(ref, list):
        entries = []
        for raw in ref:
            try:
                entries.append(EquipmentModel.model_validate(raw))
            except ValidationError:
                continue
        problems = [
            Problem(msg, file=file, line=locator.line(loc), field=field_path(loc), hint=hint)
            for loc, msg, hint in duplicate_issues(ref)
        ]
        return entries, problems
    if not isinstance(ref, str):
        return None, []  # the plan's validation says what is wrong
    line = locator.line(("equipment",))
    if base_dir is None:
        return None, [
            Problem(
                f"catalogue file {ref!r} cannot be read here",
                file=file,
                line=line,
                field="equipment",
                hint="list the catalogue inline under `equipment:`",
            )
        ]
    path = base_dir / ref
    if not path.is_file():
        return None, [
            Problem(
                f"equipment catalogue {ref!r} does not exist",
                file=file,
                line=line,
                field="equipment",
                hint=f"looked for {path}",
            )
        ]
    try:
        return load_catalogue(path), []
    except UserError as e:
        return None, e.problems


def apply(plan: Plan, entries: list[EquipmentModel] | None) -> None:
    """Fill vehicle units' missing figures from the catalogue; store it on the plan."""
    if entries is None:
        if isinstance(plan.equipment, str):
            plan.equipment = None
        return
    known = index(entries)
    for unit in plan.units:
        if not isinstance(unit, VehicleUnit) or unit.equipment is None:
            continue
        entry = known.get(unit.equipment)
        if entry is None:
            continue
        if unit.vehicle_length_m is None:
            unit.vehicle_length_m = entry.length_m
        if unit.speed_kmh is None:
            unit.speed_kmh = entry.speed_kmh
    plan.equipment = list(entries)


__all__ = ["apply", "load_catalogue", "resolve"]
