"""Call times, occupancy and findings, worked by hand.

The three floats of :mod:`tests.staging.support` move at 1 m/s, so a float's
tail leaves its area (length) seconds after its head. With ``to_start_s``
300 and ``form_up_s`` 300 (step-offs 10:00, 10:05, 10:10, Paris, +02:00):

=====  ========  ========  ========  ========
unit   call      leave     clear     room
=====  ========  ========  ========  ========
A      09:50:00  09:55:00  09:55:50  50 m
B      09:55:00  10:00:00  10:00:30  30 m
C      10:00:00  10:05:00  10:05:20  20 m
=====  ========  ========  ========  ========

In the area: 50 m from 09:50, 80 m from 09:55 (A and B) until A's tail is out
at 09:55:50, then 30 m, 50 m from 10:00 (B and C) to 10:00:30, 20 m, empty
at 10:05:20. Peak: 80 m at 09:55:00.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.staging.support import staged, three_floats

PARIS = dt.timezone(dt.timedelta(hours=2))


def at(s, seconds: float) -> dt.datetime:  # type: ignore[no-untyped-def]
    return s.schedule.clock(seconds)


def test_call_and_leave_times_by_hand() -> None:
    _, s = staged(three_floats())
    got = {u.unit: (at(s, u.call), at(s, u.leave), at(s, u.step_off)) for u in s.units}
    day = dt.datetime(2025, 6, 1, tzinfo=PARIS)
    hm = lambda h, m, sec=0: day.replace(hour=h, minute=m, second=sec)  # noqa: E731
    assert got == {
        "a": (hm(9, 50), hm(9, 55), hm(10, 0)),
        "b": (hm(9, 55), hm(10, 0), hm(10, 5)),
        "c": (hm(10, 0), hm(10, 5), hm(10, 10)),
    }
    assert [u.space for u in s.units] == [50, 30, 20]


def test_peak_occupancy_is_80_m_at_0955() -> None:
    _, s = staged(three_floats())
    (yard,) = s.areas
    assert yard.peak == pytest.approx(80)
    assert at(s, yard.peak_at) == dt.datetime(2025, 6, 1, 9, 55, tzinfo=PARIS)
    # The whole step function, from the table in the module docstring.
    assert yard.times == pytest.approx((-600, -300, -250, 0, 30, 320))
    assert yard.used == pytest.approx((50, 80, 30, 50, 20, 0))
    assert yard.feed == ("a", "b", "c")
    assert s.findings == ()
    assert not s.has_errors


def test_over_capacity_by_10_m_when_the_area_holds_70() -> None:
    _, s = staged(three_floats(capacity="capacity_m: 70"))
    (f,) = s.findings
    assert (f.kind, f.severity, f.area) == ("over_capacity", "error", "yard")
    assert f.amount == pytest.approx(10)
    assert at(s, f.time) == dt.datetime(2025, 6, 1, 9, 55, tzinfo=PARIS)
    assert at(s, f.until) == dt.datetime(2025, 6, 1, 9, 55, 50, tzinfo=PARIS)
    assert "09:55:00 to 09:55:50" in f.message and "10.0 m" in f.message
    assert s.has_errors


def test_exactly_full_is_not_over() -> None:
    _, s = staged(three_floats(capacity="capacity_m: 80"))
    assert s.findings == ()


def test_square_metres_take_a_lane_for_a_float() -> None:
    # Floats are assumed 3.5 m wide: 175, 105 and 70 m²; peak 280 m² (A and B).
    _, s = staged(three_floats(capacity="capacity_m2: 250"))
    (yard,) = s.areas
    assert yard.measure == "m²"
    assert [u.space for u in s.units] == pytest.approx([175, 105, 70])
    assert yard.peak == pytest.approx(280)
    (f,) = s.findings
    assert f.kind == "over_capacity" and f.amount == pytest.approx(30)


def test_a_formation_takes_its_files_times_075_m() -> None:
    text = three_floats(capacity="capacity_m2: 1000").replace(
        "{id: c, name: Float C, kind: float, length_m: 20, speed_kmh: 3.6,",
        "{id: c, name: Walkers, kind: foot, ranks: 10, files: 4, rank_spacing_m: 1.4,"
        " speed_kmh: 3.6,",
    )
    _, s = staged(text)
    # 9 × 1.4 + 0.5 = 13.1 m long, 4 × 0.75 = 3 m wide.
    assert s.units[2].space == pytest.approx(13.1 * 3)


def test_two_areas_feed_in_turn_and_unassigned_is_a_warning() -> None:
    section = """\
  form_up_s: 300
  areas:
    - {id: north, capacity_m: 100, to_start_s: 300}
    - {id: south, capacity_m: 100, to_start_s: 120}
  assign: {a: north, b: south}
"""
    _, s = staged(three_floats(assembly=section))
    assert [(r.area, r.units) for r in s.feed] == [
        ("north", ("a",)),
        ("south", ("b",)),
        (None, ("c",)),
    ]
    (f,) = s.findings
    assert (f.kind, f.severity, f.unit) == ("unassigned", "warning", "c")
    south = s.areas[1]
    # B leaves south 120 s before its 10:05 step-off: 10:03; called 09:58.
    assert at(s, s.units[1].leave) == dt.datetime(2025, 6, 1, 10, 3, tzinfo=PARIS)
    assert south.feed == ("b",) and south.peak == 30
    with_default = section + "  default: north\n"
    _, s = staged(three_floats(assembly=with_default))
    assert [(r.area, r.units) for r in s.feed] == [
        ("north", ("a",)), ("south", ("b",)), ("north", ("c",))
    ]  # fmt: skip
    assert s.areas[0].feed == ("a", "c") and s.findings == ()


# --- daylight saving and midnight ---------------------------------------------


def test_dst_day_call_time_is_an_instant_not_a_wall_clock_sum() -> None:
    # London, 30 March 2025: 01:00 GMT becomes 02:00 BST. A steps off at
    # 03:00 BST (02:00 UTC); leave 30 min, call 60 min before: 01:30 UTC
    # (02:30 BST) and 00:30 UTC = 00:30 GMT. Wall-clock arithmetic would say
    # 01:30, an hour that does not exist that night.
    kw = dict(date="2025-03-30", zone="Europe/London", start="03:00:00", b="04:00:00",
              c="05:00:00", to_start=1800, form_up=3600)  # fmt: skip
    _, s = staged(three_floats(opens="00:30:00", **kw))  # type: ignore[arg-type]
    a = s.units[0]
    assert at(s, a.call) == dt.datetime(2025, 3, 30, 0, 30, tzinfo=dt.UTC)
    assert at(s, a.call).utcoffset() == dt.timedelta(0)
    assert at(s, a.leave).utcoffset() == dt.timedelta(hours=1)
    assert s.findings == ()  # called exactly when the area opens
    _, s = staged(three_floats(opens="00:45:00", **kw))  # type: ignore[arg-type]
    (f,) = s.findings
    assert (f.kind, f.unit, f.amount) == ("before_open", "a", pytest.approx(900))
    assert "00:30:00+00:00" in f.message and "15 min less to form up" in f.message


def test_area_opening_before_midnight_for_a_parade_after_midnight() -> None:
    # Paris, parade dated 15 July, stepping off at 00:30 on the 16th (24:30:00).
    # A leaves at 00:20 and is called at 23:50 on the 15th.
    kw = dict(date="2025-07-15", start="24:30:00", b="25:00:00", c="25:30:00",
              to_start=600, form_up=1800)  # fmt: skip
    for opens in ("23:50:00", "2025-07-15T23:50:00+02:00", "2025-07-15T21:50:00Z"):
        _, s = staged(three_floats(opens=opens, **kw))  # type: ignore[arg-type]
        assert at(s, s.units[0].call) == dt.datetime(2025, 7, 15, 23, 50, tzinfo=PARIS)
        assert at(s, s.areas[0].opens) == at(s, s.units[0].call)
        assert s.findings == (), opens
    _, s = staged(three_floats(opens="24:00:00", **kw))  # type: ignore[arg-type]
    (f,) = s.findings
    assert (f.kind, f.amount) == ("before_open", pytest.approx(600))
    # Opening at 00:25: A must leave at 00:20, before; B (step-off 01:00,
    # leave 00:50) is called at 00:20, 5 min before it opens.
    _, s = staged(three_floats(opens="24:25:00", **kw))  # type: ignore[arg-type]
    f, g = s.findings
    assert (f.kind, f.severity, f.unit) == ("cannot_reach", "error", "a")
    assert f.amount == pytest.approx(300)
    assert "cannot reach the start point in time" in f.message
    assert (g.kind, g.severity, g.unit, g.amount) == ("before_open", "warning", "b", 300)
