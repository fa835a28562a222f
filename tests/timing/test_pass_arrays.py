"""A unit's passes are kept as arrays; ``Pass`` objects are made only when asked for.

A 10,000-unit schedule has 100,000 passes: as named tuples the garbage
collector tracks and walks them all, so ``schedule()`` itself (findings,
summary, calendar check) reads the arrays and makes none.
"""

from __future__ import annotations

import dataclasses
import gc
import math

import pytest

from paradeops.io.planfile import parse_plan
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Pass, Schedule
from tests.conftest import plan_text

V4 = 4 / 3.6
FLOAT_WITH_STOP = (
    "- {id: f, kind: float, length_m: 12, speed_kmh: 4, show_stop: {at: tribune, duration_s: 60}}\n"
)
PLANE = "- {id: jet, kind: aircraft, over: tribune, at: '10:30:00', length_m: 20, speed_kmh: 720}\n"


def run(units: str, **kw: str) -> Schedule:
    return schedule(parse_plan(plan_text(units, **kw), "test.yaml"))


def test_schedule_makes_no_pass_objects_until_asked() -> None:
    s = run(
        FLOAT_WITH_STOP + "- {id: g, kind: float, length_m: 10, speed_kmh: 4}\n" + PLANE,
        extra="defaults: {gap_m: 20, min_gap_m: 5, max_gap_m: 10, flypast_clear_s: 30}\n",
    )
    # Findings, summary and the calendar check have all run; no unit's passes were made.
    assert all("passes" not in u.__dict__ for u in s.units)
    f = s.units[0]
    assert isinstance(f.passes[0], Pass)
    assert "passes" in f.__dict__ and f.passes is f.passes  # made once, then kept


def test_arrays_hold_what_the_passes_say() -> None:
    s = run(FLOAT_WITH_STOP)
    (f,) = s.units
    assert f.checkpoint_ids == ("start", "tribune", "release")
    # Worked by hand: 4 km/h, 12 m long, 60 s stopped at the tribune (180 m).
    heads = [0.0, 180 / V4, 450 / V4 + 60]
    tails = [12 / V4, 180 / V4 + 60 + 12 / V4, 450 / V4 + 60 + 12 / V4]
    assert f.heads.tolist() == pytest.approx(heads)
    assert f.tails.tolist() == pytest.approx(tails)
    leaves = f.head_leaves.tolist()
    assert math.isnan(leaves[0]) and math.isnan(leaves[2])
    assert leaves[1] == pytest.approx(180 / V4 + 60)
    assert [p.checkpoint for p in f.passes] == ["start", "tribune", "release"]
    assert [p.head for p in f.passes] == pytest.approx(heads)
    assert [p.tail for p in f.passes] == pytest.approx(tails)
    assert [p.head_leaves is None for p in f.passes] == [True, False, True]
    # Plain floats, as reports and JSON expect, not NumPy scalars.
    assert all(type(p.head) is float and type(p.tail) is float for p in f.passes)
    assert f.at("tribune") == f.passes[1]
    assert f.at("nowhere") is None


def test_pass_arrays_are_read_only_and_not_tracked_by_the_gc() -> None:
    s = run(FLOAT_WITH_STOP + PLANE)
    for u in s.units:
        for a in (u.heads, u.tails, u.head_leaves):
            assert not a.flags.writeable
            assert not gc.is_tracked(a)
            with pytest.raises(ValueError):
                a[0] = 0.0


def test_aircraft_pass_over_its_point() -> None:
    s = run(FLOAT_WITH_STOP + PLANE)
    jet = s.units[1]
    # 10:30:00 is 1,800 s after the 10:00:00 start; 20 m at 200 m/s is 0.1 s.
    assert jet.checkpoint_ids == ("tribune",)
    assert jet.passes == (Pass("tribune", 1800.0, 1800.1),)
    assert jet.at("tribune") == Pass("tribune", 1800.0, 1800.1)


def test_replace_keeps_the_arrays_and_makes_passes_afresh() -> None:
    s = run(FLOAT_WITH_STOP)
    (f,) = s.units
    before = f.passes
    g = dataclasses.replace(f, name="renamed")
    assert "passes" not in g.__dict__
    assert g.passes == before
