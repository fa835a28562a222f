"""Incidents in the live core (paradeops.live), pure: hand-worked holds, and invariants.

SMALL_PLAN (support.py), as the schedule gives it: the colour guard (3.3 m long)
steps off at 0 s at 1.5 m/s; the band (10.3 m) at 1.375 m/s behind it; the tanks
(98.4 m) at 2.78 m/s behind the band; the tribune at 300 m, the release at 600 m;
min_gap 5 m. Times in s from 10:00:00.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.io.planfile import parse_plan
from paradeops.live import (
    CODES,
    DEFAULT_DURATION_S,
    Actual,
    Hold,
    Incident,
    expected_until,
    holds,
    project,
)
from paradeops.service.incidents.lines import suggested_line
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

from .support import SMALL_PLAN

STEPPED_OFF = [Actual("colour-guard", "start", "head", 0.0)]


@pytest.fixture(scope="module")
def plan_schedule() -> Schedule:
    return schedule(parse_plan(SMALL_PLAN, "plan.yaml"))


@pytest.fixture(scope="module")
def show_stop_schedule() -> Schedule:
    # The colour guard halts 60 s at the tribune: there from 200 s to 260 s.
    text = SMALL_PLAN.replace(
        "    pace_m: 0.75\n", "    pace_m: 0.75\n    show_stop: {at: tribune, duration_s: 60}\n", 1
    )
    return schedule(parse_plan(text, "plan.yaml"))


def head(live, unit: str, checkpoint: str) -> float:  # type: ignore[no-untyped-def]
    u = next(u for u in live.units if u.id == unit)
    return float(u.at(checkpoint).head)


def test_the_premises(plan_schedule: Schedule, show_stop_schedule: Schedule) -> None:
    cg, band, tanks = plan_schedule.units
    assert (cg.length_m, cg.speed_ms) == pytest.approx((3.3, 1.5))
    assert (band.length_m, band.speed_ms) == pytest.approx((10.3, 1.375))
    assert (tanks.length_m, tanks.speed_ms) == pytest.approx((98.4, 25 / 9))
    (stop,) = [p for p in show_stop_schedule.units[0].passes if p.head_leaves is not None]
    assert (stop.checkpoint, stop.head, stop.head_leaves) == pytest.approx(("tribune", 200, 260))


def test_a_breakdown_holds_the_unit_and_those_behind(plan_schedule: Schedule) -> None:
    # The colour guard breaks down at 100 s, 150 m on (1.5 m/s from 0 s); a breakdown
    # is expected to last 600 s: it stands at 150 m until 700 s, then walks on:
    #   tribune 700 + 150 / 1.5 = 800 s, release 700 + 450 / 1.5 = 1000 s.
    # The band closes up to 150 - 3.3 - 5 = 141.7 m and waits for it; from 700 s it is
    # slower than the guard (1.375 < 1.5 m/s), so it walks freely from 141.7 m:
    #   tribune 700 + (300 - 141.7) / 1.375 = 700 + 115.127 = 815.127 s.
    # The tanks (faster) stay caught behind the band, 10.3 + 5 = 15.3 m back: their
    # head is at 300 m when the band's is at 315.3 m:
    #   700 + (315.3 - 141.7) / 1.375 = 700 + 126.255 = 826.255 s.
    now = 120.0
    found = holds([Incident("breakdown", "colour-guard", 100.0)], now)
    assert found == {"colour-guard": (Hold("colour-guard", 100.0, 700.0),)}
    live = project(plan_schedule, STEPPED_OFF, now, holds=found)
    assert head(live, "colour-guard", "tribune") == pytest.approx(800.0)
    assert head(live, "colour-guard", "release") == pytest.approx(1000.0)
    assert head(live, "band", "tribune") == pytest.approx(815.127, abs=1e-3)
    assert head(live, "tanks", "tribune") == pytest.approx(826.255, abs=1e-3)
    guard = next(u for u in live.units if u.id == "colour-guard")
    assert guard.held_until == 700.0 and guard.delay_s == pytest.approx(800.0 - 200.0)
    assert guard.trajectory is not None
    assert float(guard.trajectory.position(100.0)) == pytest.approx(150.0)
    assert float(guard.trajectory.position(699.0)) == pytest.approx(150.0)


def test_a_cleared_incident_held_it_from_opening_to_clearing(plan_schedule: Schedule) -> None:
    # Opened at 100 s (150 m), cleared at 400 s: tribune 400 + 150 / 1.5 = 500 s.
    found = holds([Incident("breakdown", "colour-guard", 100.0, cleared=400.0)], 500.0)
    live = project(plan_schedule, STEPPED_OFF, 500.0, holds=found)
    assert head(live, "colour-guard", "tribune") == pytest.approx(500.0)
    assert next(u for u in live.units if u.id == "colour-guard").held_until is None


def test_an_overdue_incident_is_expected_to_end_now(plan_schedule: Schedule) -> None:
    # A breakdown at 100 s is still open at 800 s (due at 700 s): it ends now, at 800 s,
    # and the guard walks the 150 m to the tribune: 900 s.
    incident = Incident("breakdown", "colour-guard", 100.0)
    assert expected_until(incident, 800.0) == 800.0
    live = project(plan_schedule, STEPPED_OFF, 800.0, holds=holds([incident], 800.0))
    assert head(live, "colour-guard", "tribune") == pytest.approx(900.0)


def test_a_later_actual_says_where_it_stands(plan_schedule: Schedule) -> None:
    # Still open (until 700 s), but the guard was seen at the tribune at 500 s: it
    # stands there from 500 s to 700 s, then walks 300 m to the release: 900 s.
    seen = [*STEPPED_OFF, Actual("colour-guard", "tribune", "head", 500.0)]
    open_one = holds([Incident("breakdown", "colour-guard", 100.0)], 510.0)
    live = project(plan_schedule, seen, 510.0, holds=open_one)
    assert head(live, "colour-guard", "release") == pytest.approx(900.0)
    # One cleared at 400 s, before that actual, is over: release 500 + 200 = 700 s.
    over = holds([Incident("breakdown", "colour-guard", 100.0, cleared=400.0)], 510.0)
    live = project(plan_schedule, seen, 510.0, holds=over)
    assert head(live, "colour-guard", "release") == pytest.approx(700.0)


def test_two_holds_one_after_the_other(plan_schedule: Schedule) -> None:
    # Stands at 150 m from 100 s to 200 s (cleared); walks on, reaching the tribune
    # (300 m) at 200 + 100 = 300 s, where an "other" incident (300 s) opens: it stands
    # there until 600 s, then walks 300 m to the release: 800 s.
    found = holds(
        [
            Incident("medical", "colour-guard", 100.0, cleared=200.0),
            Incident("other", "colour-guard", 300.0),
        ],
        320.0,
    )
    assert len(found["colour-guard"]) == 2
    live = project(plan_schedule, STEPPED_OFF, 320.0, holds=found)
    assert head(live, "colour-guard", "tribune") == pytest.approx(300.0)
    assert head(live, "colour-guard", "release") == pytest.approx(800.0)


def test_a_show_stop_run_long_is_not_counted_twice(show_stop_schedule: Schedule) -> None:
    # At the tribune from 200 s, due to leave at 260 s; at 230 s its show stop is
    # reported running long (120 s): it leaves at 350 s, not 350 + 60, and reaches
    # the release (300 m on) at 350 + 200 = 550 s.
    seen = [*STEPPED_OFF, Actual("colour-guard", "tribune", "head", 200.0)]
    found = holds([Incident("show_stop_overrun", "colour-guard", 230.0)], 240.0)
    live = project(show_stop_schedule, seen, 240.0, holds=found)
    assert head(live, "colour-guard", "release") == pytest.approx(550.0)
    # Cleared within the stop's own minute: the stop as planned, release 260 + 200.
    short = holds([Incident("show_stop_overrun", "colour-guard", 230.0, cleared=250.0)], 255.0)
    live = project(show_stop_schedule, seen, 255.0, holds=short)
    assert head(live, "colour-guard", "release") == pytest.approx(460.0)


def test_overlapping_incidents_are_one_hold() -> None:
    found = holds([Incident("breakdown", "band", 100.0), Incident("medical", "band", 650.0)], 660.0)
    assert found == {"band": (Hold("band", 100.0, 950.0),)}


def test_an_incident_without_a_unit_holds_nobody(plan_schedule: Schedule) -> None:
    assert holds([Incident("crowd", None, 100.0)], 120.0) == {}
    assert holds([Incident("crowd", "band", float("nan"))], 120.0) == {}


def test_every_code_has_a_duration_and_a_line() -> None:
    assert set(DEFAULT_DURATION_S) == set(CODES)
    for code in CODES:
        assert suggested_line(code, "Massed band", "Tribune").endswith(".")
        assert suggested_line(code, None, None, "ru").endswith(".")
    assert suggested_line("crowd", None, "Tribune", "xx") == (
        "The parade is paused near Tribune while the route is cleared; "
        "please stay behind the barriers."
    )
    assert suggested_line("breakdown", None, None, "ru") == (
        "Парад приостановлен: колонна — техническая неисправность; движение скоро возобновится."
    )


@settings(max_examples=40, deadline=None)
@given(
    unit=st.sampled_from(["colour-guard", "band", "tanks"]),
    code=st.sampled_from(CODES),
    opened=st.floats(0.0, 600.0),
    lasted=st.one_of(st.none(), st.floats(1.0, 900.0)),
    now=st.floats(0.0, 900.0),
)
def test_a_hold_never_makes_anyone_earlier_and_the_unit_stands_still(
    plan_schedule: Schedule,
    unit: str,
    code: str,
    opened: float,
    lasted: float | None,
    now: float,
) -> None:
    cleared = None if lasted is None else opened + lasted
    found = holds([Incident(code, unit, opened, cleared)], now)
    free = project(plan_schedule, STEPPED_OFF, now)
    held = project(plan_schedule, STEPPED_OFF, now, holds=found)
    for a, b in zip(free.units, held.units, strict=True):
        for p, q in zip(a.passes, b.passes, strict=True):
            assert q.head >= p.head - 1e-6 and q.tail >= p.tail - 1e-6
    (hold,) = found[unit]
    u = next(u for u in held.units if u.id == unit)
    assert u.trajectory is not None
    x0 = float(u.trajectory.position(hold.since))
    if x0 < float(u.trajectory.x[-1]) - 1e-6:
        assert float(u.trajectory.position(hold.until)) == pytest.approx(x0, abs=1e-6)
