"""Reading equipment catalogues and applying them to a plan's units.

A plan names its catalogue in ``equipment:`` (a file, supplied by the plan's
:class:`~paradeops.io.planfile.PlanFiles`) or lists it inline. :func:`resolve`
reads it; :func:`apply` fills the missing ``vehicle_length_m`` and
``speed_kmh`` of vehicle units from it and stores the resolved list in
``plan.equipment``, so that the core never reads a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from paradeops.errors import Problem, UserError
from paradeops.model.checks import Issue, text_issues
from paradeops.model.equipment import (
    EquipmentCatalogue,
    EquipmentModel,
    duplicate_issues,
    index,
)
from paradeops.model.plan import Plan, VehicleUnit
from paradeops.model.yamlsource import (
    DEFAULT_LIMITS,
    Locator,
    ReadLimits,
    field_path,
    parse_yaml,
    validate,
)

if TYPE_CHECKING:
    from paradeops.io.planfile import PlanFiles


def load_catalogue(path: Path | str, limits: ReadLimits = DEFAULT_LIMITS) -> list[EquipmentModel]:
    """A catalogue file's entries; every problem reported with file:line."""
    from paradeops.io.planfile import read_text

    path = Path(path)
    return parse_catalogue(read_text(path, limits.max_bytes), str(path), limits)


def parse_catalogue(
    text: str, name: str, limits: ReadLimits = DEFAULT_LIMITS
) -> list[EquipmentModel]:
    """A catalogue's entries from its text; every problem reported with file:line."""
    data, locator = parse_yaml(text, name, limits)
    _raise_issues(text_issues(data), locator, name)  # before anything echoes a name
    cat = validate(EquipmentCatalogue, data, locator, name)
    _raise_issues(duplicate_issues(data.get("equipment")), locator, name)
    return cat.equipment


def _raise_issues(issues: Iterable[Issue], locator: Locator, name: str) -> None:
    problems = [
        Problem(msg, file=name, line=locator.line(loc), field=field_path(loc), hint=hint)
        for loc, msg, hint in issues
    ]
    if problems:
        raise UserError(problems=problems)


def resolve(
    data: Any, locator: Locator, file: str, files: PlanFiles, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[EquipmentModel] | None, list[Problem]]:
    """The catalogue a plan's plain data refers to, and the problems found reading it.

    Returns ``(None, [])`` for a plan without ``equipment:``. Inline entries
    that fail validation are left out here (the plan's validation reports them).
    A named catalogue comes from ``files``, which decides where it may be read.
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
    try:
        name, text = files.read("equipment", ref)
        return parse_catalogue(text, name, limits), []
    except UserError as e:
        # Problems of the reference itself are the plan's, at its `equipment:` line.
        return None, [
            p if p.file else Problem(p.message, file, p.line or line, "equipment", p.hint)
            for p in e.problems
        ]


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


__all__ = ["apply", "load_catalogue", "parse_catalogue", "resolve"]
