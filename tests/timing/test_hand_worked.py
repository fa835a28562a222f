"""Cases worked by hand (FM 55-10 app. E relations: pass time = road space / speed)."""

from __future__ import annotations

import pytest

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.timing.engine import schedule
from tests.conftest import plan_text

TANKS = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}\n"
V20 = 20 / 3.6
V_FOOT = 116 * 0.8 / 60
# The box's road space: 9 spacings of 1.4 m between its 10 ranks, plus the
# 0.5 m depth of the last rank (the foot default): 12.6 + 0.5 = 13.1 m.
BOX_LENGTH = 9 * 1.4 + 0.5


def run(units: str, **kw: str):  # type: ignore[no-untyped-def]
    return schedule(parse_plan(plan_text(units, **kw), "test.yaml"))


def test_single_vehicle_column_pass_time_is_road_space_over_speed() -> None:
    s = run(TANKS)
    (u,) = s.units
    road_space = 6 * 9.6 + 5 * 25  # 182.6 m
    assert u.length_m == pytest.approx(road_space)
    for p in u.passes:
        assert p.tail - p.head == pytest.approx(road_space / V20)
    assert u.at("tribune").head == pytest.approx(180 / V20)  # type: ignore[union-attr]
    assert s.summary.duration_s == pytest.approx((450 + road_space) / V20)


def test_second_unit_steps_off_when_the_planned_gap_has_opened() -> None:
    s = run(BOX + BOX.replace("id: box", "id: box2"), extra="defaults: {gap_m: 20, min_gap_m: 5}\n")
    a, b = s.units
    length = BOX_LENGTH
    assert b.step_off == pytest.approx((length + 20) / V_FOOT)
    for pa, pb in zip(a.passes, b.passes, strict=True):
        # Same speed: the 20 m gap is kept the whole way.
        assert pb.head - pa.tail == pytest.approx(20 / V_FOOT)
    assert b.held_s == 0
    assert not s.findings


def test_faster_unit_is_held_behind_a_slower_one() -> None:
    s = run(BOX + TANKS, extra="defaults: {gap_m: 20, min_gap_m: 5}\n")
    box, tanks = s.units
    length = BOX_LENGTH
    step_off = (length + 20) / V_FOOT
    assert tanks.step_off == pytest.approx(step_off)
    # Caught where 20 km/h closes the 20 m gap down to 5 m: 15 m at (V20 - V_FOOT).
    catch_t = step_off + 15 / (V20 - V_FOOT)
    caught_at = V20 * (catch_t - step_off)
    (finding,) = s.findings
    assert finding.kind == "catch_up" and finding.unit == "t90m"
    assert finding.checkpoint == "tribune"
    assert finding.position_m == pytest.approx(caught_at, abs=0.01)
    # Held, its head reaches the tribune 5 m behind the box's tail, at the box's pace.
    expected = (180 + length + 5) / V_FOOT
    assert tanks.at("tribune").head == pytest.approx(expected)  # type: ignore[union-attr]
    free_end = step_off + (450 + tanks.length_m) / V20
    assert tanks.held_s == pytest.approx(tanks.passes[-1].tail - free_end)


def test_show_stop_halts_the_head_at_the_checkpoint() -> None:
    s = run("- {id: f, kind: float, length_m: 12, speed_kmh: 4, show_stop: {at: tribune, duration_s: 60}}\n")
    (f,) = s.units
    v = 4 / 3.6
    p = f.at("tribune")
    assert p is not None
    assert p.head == pytest.approx(180 / v)
    assert p.head_leaves == pytest.approx(180 / v + 60)
    assert p.tail == pytest.approx(180 / v + 60 + 12 / v)
    assert f.at("release").head == pytest.approx(450 / v + 60)  # type: ignore[union-attr]


def test_follower_waits_behind_a_show_stop() -> None:
    units = (
        "- {id: f, kind: float, length_m: 12, speed_kmh: 4, show_stop: {at: tribune, duration_s: 60}}\n"
        "- {id: g, kind: float, length_m: 10, speed_kmh: 4}\n"
    )
    s = run(units, extra="defaults: {gap_m: 20, min_gap_m: 5}\n")
    f, g = s.units
    v = 4 / 3.6
    # g stops 5 m behind f's tail (f's head is at 180, its tail at 168): at 163 m.
    assert g.trajectory is not None
    stood = g.trajectory.leave(163.0) - g.trajectory.arrive(163.0)
    assert stood == pytest.approx(60 - 15 / v)  # it arrives 15 m after f stops
    assert g.at("tribune").head == pytest.approx(f.at("tribune").head_leaves + 17 / v)  # type: ignore[union-attr,operator]


def test_speed_limit_holds_the_whole_unit_until_its_tail_leaves_the_stretch() -> None:
    s = run(TANKS, extra="  speed_limits:\n    - {from: tribune, to: release, max_kmh: 12}\n")
    (u,) = s.units
    v12 = 12 / 3.6
    # 20 km/h to the tribune (180 m), then 12 km/h from when the head enters
    # the stretch until the tail leaves it at 450 m: head from 180 to 632.6 m.
    assert u.at("release").head == pytest.approx(180 / V20 + 270 / v12)  # type: ignore[union-attr]
    # The tail passes the tribune when the head is 182.6 m into the slow stretch.
    assert u.at("tribune").tail == pytest.approx(180 / V20 + 182.6 / v12)  # type: ignore[union-attr]
    # The tail is in the stretch until it leaves release: 452.6 m at 12 km/h,
    # not 270 m at 12 and 182.6 m at 20 (the head-only rule).
    tail = u.at("release").tail  # type: ignore[union-attr]
    assert tail == pytest.approx(180 / V20 + 452.6 / v12)


def test_step_off_is_worked_backwards_from_a_target() -> None:
    units = BOX + TANKS.replace("speed_kmh: 20}", "speed_kmh: 20, target: {at: tribune, head: '10:05:00'}}")
    s = run(units)
    tanks = s.units[1]
    assert tanks.at("tribune").head == pytest.approx(300.0)  # type: ignore[union-attr]
    assert tanks.step_off == pytest.approx(300 - 180 / V20)
    assert s.clock(tanks.step_off).strftime("%H:%M:%S") == "10:04:27"


def test_a_target_the_unit_ahead_prevents_is_a_user_error() -> None:
    units = BOX + TANKS.replace("speed_kmh: 20}", "speed_kmh: 20, target: {at: tribune, head: '10:00:40'}}")
    with pytest.raises(UserError) as e:
        run(units)
    (problem,) = e.value.problems
    assert problem.field == "units[1].target"
    assert problem.line == 10
    assert "cannot pass tribune at 10:00:40" in problem.message
    assert problem.hint and "or later" in problem.hint


def test_explicit_step_off() -> None:
    s = run(BOX + TANKS.replace("speed_kmh: 20}", "speed_kmh: 20, step_off: '10:10:00'}"))
    assert s.units[1].step_off == pytest.approx(600.0)
    assert s.units[1].at("start").head == pytest.approx(600.0)  # type: ignore[union-attr]


def test_aircraft_is_timed_over_its_point_and_takes_no_road_space() -> None:
    units = BOX + "- {id: su30, kind: aircraft, equipment: Su-30SM, count: 6, over: tribune, at: '10:30:00'}\n" + TANKS
    s = run(units)
    plane = s.units[1]
    assert plane.trajectory is None
    assert [p.checkpoint for p in plane.passes] == ["tribune"]
    assert plane.passes[0].head == pytest.approx(1800.0)
    # The tanks follow the box, not the aircraft.
    assert s.units[2].step_off == pytest.approx((BOX_LENGTH + 20) / V_FOOT)


def test_window_finding_is_an_error() -> None:
    text = plan_text(TANKS).replace('start: "10:00:00"}', 'start: "10:00:00", window_end: "10:01:00"}')
    sched = schedule(parse_plan(text, "t.yaml"))
    (f,) = sched.findings
    assert f.kind == "window" and f.severity == "error" and f.unit == "t90m"
    assert f.amount == pytest.approx((180 + 182.6) / V20 - 60)
    assert sched.has_errors


def test_gap_finding_in_front_of_the_reviewing_stand() -> None:
    units = BOX + BOX.replace("id: box", "id: late").replace("pace_m: 0.8}", "pace_m: 0.8, step_off: '10:02:00'}")
    s = run(units, extra="defaults: {max_gap_m: 50}\n")
    (f,) = s.findings
    assert f.kind == "gap" and f.unit == "late" and f.checkpoint == "tribune"
    # Both march at the same pace: the gap is the 120 s head start minus the box's length.
    assert f.amount == pytest.approx(120 * V_FOOT - BOX_LENGTH)


def test_flypast_over_a_show_stop_is_a_finding_when_forbidden() -> None:
    units = (
        "- {id: f, kind: float, length_m: 12, speed_kmh: 4, show_stop: {at: tribune, duration_s: 60}}\n"
        "- {id: jets, kind: aircraft, over: tribune, at: '10:03:00'}\n"
    )
    s = run(units, extra="defaults: {flypast_clear_s: 30}\n")
    assert [f.kind for f in s.findings] == ["flypast"]
    allowed = run(units)
    assert not allowed.findings
