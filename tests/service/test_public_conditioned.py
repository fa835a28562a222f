"""ETA ranges conditioned on the actuals (paradeops.live.conditioned), against hand-worked cases.

The two-unit parade: A then B, each one 10 m vehicle at 2 m/s, 5 m apart
(gap and min_gap), route 0 / 300 (tribune) / 600 m. Planned: A steps off at
0 s, B at (10 + 5) / 2 = 7.5 s. The only noise is the step-off delay,
uniform on [0, 100] s. Quantile q of a uniform U is 100 q; of the larger of
two independent ones, max(U_A, U_B), it is 100 √q.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.io.planfile import parse_plan
from paradeops.live import Actual, Incident, holds, project
from paradeops.live.conditioned import Ranges, conditioned
from paradeops.live.eta_ranges import SpotEta, summarise
from paradeops.live.eta_ranges import eta_at as summary_eta_at
from paradeops.simulation.sampling import without_noise
from paradeops.timing.engine import schedule

TWO = """\
version: 1
parade:
  name: Two units
  date: 2025-05-09
  timezone: Europe/Moscow
  start: "10:00:00"
route:
  checkpoints:
    - {id: start, name: Start, at_m: 0}
    - {id: tribune, name: Tribune, at_m: 300, reviewing: true}
    - {id: release, name: Release, at_m: 600}
defaults:
  gap_m: 5
  min_gap_m: 5
units:
  - {id: a, name: A, kind: vehicles, count: 1, vehicle_length_m: 10, speed_kmh: 7.2, spacing_m: 0}
  - {id: b, name: B, kind: vehicles, count: 1, vehicle_length_m: 10, speed_kmh: 7.2, spacing_m: 0}
simulation:
  step_off_delay_s: {dist: uniform, low: 0, high: 100}
  speed_factor: {dist: fixed, value: 1}
  show_stop_overrun_s: {dist: fixed, value: 0}
"""
RUNS = 4000
#: Sampling error of a percentile of 4,000 runs here is under 1 s; 3 s leaves room.
TOL = 3.0
PLAN = parse_plan(TWO, "two.yaml")
S = schedule(PLAN)


def eta_at(r: Ranges, pos: float) -> SpotEta:
    """The ETAs at ``pos`` from the runs' summary (what the service keeps)."""
    return summary_eta_at(summarise(r), pos)


def ranges(actuals: list[Actual], now: float, incidents: tuple[Incident, ...] = (), spec=None):  # type: ignore[no-untyped-def]
    live = project(S, actuals, now, min_gap_m=5.0, holds=holds(incidents, now))
    rng = np.random.default_rng(7)
    return conditioned(
        S, live, spec or PLAN.simulation, rng, runs=RUNS, incidents=incidents, min_gap_m=5.0
    )


def test_the_planned_timing_is_as_worked_out() -> None:
    a, b = S.units
    assert (a.step_off, b.step_off) == (0.0, 7.5)
    assert (a.speed_ms, a.length_m) == (2.0, 10.0)


def test_before_step_off_the_ranges_are_the_delays() -> None:
    eta = eta_at(ranges([], now=0.0), 300.0)
    (_, a_head, a_tail), (_, b_head, b_tail) = eta.units
    # A at the tribune: U_A + 150 → 160, 200, 240.
    assert (a_head.p10, a_head.p50, a_head.p90) == pytest.approx((160, 200, 240), abs=TOL)
    assert a_tail.p50 == pytest.approx(205, abs=TOL)  # its tail 10 m (5 s) later
    # B: freely 7.5 + U_B + 150; behind A (A's head 15 m further): 7.5 + U_A + 150.
    # So 157.5 + max(U_A, U_B): 157.5 + 100·(√0.1, √0.5, √0.9).
    want = tuple(157.5 + 100 * math.sqrt(q) for q in (0.1, 0.5, 0.9))
    assert want == pytest.approx((189.12, 228.21, 252.37), abs=0.01)
    assert (b_head.p10, b_head.p50, b_head.p90) == pytest.approx(want, abs=TOL)
    assert b_tail.p90 == pytest.approx(want[2] + 5, abs=TOL)
    # The parade's head there is A's head; its tail B's tail.
    assert eta.head.p50 == pytest.approx(200, abs=TOL)
    assert eta.tail.p50 == pytest.approx(want[1] + 5, abs=TOL)


def test_what_has_happened_is_fixed() -> None:
    # A seen at the start at 40 s and at the tribune at 190 s; now 190 s.
    actuals = [Actual("a", "start", "head", 40.0), Actual("a", "tribune", "head", 190.0)]
    r = ranges(actuals, now=190.0)
    tribune, release = eta_at(r, 300.0), eta_at(r, 600.0)
    a_at_tribune = tribune.units[0][1]
    assert a_at_tribune.actual == pytest.approx(190.0) and a_at_tribune.p50 is None
    assert tribune.head.actual == pytest.approx(190.0)
    # A goes on at 2 m/s, no noise left for it: 190 + 150 = 340 in every run.
    a_release = release.units[0][1]
    assert (a_release.p10, a_release.p90) == pytest.approx((340.0, 340.0))
    # B was not seen at the start, which reports (A was): it has not stepped off,
    # and steps off at max(7.5 + U_B, now) = 190 s: at the tribune at 340 s.
    b_head = tribune.units[1][1]
    assert (b_head.p10, b_head.p90) == pytest.approx((340.0, 340.0))


def test_an_open_incident_holds_its_unit_for_a_drawn_time() -> None:
    # A seen at the tribune only (the start does not report): B is taken to have
    # stepped off behind A, i.e. at 190 - 150 + 7.5 = 47.5 s, so at 190 s it is
    # 2 · (190 - 47.5) = 285 m along, 15 m behind A's head.
    # A broke down at the tribune at 190 s (its head there); now 190 s. Its
    # duration is lognormal, median 600 s (breakdown), σ 0.5: quantile q is
    # 600·exp(0.5·z_q), z_0.9 = 1.2816 → 316.1, 600, 1138.7 s.
    actuals = [Actual("a", "tribune", "head", 190.0)]
    incident = Incident("breakdown", "a", opened=190.0)
    r = ranges(actuals, 190.0, (incident,))
    quantiles = [600 * math.exp(0.5 * z) for z in (-1.2816, 0.0, 1.2816)]
    assert quantiles == pytest.approx([316.1, 600.0, 1138.7], abs=0.1)
    a = eta_at(r, 600.0).units[0][1]
    # Then 300 m at 2 m/s: 190 + d + 150.
    assert (a.p10, a.p50, a.p90) == pytest.approx([340 + d for d in quantiles], abs=4 * TOL)
    # B, 285 m along, waits behind it: its head at the tribune when A's is 15 m on.
    b = eta_at(r, 300.0).units[1][1]
    assert (b.p10, b.p50, b.p90) == pytest.approx([197.5 + d for d in quantiles], abs=4 * TOL)


def test_no_noise_gives_the_projection() -> None:
    actuals = [Actual("a", "start", "head", 30.0)]
    live = project(S, actuals, 100.0, min_gap_m=5.0)
    r = conditioned(
        S, live, without_noise(PLAN.simulation), np.random.default_rng(1), runs=3, min_gap_m=5.0
    )
    for c in S.checkpoints:
        for (uid, head, tail), st_ in zip(eta_at(r, c.at_m).units, live.units, strict=True):
            p = st_.at(c.id)
            assert p is not None and uid == st_.id
            got = head.actual if head.actual is not None else head.p90
            assert got == pytest.approx(p.head)
            got = tail.actual if tail.actual is not None else tail.p10
            assert got == pytest.approx(p.tail)


def test_a_seed_gives_the_same_ranges() -> None:
    one, two = ranges([], 0.0), ranges([], 0.0)
    assert np.array_equal(one.heads, two.heads)


@settings(max_examples=25, deadline=None)
@given(
    late=st.floats(0, 600),
    now=st.floats(0, 900),
    pos=st.floats(0, 600),
)
def test_ranges_are_ordered_and_never_in_the_past(late: float, now: float, pos: float) -> None:
    actuals = [Actual("a", "start", "head", late)] if late <= now else []
    live = project(S, actuals, now, min_gap_m=5.0)
    r = conditioned(S, live, PLAN.simulation, np.random.default_rng(3), runs=50, min_gap_m=5.0)
    for _, head, tail in eta_at(r, pos).units:
        for e in (head, tail):
            if e.actual is None:
                assert e.p10 is not None and e.p50 is not None and e.p90 is not None
                assert now - 1e-6 <= e.p10 <= e.p50 <= e.p90
            else:
                assert e.actual <= now + 1e-6
