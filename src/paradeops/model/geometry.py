"""Distances along a route given as a lon/lat LineString, on the WGS 84 ellipsoid."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

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
