"""The route as the public page draws it: a lon/lat line, the checkpoints on it, metres along it.

From the plan's geometry (GeoJSON, checked when the plan was uploaded) when it
has one; else a straight line of the route's length running east from 0°, 0°
(the page then draws no tiles under it: a diagram, not a map). Either way
the page can turn metres along the route into a point and back.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from paradeops.model.geometry import linestring
from paradeops.service.plans.models import RevisionRow
from paradeops.timing.schedule import Schedule

#: Metres per degree of longitude on the equator (for the straight line's diagram).
M_PER_DEGREE = 111_320.0


def _along(line: list[tuple[float, float]]) -> list[float]:
    """Metres along the line at each of its points (WGS 84 geodesics)."""
    from pyproj import Geod

    lons, lats = np.array(line).T
    _, _, d = Geod(ellps="WGS84").inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    return [0.0, *np.cumsum(d).tolist()]


def _at(line: list[tuple[float, float]], along: list[float], x: float) -> list[float]:
    lon = float(np.interp(x, along, [p[0] for p in line]))
    lat = float(np.interp(x, along, [p[1] for p in line]))
    return [round(lon, 7), round(lat, 7)]


def route_document(geometry: str | None, s: Schedule) -> dict[str, Any]:
    end = s.checkpoints[-1].at_m
    line: list[tuple[float, float]] | None = None
    if geometry is not None:
        try:
            line = linestring(json.loads(geometry), "route.geojson")
        except Exception:  # checked on upload; a geometry that fails now draws a line
            line = None
    if line is None or len(line) < 2:
        line = [(0.0, 0.0), (end / M_PER_DEGREE, 0.0)]
        along, drawn = [0.0, end], False
    else:
        along, drawn = _along(line), True
    return {
        "geometry": drawn,
        "line": [[round(lon, 7), round(lat, 7)] for lon, lat in line],
        "along_m": [round(a, 1) for a in along],
        "length_m": end,
        "checkpoints": [
            {
                "id": c.id,
                "name": c.name or c.id,
                "at_m": c.at_m,
                "reviewing": c.reviewing,
                "lonlat": _at(line, along, c.at_m),
            }
            for c in s.checkpoints
        ],
    }


def stored_geometry(session: Session, plan_id: int, revision: int) -> str | None:
    row = session.get(RevisionRow, (plan_id, revision))
    return None if row is None else row.geometry
