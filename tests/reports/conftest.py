"""Schedules for the renderer tests, from the real timing engine on plans built here.

The renderers' expected values are worked by hand from these plans (below);
the engine that times them is itself checked against hand-worked figures in
tests/timing, so the fixtures are real output — bands that never overlap,
holds behind slow floats, every kind of finding.
"""

from __future__ import annotations

from typing import Any

import pytest

from paradeops.model.plan import Plan
from paradeops.synthetic import carnival_plan
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

#: Red Square, start to release (the Victory Day example's checkpoints, shortened).
RED_SQUARE = [
    {"id": "start", "name": "Historical Museum", "at_m": 0},
    {"id": "tribune", "name": "Mausoleum tribune", "at_m": 180, "reviewing": True},
    {"id": "release", "name": "Vasilyevsky Spusk", "at_m": 450},
]

SMALL_UNITS: list[dict[str, Any]] = [
    # 2 × 1.15 + 0.5 = 2.8 m at 5.57 km/h (1.547 m/s): past the start 0-1.8 s.
    {"id": "colour-guard", "name": "Colour guard", "kind": "foot",
     "ranks": 3, "files": 3, "rank_spacing_m": 1.15, "speed_kmh": 5.57},
    # 12 m at 4 km/h (1.111 m/s), a minute's halt at the tribune.
    {"id": "float-1", "name": "Victory float", "kind": "float", "length_m": 12,
     "speed_kmh": 4, "show_stop": {"at": "tribune", "duration_s": 60}},
    # 6 × 9.6 + 5 × 25 = 182.6 m at 20 km/h: catches up with the float.
    {"id": "t90m", "name": "T-90M main battle tanks", "kind": "vehicles", "debut": True,
     "count": 6, "vehicle_length_m": 9.6, "spacing_m": 25, "speed_kmh": 20},
    # 20 × 1.475 + 0.5 = 30 m at 5 km/h (1.389 m/s): catches up with the tanks.
    {"id": "band", "name": "Massed bands", "kind": "band",
     "ranks": 21, "files": 10, "rank_spacing_m": 1.475, "speed_kmh": 5},
    {"id": "flypast-1", "name": "Su-30SM × 6", "kind": "aircraft",
     "over": "tribune", "at": "10:09:00"},
]  # fmt: skip


def small_plan() -> Plan:
    """Four ground units, a show stop, holds, an aircraft and every finding kind.

    Worked by hand (docs/timing.md), in seconds after 10:00:00 Moscow time:

    * the colour guard steps off at 0; the float when the guard's head is
      2.8 + 20 m out, at 22.8 / 1.547 = 14.7 s; its head reaches the tribune
      at 14.7 + 180 / 1.111 = 176.7 s and halts until 236.7 s. The guard's
      tail is then at 176.7 × 1.547 − 2.8 = 270.6 m: a 90.6 m gap in front of
      the tribune, over the 40 m limit (``gap``, float-1);
    * the tanks step off when the float's head is 12 + 20 m out, at 43.5 s,
      and close up on it (``catch_up``, t90m); their tail passes the tribune
      when the float's head is 180 + 182.6 + 5 + 12 = 379.6 m out, at
      236.7 + 199.6 × 0.9 = 416.4 s, before the window's end (420 s);
    * the band steps off when the tanks' head is 182.6 + 20 m out (the float's
      at 219.6 m), at 272.4 s, and closes up on the tanks (``catch_up``,
      band); its tail passes the tribune with its head at 180 + 30 = 210 m,
      the tanks' tail 5 m ahead and the float's head 182.6 + 5 + 12 m beyond,
      at 414.6 m: at 236.7 + 234.6 × 0.9 = 447.9 s, 27.9 s after the window
      (``window``);
    * the Su-30s pass over the tribune at 540 s, 303 s after the float's
      halt there ended: within the 360 s to keep clear (``flypast``), and
      120 s after the window (``window``: any unit over the stand counts).
    """
    return Plan.model_validate(
        {
            "version": 1,
            "parade": {"name": "Victory Day Parade 2025", "date": "2025-05-09",
                       "timezone": "Europe/Moscow", "start": "10:00:00",
                       "window_end": "10:07:00", "window_name": "TV slot"},
            "route": {"checkpoints": RED_SQUARE,
                      "speed_limits": [{"from": "tribune", "to": "release", "max_kmh": 12}]},
            "defaults": {"gap_m": 20, "min_gap_m": 5, "max_gap_m": 40, "flypast_clear_s": 360},
            "units": SMALL_UNITS,
        }
    )  # fmt: skip


@pytest.fixture
def small_schedule() -> Schedule:
    """The schedule of :func:`small_plan`: every kind of finding (worked out there)."""
    s = schedule(small_plan())
    found = sorted((f.kind, f.unit) for f in s.findings)
    assert found == [
        ("catch_up", "band"), ("catch_up", "t90m"), ("flypast", "flypast-1"),
        ("gap", "float-1"), ("window", "band"), ("window", "flypast-1"),
    ], found  # fmt: skip
    return s


@pytest.fixture(scope="session")
def big_schedule() -> Schedule:
    """150 ground units of every kind on a 2.1 km carnival route (paradeops.synthetic)."""
    return schedule(carnival_plan(150, seed=7))
