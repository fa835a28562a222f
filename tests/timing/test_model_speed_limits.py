"""Speed limits hold for the whole unit: a rigid formation slows while any part is inside."""

from __future__ import annotations

import pytest

from paradeops.io.planfile import parse_plan
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule
from tests.conftest import plan_text

# 6 × 9.6 + 5 × 25 = 182.6 m of road at 20 km/h.
TANKS = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, speed_kmh: 5.4}\n"
V12 = 12 / 3.6  # 3.333 m/s
V20 = 20 / 3.6  # 5.556 m/s


def run(units: str, limit: str, checkpoints: str | None = None) -> Schedule:
    extra = f"  speed_limits:\n    - {limit}\n"
    return schedule(parse_plan(plan_text(units, extra=extra, checkpoints=checkpoints), "t.yaml"))


def test_six_tanks_under_a_limit_from_the_start_to_the_tribune() -> None:
    # 12 km/h from the start (0 m) to the tribune (180 m). The tanks are held
    # to 12 km/h until their tail leaves the stretch, i.e. until the head is
    # 180 + 182.6 = 362.6 m out: the tail passes the tribune at
    # 362.6 / 3.3333 = 362.6 × 0.3 = 108.78 s (head-only: 180 / 3.3333 +
    # 182.6 / 5.5556 = 54 + 32.87 = 86.87 s, the figure the issue reported).
    (u,) = run(TANKS, "{from: start, to: tribune, max_kmh: 12}").units
    tribune, release = u.at("tribune"), u.at("release")
    assert tribune is not None and release is not None
    assert tribune.head == pytest.approx(54.0)  # 180 × 0.3
    assert tribune.tail == pytest.approx(108.78)
    # Then free at 20 km/h: the head covers 450 − 362.6 = 87.4 m to release
    # in 87.4 × 0.18 = 15.732 s, and the tail 270 m more in 270 × 0.18 = 48.6 s.
    assert release.head == pytest.approx(108.78 + 15.732)
    assert release.tail == pytest.approx(108.78 + 48.6)


def test_a_stretch_shorter_than_the_unit_slows_it_for_the_stretch_plus_its_length() -> None:
    # A 20 m stretch from 180 to 200 m. The head runs at 12 km/h from 180 m
    # until the tail leaves 200 m, i.e. for 20 + 182.6 = 202.6 m of its own
    # travel (180 → 382.6 m), and at 20 km/h before and after. To release:
    # 180 × 0.18 + 202.6 × 0.3 + (450 − 382.6) × 0.18
    #   = 32.4 + 60.78 + 12.132 = 105.312 s.
    cps = (
        "- {id: start, at_m: 0}\n"
        "- {id: tribune, at_m: 180, reviewing: true}\n"
        "- {id: gate, at_m: 200}\n"
        "- {id: release, at_m: 450}\n"
    )
    (u,) = run(TANKS, "{from: tribune, to: gate, max_kmh: 12}", cps).units
    assert u.at("release").head == pytest.approx(105.312)  # type: ignore[union-attr]
    # The tail passes the gate when the head is at 382.6 m: 32.4 + 60.78 s.
    assert u.at("gate").tail == pytest.approx(93.18)  # type: ignore[union-attr]


def test_a_limit_faster_than_the_unit_changes_nothing() -> None:
    # The box marches at 5.4 km/h = 1.5 m/s, under the 12 km/h limit: the head
    # reaches release at 450 / 1.5 = 300 s as with no limit.
    (u,) = run(BOX, "{from: start, to: release, max_kmh: 12}").units
    assert u.at("release").head == pytest.approx(300.0)  # type: ignore[union-attr]
