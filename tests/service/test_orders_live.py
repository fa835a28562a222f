"""Hold-and-release recommendations (paradeops.live.orders), pure: hand-worked cases.

THREE: units a, b, c, each one vehicle 10 m long at 1 m/s, gap_m 20, min_gap 5,
max_gap 60; checkpoints start 0, mid 300, stand 600 (reviewing), release 900.
The engine steps them off at 0, 30 and 60 s (b when a's head is 10 + 20 m on);
planned gap ahead of b and c at the stand 20 m, so with POLICY's slack of
20 m each is steered to 40 m. Times in s from 10:00:00.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.io.planfile import parse_plan
from paradeops.live import Actual, Hold, project
from paradeops.live.gridday import day_from
from paradeops.live.orders import (
    ActiveHold,
    IssuedOrder,
    Policy,
    Recommendation,
    merged,
    order_holds,
    recommend,
)
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

THREE = """\
version: 1
parade:
  name: Three units
  date: 2025-05-09
  timezone: Europe/Moscow
  start: "10:00:00"
  window_end: "10:20:00"
route:
  checkpoints:
    - {id: start, name: Start, at_m: 0}
    - {id: mid, name: Mid, at_m: 300}
    - {id: stand, name: Stand, at_m: 600, reviewing: true}
    - {id: release, name: Release, at_m: 900}
defaults:
  gap_m: 20
  min_gap_m: 5
  max_gap_m: 60
units:
""" + "".join(
    f"  - {{id: {u}, name: {u}, kind: vehicles, count: 1, vehicle_length_m: 10, "
    "spacing_m: 0, speed_kmh: 3.6}\n"
    for u in "abc"
)
#: THREE with 200 m left in front of c: it steps off when b's head is 210 m on, at 240 s.
SPACED = THREE.replace("id: c,", "gap_m: 200, id: c,")
#: Steer to the planned gap + 20 m; holds of 10 s or more; 120 s kept before window_end.
#: A margin without the part that grows with the parade still to come (its own test).
POLICY = Policy(
    max_gap_m=60.0, slack_m=20.0, min_hold_s=10.0, window_margin_s=120.0, window_margin_rate=0.0
)


@pytest.fixture(scope="module")
def three() -> Schedule:
    return schedule(parse_plan(THREE, "plan.yaml"))


def recs(s: Schedule, actuals: list[Actual], now: float, **kw) -> list[Recommendation]:  # type: ignore[no-untyped-def]
    live = project(s, actuals, now, min_gap_m=5.0, holds=kw.pop("holds", None))
    return recommend(s, day_from(s, live, 5.0), kw.pop("policy", POLICY), **kw)


def brief(rs: list[Recommendation]) -> list[tuple[str, str, str, float | None]]:
    return [(r.unit, r.checkpoint, r.action, r.seconds) for r in rs]


def test_the_premises(three: Schedule) -> None:
    a, b, c = three.units
    assert [u.step_off for u in three.units] == pytest.approx([0.0, 30.0, 60.0])
    assert schedule(parse_plan(SPACED, "plan.yaml")).units[2].step_off == pytest.approx(240.0)
    assert [u.length_m for u in three.units] == pytest.approx([10.0] * 3)
    assert [u.speed_ms for u in three.units] == pytest.approx([1.0] * 3)
    assert (b.gap_ahead_m, c.gap_ahead_m) == pytest.approx((20.0, 20.0))


def test_on_plan_nothing_to_do(three: Schedule) -> None:
    assert recs(three, [], -100.0) == []


def test_the_middle_unit_late_holds_the_one_ahead(three: Schedule) -> None:
    # b steps off at 90 s, 60 s late; c (not yet off) cannot step off into it and
    # inherits the 60 s. At the stand (600 m) b arrives at 690 s, when a's head is
    # at 690 m: a gap of 690 - 10 - 600 = 80 m, 40 m over b's aim (20 + 20). a walks
    # at 1 m/s: holding a 40 s at mid (its next checkpoint, reached at 300 s, more
    # than 60 s after now = 95 s) closes it to 40 m. a leads: nothing ahead to open.
    seen = [Actual("a", "start", "head", 0.0), Actual("b", "start", "head", 90.0)]
    got = recs(three, seen, 95.0)
    assert brief(got) == [("a", "mid", "hold", 40.0)]
    assert got[0].at == pytest.approx(300.0)


def test_accordion_and_gap_in_one_push() -> None:
    # SPACED: c leaves 200 m to b (its own gap_m): it steps off when b's head is 10 + 200 m
    # on, at 240 s. b breaks down at 150 m at 180 s (now) and stands until 400 s.
    # c, off at 240 s, reaches 150 - 10 - 5 = 135 m at 375 s and stands 25 s behind
    # b: hold it 25 s at the start (due at 240 s, now + 60 s: in time); it then walks
    # on unstopped and is at the stand at 400 + 465 = 865 s as before. b reaches the
    # stand at 400 + 450 = 850 s, when a's tail is at 840 m: a 240 m gap, 200 m over
    # b's aim: a (at 180 m) held 200 s at mid. By when they are due at the point.
    # (Rule 2 is off by default: without it only a is held.)
    seen = [Actual("a", "start", "head", 0.0), Actual("b", "start", "head", 30.0)]
    spaced = schedule(parse_plan(SPACED, "plan.yaml"))
    b_down = {"b": (Hold("b", 180.0, 400.0),)}
    accordion = dataclasses.replace(POLICY, accordion=True)
    got = recs(spaced, seen, 180.0, holds=b_down, policy=accordion)
    assert brief(got) == [("c", "start", "hold", 25.0), ("a", "mid", "hold", 200.0)]
    assert brief(recs(spaced, seen, 180.0, holds=b_down)) == [("a", "mid", "hold", 200.0)]


def test_a_held_unit_with_a_wide_gap_is_released(three: Schedule) -> None:
    # c is held at the start from 60 s to 200 s by an order. At the stand at 800 s,
    # b's tail is at 800 - 30 - 10 = 760 m: a gap of 160 m. Release it (and nothing
    # else this push: the projection changes once it goes).
    hold = {"c": (Hold("c", 60.0, 200.0),)}
    got = recs(three, [], 100.0, holds=hold, active=[ActiveHold("c", "start", 200.0)])
    assert brief(got) == [("c", "start", "release", None)]
    # A hold already over is not released.
    late = recs(three, [], 100.0, holds=hold, active=[ActiveHold("c", "start", 90.0)])
    assert ("c", "start", "release", None) not in brief(late)


def test_issued_orders_hold_the_projection(three: Schedule) -> None:
    live = project(three, [], 0.0, min_gap_m=5.0)
    # Not done yet: from when a's head reaches mid (300 s), for 40 s.
    o = IssuedOrder("a", "mid", "hold", 40.0, issued=0.0)
    assert order_holds(live, [o], 0.0) == {"a": (Hold("a", 300.0, 340.0),)}
    # Done at 305 s (the marshal's tap 5 s after it got there): until 345 s.
    done = IssuedOrder("a", "mid", "hold", 40.0, issued=0.0, executed=305.0)
    assert order_holds(live, [done], 0.0) == {"a": (Hold("a", 300.0, 345.0),)}
    # Released at 320 s: the hold ends then.
    rel = IssuedOrder("a", "mid", "release", None, issued=310.0, executed=320.0)
    assert order_holds(live, [o, rel], 0.0) == {"a": (Hold("a", 300.0, 320.0),)}
    held = project(three, [], 0.0, min_gap_m=5.0, holds=order_holds(live, [o], 0.0))
    a, b, _ = held.units
    # a stands 40 s at mid: at the stand at 640 s; b (free, 30 s behind at 1 m/s)
    # would reach a's tail - 5 m at ... never: b is 30 m behind and a stands only
    # until b's head is at 310 - 30 - ... b's head at 300 - 15 = 285 m is reached at
    # 315 s and b stands until a goes at 340 s: b at the stand 340 + 315 = 655 s.
    assert a.at("stand").head == pytest.approx(640.0)
    assert b.at("stand").head == pytest.approx(655.0)
    # A hold on a unit past the checkpoint and never done holds nothing (missed).
    assert order_holds(project(three, [], 400.0, min_gap_m=5.0), [o], 400.0) == {}


def test_merged_keeps_both(three: Schedule) -> None:
    x = {"a": (Hold("a", 10.0, 20.0),)}
    y = {"a": (Hold("a", 0.0, 5.0),), "b": (Hold("b", 1.0, 2.0),)}
    assert merged(x, y) == {"a": (Hold("a", 0.0, 5.0), Hold("a", 10.0, 20.0)), "b": y["b"]}


@settings(max_examples=40, deadline=None)
@given(
    late=st.lists(st.floats(0.0, 300.0), min_size=3, max_size=3),
    stand=st.lists(st.tuples(st.floats(0.0, 600.0), st.floats(0.0, 400.0)), min_size=3, max_size=3),
    now=st.floats(-100.0, 900.0),
)
def test_following_the_holds_never_makes_the_window_worse(
    three: Schedule,
    late: list[float],
    stand: list[tuple[float, float]],
    now: float,
) -> None:
    # Random step-off delays (as actuals seen at the start) and incident holds; the
    # recommended holds, fed to the real projection as issued orders, never bring the
    # last tail at the stand later (within the grid's 0.5 s tolerance and rounding).
    actuals = [
        Actual(u.id, "start", "head", u.step_off + d)
        for u, d in zip(three.units, late, strict=True)
        if u.step_off + d <= now
    ]
    holds = {
        u.id: (Hold(u.id, since, since + dur),)
        for u, (since, dur) in zip(three.units, stand, strict=True)
        if dur > 0 and u.step_off + 1 <= since <= now  # opened by now, as incidents are
    }
    base = project(three, actuals, now, min_gap_m=5.0, holds=holds)
    got = recommend(three, day_from(three, base, 5.0), POLICY)
    issued = [IssuedOrder(r.unit, r.checkpoint, r.action, r.seconds, now) for r in got]
    after = project(
        three, actuals, now, min_gap_m=5.0, holds=merged(holds, order_holds(base, issued, now))
    )
    assert base.reviewing_last_tail is not None and after.reviewing_last_tail is not None
    assert after.reviewing_last_tail <= base.reviewing_last_tail + 1.0
    assert all(r.seconds is None or 10.0 <= r.seconds <= 600.0 for r in got)


def test_no_hold_beyond_the_time_to_spare(three: Schedule) -> None:
    # As above (a held 40 s at mid), but the window must keep 450 s: the last tail (c,
    # off at 120 s) passes the stand at 120 + 600 + 10 = 730 s, window_end is 1200 s,
    # so 1200 - 450 - 730 = 20 s are to spare: a is held 20 s, not 40.
    seen = [Actual("a", "start", "head", 0.0), Actual("b", "start", "head", 90.0)]
    live = project(three, seen, 95.0, min_gap_m=5.0)
    tight = dataclasses.replace(POLICY, window_margin_s=450.0)
    got = recommend(three, day_from(three, live, 5.0), tight)
    assert brief(got) == [("a", "mid", "hold", 20.0)]


def test_no_unit_made_later_than_the_window_allows(three: Schedule) -> None:
    # a steps off at 50 s (50 s late), b at 142 s (112 s late); c steps off 30 m behind
    # b, at 172 s (112 s late). At the stand b arrives at 742 s, a's head then at 692 m:
    # an 82 m gap, 42 m over b's aim, so a alone would be held 40 s at mid (whole 5 s;
    # b is 62 s later than a: room enough). The last tail: planned 60 + 600 + 10 =
    # 670 s, projected 782 s (112 s late). With 346 s kept before window_end (1200 s),
    # no unit may be more than 1200 - 346 - 670 - 112 = 72 s late at the stand: a,
    # 50 s late already, is held 20 s (22 s, in whole 5 s), not 40. The time to spare,
    # 1200 - 346 - 782 = 72 s, would allow 40 s: it bounds a hold, not how late it
    # leaves the unit, and a delay can pass down the column to the last tail.
    seen = [Actual("a", "start", "head", 50.0), Actual("b", "start", "head", 142.0)]
    live = project(three, seen, 145.0, min_gap_m=5.0)
    c = live.units[2].at("stand")
    assert c is not None and c.tail == pytest.approx(782.0)
    day = day_from(three, live, 5.0)
    assert brief(recommend(three, day, POLICY)) == [("a", "mid", "hold", 40.0)]
    tight = dataclasses.replace(POLICY, window_margin_s=346.0)
    assert brief(recommend(three, day, tight)) == [("a", "mid", "hold", 20.0)]


def test_the_margin_grows_with_the_parade_still_to_come(three: Schedule) -> None:
    # As in test_no_hold_beyond_the_time_to_spare: now 95 s, the last tail planned
    # at the stand at 60 + 600 + 10 = 670 s, projected at 730 s (c off at 120 s).
    # With 250 s kept and 0.2 s more per second still to come (670 - 95 = 575 s:
    # 115 s more), 1200 - 365 - 730 = 105 s are to spare; the late budget, 1200 -
    # 365 - 670 - 60 = 105 s, leaves a (on time) 105 s: its 40 s hold stands.
    # At 0.35 (201.25 s more) 1200 - 451.25 - 730 = 18.75 s: 15 s in whole 5 s.
    # At 0.4 s per second (230 s more) 1200 - 480 - 730 = -10 s: no hold at all.
    seen = [Actual("a", "start", "head", 0.0), Actual("b", "start", "head", 90.0)]
    day = day_from(three, project(three, seen, 95.0, min_gap_m=5.0), 5.0)
    some = dataclasses.replace(POLICY, window_margin_s=250.0, window_margin_rate=0.2)
    assert brief(recommend(three, day, some)) == [("a", "mid", "hold", 40.0)]
    less = dataclasses.replace(some, window_margin_rate=0.35)
    assert brief(recommend(three, day, less)) == [("a", "mid", "hold", 15.0)]
    more = dataclasses.replace(some, window_margin_rate=0.4)
    assert recommend(three, day, more) == []
