"""Reading plan files: the text, the route geometry beside it, line numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from paradeops.errors import Problem, UserError
from paradeops.model.checks import plan_issues
from paradeops.model.equipment import equipment_issues, index
from paradeops.model.geometry import LonLat, project
from paradeops.model.music import music_issues
from paradeops.model.plan import Plan
from paradeops.model.rehearsals import rehearsal_issues
from paradeops.model.yamlsource import (
    Locator,
    check_size,
    field_path,
    parse_yaml,
    problems_from,
)

#: A checkpoint given as lon/lat further than this from the route is a mistake.
MAX_OFF_ROUTE_M = 75.0


def read_text(path: Path) -> str:
    """A user's file as text, with the size checked before reading it."""
    name = str(path)
    if not path.exists():
        raise UserError("no such file", file=name, hint="check the path")
    if path.is_dir():
        raise UserError("is a folder, not a file", file=name, hint="give the plan file itself")
    check_size(path.stat().st_size, name)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise UserError(
            f"not UTF-8 text (byte {e.start})", file=name, hint="save the file as UTF-8"
        ) from None
    except OSError as e:
        raise UserError(f"cannot read: {e.strerror}", file=name) from None


def load_plan(path: Path | str) -> Plan:
    path = Path(path)
    return parse_plan(read_text(path), str(path), base_dir=path.parent)


def parse_plan(text: str, file: str, *, base_dir: Path | None = None) -> Plan:
    """Parse and check a whole plan; every problem is reported at once.

    ``base_dir`` is where ``route.geometry`` is looked for; with ``None``
    (text uploaded to the service) a plan may not refer to a geometry file.
    """
    data, locator = parse_yaml(text, file)
    problems: list[Problem] = []
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as e:
        problems.extend(problems_from(e, locator, file))

    positions: dict[int, float] = {}
    route = data.get("route") if isinstance(data, dict) else None
    ref = route.get("geometry") if isinstance(route, dict) else None
    # With a geometry named, an unreadable one is reported once, not again
    # for every lon/lat checkpoint that could not be placed on it.
    has_geometry = isinstance(ref, str)
    if isinstance(ref, str) and isinstance(route, dict):
        try:
            line = _read_geometry(ref, base_dir)
        except UserError as e:
            at = locator.line(("route", "geometry"))
            problems.extend(
                Problem(p.message, p.file or file, p.line or at, "route.geometry", p.hint)
                for p in e.problems
            )
        else:
            positions, off_route = _place(route.get("checkpoints"), line)
            problems.extend(
                _problem(("route", "checkpoints", i), msg, hint, locator, file)
                for i, msg, hint in off_route
            )
    from paradeops.io import catalogue

    entries, found = catalogue.resolve(data, locator, file, base_dir)
    problems.extend(found)
    issues = [
        *plan_issues(data, has_geometry=has_geometry, positions=positions),
        *equipment_issues(data, None if entries is None else index(entries)),
        *music_issues(data),
        *rehearsal_issues(data),
    ]
    for loc, message, hint in issues:
        problems.append(_problem(loc, message, hint, locator, file))
    if problems or plan is None:
        raise UserError(problems=_unique(problems))
    catalogue.apply(plan, entries)
    for i, along in positions.items():
        plan.route.checkpoints[i].at_m = along
    plan._locate = locator.line
    return plan


def _place(
    checkpoints: Any, line: list[LonLat]
) -> tuple[dict[int, float], list[tuple[int, str, str]]]:
    """Distances along the route of checkpoints given as lon/lat (no at_m)."""
    positions: dict[int, float] = {}
    problems = []
    for i, c in enumerate(checkpoints if isinstance(checkpoints, list) else []):
        if not isinstance(c, dict) or c.get("at_m") is not None:
            continue
        lon, lat = c.get("lon"), c.get("lat")
        if not isinstance(lon, int | float) or not isinstance(lat, int | float):
            continue
        p = project(line, (float(lon), float(lat)))
        positions[i] = round(p.along_m, 2)
        if p.off_m > MAX_OFF_ROUTE_M:
            problems.append(
                (
                    i,
                    f"checkpoint {c.get('id')!r} is {p.off_m:.0f} m from the route",
                    "check lon/lat (GeoJSON order is lon, lat) or the route geometry",
                )
            )
    return positions, problems


def _read_geometry(ref: str, base_dir: Path | None) -> list[LonLat]:
    if base_dir is None:
        raise UserError(
            f"geometry file {ref!r} cannot be read here",
            hint="give checkpoints at_m, or upload the plan with its geometry inlined",
        )
    path = base_dir / ref
    name = str(path)
    if not path.is_file():
        raise UserError(f"geometry file {ref!r} does not exist", hint=f"looked for {name}")
    try:
        doc: Any = json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise UserError(f"not valid JSON: {e.msg}", file=name, line=e.lineno) from None
    return linestring(doc, name)


def linestring(doc: Any, name: str) -> list[LonLat]:
    """The lon/lat points of a GeoJSON LineString (bare, Feature, or one-Feature collection)."""
    geom = doc
    if isinstance(geom, dict) and geom.get("type") == "FeatureCollection":
        feats = geom.get("features") or []
        lines = [f for f in feats if (f.get("geometry") or {}).get("type") == "LineString"]
        if len(lines) != 1:
            raise UserError(
                f"expected one LineString feature, found {len(lines)}",
                file=name,
                hint="keep exactly one LineString: the route",
            )
        geom = lines[0]
    if isinstance(geom, dict) and geom.get("type") == "Feature":
        geom = geom.get("geometry")
    kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
    if kind != "LineString":
        raise UserError(
            f"the geometry is a {kind}, not a LineString",
            file=name,
            hint="the route must be one GeoJSON LineString of [lon, lat] points",
        )
    coords = geom.get("coordinates")
    try:
        points = [(float(p[0]), float(p[1])) for p in coords]
    except (TypeError, ValueError, IndexError):
        raise UserError(
            "LineString coordinates must be [lon, lat] pairs", file=name
        ) from None
    if len(points) < 2:
        raise UserError("a LineString needs at least two points", file=name)
    if not all(-180 <= lo <= 180 and -90 <= la <= 90 for lo, la in points):
        raise UserError(
            "coordinates out of range",
            file=name,
            hint="GeoJSON gives [longitude, latitude] in degrees",
        )
    return points


def _problem(
    loc: tuple[str | int, ...], message: str, hint: str, locator: Locator, file: str
) -> Problem:
    return Problem(message, file=file, line=locator.line(loc), field=field_path(loc), hint=hint)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


__all__ = ["linestring", "load_plan", "parse_plan", "read_text"]
