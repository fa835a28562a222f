"""Distances along a route given as a lon/lat LineString, on the WGS 84 ellipsoid."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from paradeops.errors import Problem, UserError

if TYPE_CHECKING:
    from pyproj import Geod

LonLat = tuple[float, float]


@dataclass(frozen=True)
class Projection:
    along_m: float  # distance from the line's first point, along the line
    off_m: float  # distance from the point to the line


@functools.cache
def _wgs84() -> Geod:
    """The WGS 84 ellipsoid; pyproj is imported only for a plan with a geometry."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


def route_length_m(line: Sequence[LonLat]) -> float:
    lons, lats = zip(*line, strict=True)
    return float(_wgs84().line_length(lons, lats))


def project(line: Sequence[LonLat], point: LonLat) -> Projection:
    """Nearest point of ``line`` to ``point`` and its geodesic distance along the line.

    The nearest segment is found in a local equirectangular frame (exact
    enough over a parade route's few kilometres); distances are geodesic.
    """
    pts = np.asarray(line, dtype=float)
    lon0, lat0 = point
    k = np.cos(np.radians(lat0))
    xy = np.column_stack(((pts[:, 0] - lon0) * k, pts[:, 1] - lat0))
    a, b = xy[:-1], xy[1:]
    ab = b - a
    denom = np.maximum((ab**2).sum(axis=1), 1e-30)
    s = np.clip(-(a * ab).sum(axis=1) / denom, 0.0, 1.0)
    nearest = a + s[:, None] * ab
    seg = int(np.argmin((nearest**2).sum(axis=1)))
    frac = float(s[seg])
    p0, p1 = pts[seg], pts[seg + 1]
    foot = (p0[0] + frac * (p1[0] - p0[0]), p0[1] + frac * (p1[1] - p0[1]))
    before = route_length_m([tuple(p) for p in pts[: seg + 1]]) if seg > 0 else 0.0
    _, _, partial = _wgs84().inv(p0[0], p0[1], foot[0], foot[1])
    _, _, off = _wgs84().inv(lon0, lat0, foot[0], foot[1])
    return Projection(along_m=before + float(partial), off_m=float(off))


#: A checkpoint's ``at_m`` may pass the end of the geometry by this much [m]
#: (a route surveyed to the metre, a geometry simplified a little).
END_TOLERANCE_M = 5.0


def linestring(doc: Any, name: str) -> list[LonLat]:
    """The lon/lat points of a GeoJSON LineString (bare, Feature, or one-Feature collection).

    Problems name the geometry file ``name`` and the place in it
    (``coordinates[2][0]``), never a line of the plan that names the file.
    """
    geom = doc
    if isinstance(geom, dict) and geom.get("type") == "FeatureCollection":
        feats = geom.get("features")
        feats = feats if isinstance(feats, list) else []
        lines = [
            f for f in feats if isinstance(f, dict) and _kind(f.get("geometry")) == "LineString"
        ]
        if len(lines) != 1:
            raise UserError(
                f"expected one LineString feature, found {len(lines)}",
                file=name,
                field="features",
                hint="keep exactly one LineString: the route",
            )
        geom = lines[0]
    if isinstance(geom, dict) and geom.get("type") == "Feature":
        geom = geom.get("geometry")
    kind = _kind(geom)
    if kind != "LineString":
        raise UserError(
            f"the geometry is a {kind}, not a LineString",
            file=name,
            field="type",
            hint="the route must be one GeoJSON LineString of [lon, lat] points",
        )
    return _points(geom.get("coordinates"), name)


def _kind(geom: Any) -> str:
    return str(geom.get("type")) if isinstance(geom, dict) else type(geom).__name__


def _points(coords: Any, name: str) -> list[LonLat]:
    """Every ``[lon, lat]`` pair as numbers in range; each bad one named by its index."""
    if not isinstance(coords, list) or len(coords) < 2:
        raise UserError(
            "a LineString needs at least two [lon, lat] points", file=name, field="coordinates"
        )
    problems = []
    for i, pair in enumerate(coords):
        why = _bad_pair(pair)
        if why is not None:
            problems.append(Problem(why, file=name, field=f"coordinates[{i}]", hint=_PAIR_HINT))
        if len(problems) == 10:  # a file of the wrong kind: enough said
            break
    if problems:
        raise UserError(problems=problems)
    return [(float(p[0]), float(p[1])) for p in coords]


_PAIR_HINT = "GeoJSON gives [longitude, latitude] in degrees, as numbers without quotes"


def _bad_pair(pair: Any) -> str | None:
    if not isinstance(pair, list) or len(pair) not in (2, 3):
        return "must be a [lon, lat] pair of numbers"
    lon, lat = pair[0], pair[1]
    for value in (lon, lat):
        if isinstance(value, bool) or not isinstance(value, int | float):
            shown = str(value).lower() if isinstance(value, bool) else repr(value)
            return f"{shown} is not a number"
        if not math.isfinite(value):
            return f"{value!r} is not a finite number"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"[{lon:g}, {lat:g}] is out of range (longitude -180..180, latitude -90..90)"
    return None


def beyond_end(at_m: Sequence[Any], length: float) -> list[tuple[int, str]]:
    """(index, message) of each ``at_m`` past the end of a route ``length`` metres long."""
    return [
        (i, f"at_m {at:g} m is beyond the end of the route: its geometry is {length:.0f} m long")
        for i, at in enumerate(at_m)
        if isinstance(at, int | float)
        and not isinstance(at, bool)
        and at > length + END_TOLERANCE_M
    ]
