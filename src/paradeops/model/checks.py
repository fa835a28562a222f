"""Cross-field rules of a plan that pydantic's per-field checks cannot see.

They run on the plain data, not on the validated model, so that they still
report when some other field is wrong: ``paradeops validate`` lists every
problem of a file at once. Each rule yields ``(location, message, hint)``;
the loader turns locations into file lines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from paradeops.model.clock_checks import clock_issues
from paradeops.model.input_types import control_character

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

_FORMATIONS = ("foot", "band", "mounted")


def plan_issues(
    data: Any, *, has_geometry: bool, positions: Mapping[int, float] | None = None
) -> list[Issue]:
    """Every cross-field problem of a plan's plain data.

    ``positions`` gives checkpoint distances computed from the route geometry
    (index → metres), for checkpoints given as lon/lat.
    """
    if not isinstance(data, Mapping):
        return []
    route = _map(data.get("route"))
    cps = [c for c in _list(route.get("checkpoints"))]
    ids = [_map(c).get("id") for c in cps]
    order = {cid: i for i, cid in enumerate(ids) if isinstance(cid, str)}
    return [
        *_checkpoint_issues(cps, has_geometry, positions or {}),
        *_speed_limit_issues(_list(route.get("speed_limits")), order),
        *_unit_issues(_list(data.get("units")), order),
        *clock_issues(data),
        *text_issues(data),
    ]


def text_issues(data: Any) -> Iterator[Issue]:
    """Every text of the file (names, descriptions, keys) that holds a control character.

    Refused where it is read, not escaped where it is shown: a name reaches
    tables, messages, CSV, JSON, charts and the service's pages, and one
    check here covers them all. Printable text in any script passes.
    """
    stack: list[tuple[Loc, Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, str):
            why = control_character(node)
            if why is not None:
                yield loc, f"{why}: {node!r}", _PRINTABLE
        elif isinstance(node, Mapping):
            for key in node:
                if isinstance(key, str) and (why := control_character(key)) is not None:
                    yield loc, f"the key {key!r} {why}", _PRINTABLE
            # Reversed onto the stack, so that problems come in the file's order.
            stack.extend(((*loc, str(k)), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(node))))


_PRINTABLE = (
    "remove it: texts are printable characters in any script; control and "
    "direction-override characters would drive the terminal or reorder what is shown"
)


def _map(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _checkpoint_issues(
    cps: list[Any], has_geometry: bool, positions: Mapping[int, float]
) -> Iterator[Issue]:
    seen: set[str] = set()
    reviewing = 0
    previous: tuple[str, float] | None = None
    for i, raw in enumerate(cps):
        c = _map(raw)
        loc: Loc = ("route", "checkpoints", i)
        cid = c.get("id")
        if isinstance(cid, str):
            if cid in seen:
                yield (*loc, "id"), f"checkpoint id {cid!r} is used twice", "give each its own id"
            seen.add(cid)
        reviewing += c.get("reviewing") is True
        lon, lat = c.get("lon"), c.get("lat")
        if (lon is None) != (lat is None):
            yield loc, "give both lon and lat, or neither", "add the missing coordinate"
        if c.get("at_m") is None and (lon is None or lat is None):
            yield loc, "checkpoint has no position", "give at_m, or lon and lat with route.geometry"
        elif c.get("at_m") is None and not has_geometry and i not in positions:
            yield (
                loc,
                "lon/lat given but the route has no usable geometry",
                "add route.geometry (a GeoJSON LineString) or give at_m",
            )
        at = _num(c.get("at_m"))
        at = positions.get(i, at)
        if at is None:
            continue
        if previous is not None and at <= previous[1]:
            yield (
                (*loc, "at_m") if i not in positions else loc,
                f"checkpoint {cid!r} at {at:g} m is not after {previous[0]!r} at {previous[1]:g} m",
                "list checkpoints in the order the parade reaches them",
            )
        previous = (str(cid), at)
    if reviewing > 1:
        yield (
            ("route", "checkpoints"),
            f"{reviewing} checkpoints are marked reviewing: true",
            "mark only the reviewing stand",
        )


def _speed_limit_issues(limits: list[Any], order: Mapping[str, int]) -> Iterator[Issue]:
    for i, raw in enumerate(limits):
        lim = _map(raw)
        loc: Loc = ("route", "speed_limits", i)
        known = True
        for key in ("from", "to"):
            ref = lim.get(key)
            if isinstance(ref, str) and ref not in order:
                known = False
                yield (*loc, key), f"unknown checkpoint {ref!r}", _known(order)
        a, b = lim.get("from"), lim.get("to")
        if known and isinstance(a, str) and isinstance(b, str) and order[a] >= order[b]:
            yield loc, f"{a!r} is not before {b!r}", "swap from and to"


def _unit_issues(units: list[Any], order: Mapping[str, int]) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    first_ground: int | None = None
    for i, raw in enumerate(units):
        u = _map(raw)
        loc: Loc = ("units", i)
        uid, kind = u.get("id"), u.get("kind")
        if isinstance(uid, str):
            if uid in seen:
                yield (
                    (*loc, "id"),
                    f"unit id {uid!r} is already used by units[{seen[uid]}]",
                    "give each unit its own id",
                )
            else:
                seen[uid] = i
        if kind == "aircraft":
            yield from _ref(u.get("over"), (*loc, "over"), order)
            continue
        first = first_ground is None
        if first:
            first_ground = i
        no_pace = u.get("cadence_spm") is None or u.get("pace_m") is None
        if kind in _FORMATIONS and u.get("speed_kmh") is None and no_pace:
            yield (
                loc,
                "no speed: give speed_kmh, or cadence_spm and pace_m",
                "e.g. cadence_spm: 116 and pace_m: 0.8",
            )
        yield from _ref(_map(u.get("show_stop")).get("at"), (*loc, "show_stop", "at"), order)
        target = u.get("target")
        if isinstance(target, Mapping):
            yield from _ref(target.get("at"), (*loc, "target", "at"), order)
            if (target.get("head") is None) == (target.get("tail") is None):
                yield (*loc, "target"), "give exactly one of head or tail", "e.g. head: '10:21:00'"
            if u.get("step_off") is not None:
                yield (*loc, "target"), "both step_off and target given", "keep one of them"
            if first:
                yield (
                    (*loc, "target"),
                    "the first unit steps off at parade.start and cannot have a target",
                    "change parade.start instead",
                )
        elif u.get("step_off") is not None and first:
            yield (
                (*loc, "step_off"),
                "the first unit steps off at parade.start",
                "remove step_off or change parade.start",
            )
    if units and first_ground is None:
        yield ("units",), "the plan has no unit on the road", "add at least one marching unit"


def _ref(ref: Any, loc: Loc, order: Mapping[str, int]) -> Iterator[Issue]:
    if isinstance(ref, str) and ref not in order:
        yield loc, f"unknown checkpoint {ref!r}", _known(order)


def _known(order: Mapping[str, int]) -> str:
    return "known checkpoints: " + ", ".join(order)
