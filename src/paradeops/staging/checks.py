"""What is wrong with a plan's ``assembly:`` section, each problem located. Pure.

The rules on ids and clock times are those of
:func:`paradeops.model.assembly.assembly_issues` (on the plan's plain data);
this adds the one that needs the units' road space, resolved from the
equipment catalogue: an area too small to hold a unit assigned to it.
"""

from __future__ import annotations

from paradeops.model.assembly import assembly_issues
from paradeops.model.plan import Plan
from paradeops.model.units import is_ground
from paradeops.staging.space import capacity, measure, space

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

__all__ = ["staging_issues"]


def staging_issues(plan: Plan) -> list[Issue]:
    """Every problem of ``plan.assembly`` (none without the section)."""
    if plan.assembly is None:
        return []
    found = list(assembly_issues(plan.model_dump(mode="json", by_alias=True)))
    return found if found else _too_small(plan)


def _too_small(plan: Plan) -> list[Issue]:
    """Units that do not fit their area even alone (ids already known to resolve)."""
    assembly = plan.assembly
    assert assembly is not None
    issues: list[Issue] = []
    for unit in plan.units:
        area_id = assembly.area_of(unit.id)
        if area_id is None or not is_ground(unit):
            continue
        area = assembly.area(area_id)
        needs, holds, unit_of = space(unit, area), capacity(area), measure(area)
        if needs > holds:
            named = unit.id in assembly.assign
            loc: Loc = ("assembly", "assign", unit.id) if named else ("assembly", "default")
            if not named and assembly.default is None:
                loc = ("assembly", "areas", assembly.areas.index(area))
            issues.append(
                (
                    loc,
                    f"area {area.id!r} ({holds:g} {unit_of}) is too small for unit "
                    f"{unit.label} ({unit.id}), which alone takes {needs:g} {unit_of}",
                    f"assign {unit.id} to a larger area, or enlarge {area.id}",
                )
            )
    return issues
