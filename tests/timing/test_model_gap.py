"""The gap finding and the release point: only the route's road counts."""

from __future__ import annotations

import pytest

from paradeops.io.planfile import parse_plan
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule
from tests.conftest import plan_text

# Floats of 10 m at 3.6 km/h = 1 m/s: metres and seconds are the same numbers.
LEAD = "- {id: lead, kind: float, length_m: 10, speed_kmh: 3.6}\n"
SHORT_ROUTE = (
    "- {id: start, at_m: 0}\n"
    "- {id: tribune, at_m: 180, reviewing: true}\n"
    "- {id: release, at_m: 280}\n"
)


def run(units: str, extra: str = "", checkpoints: str | None = None) -> Schedule:
    return schedule(parse_plan(plan_text(units, extra=extra, checkpoints=checkpoints), "t.yaml"))


def test_a_gap_after_the_unit_ahead_has_dispersed_ends_at_the_release_point() -> None:
    # lead's tail passes release (280 m) when its head is at 290 m: 290 s.
    # late steps off at 10:06:00 = 360 s and its head reaches the tribune at
    # 360 + 180 = 540 s; lead dispersed 250 s earlier, so the road from the
    # tribune to release is empty: 280 − 180 = 100 m (not lead's tail "at"
    # 530 m, off the route, nor the 151 m the engine's calculation limit of
    # 280 + 2 × (10 + 20) + 1 = 341 m once gave: 341 − 10 − 180).
    late = "- {id: late, kind: float, length_m: 10, speed_kmh: 3.6, step_off: '10:06:00'}\n"
    s = run(LEAD + late, "defaults: {max_gap_m: 50}\n", SHORT_ROUTE)
    assert s.units[1].gap_ahead_m == pytest.approx(100.0)
    (f,) = s.findings
    assert f.kind == "gap" and f.unit == "late" and f.amount == pytest.approx(100.0)
    assert f.time == pytest.approx(540.0)


def test_a_gap_to_a_unit_still_on_the_route_is_measured_to_its_tail() -> None:
    # late steps off at 10:01:00 = 60 s, head at the tribune at 240 s; lead's
    # head is then at 240 m, its tail at 230 m, before release (280 m):
    # gap = 230 − 180 = 50 m; a 40 m limit makes it a finding.
    late = "- {id: late, kind: float, length_m: 10, speed_kmh: 3.6, step_off: '10:01:00'}\n"
    s = run(LEAD + late, "defaults: {max_gap_m: 40}\n", SHORT_ROUTE)
    (f,) = s.findings
    assert f.kind == "gap" and f.amount == pytest.approx(50.0)


def test_the_follower_is_freed_once_the_leaders_tail_passes_the_release_point() -> None:
    # The route of plan_text: release at 450 m; min_gap_m 5 (default), gap_m 20.
    # lead (10 m, 1 m/s) steps off at 0. The tanks (182.6 m, 20 km/h: 0.18 s/m)
    # step off when lead's head is 10 + 20 = 30 m out, at 30 s, catch up and
    # are held 5 m behind its tail: head at y when lead's head is at y + 15.
    # lead's tail passes release at 460 s (head at 460 m); the tanks' head is
    # then at 445 m and runs free: release at 460 + 5 × 0.18 = 460.9 s, and
    # their tail passes it when the head is 182.6 m further:
    # 460.9 + 182.6 × 0.18 = 460.9 + 32.868 = 493.768 s.
    tanks = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
    s = run(LEAD + tanks)
    t90m = s.units[1]
    assert t90m.at("tribune").head == pytest.approx(195.0)  # type: ignore[union-attr]  # 180 + 15
    assert t90m.at("release").head == pytest.approx(460.9)  # type: ignore[union-attr]
    assert t90m.at("release").tail == pytest.approx(493.768)  # type: ignore[union-attr]
