"""Incident durations from the plan (``simulation.incident_duration_s``), against hand-worked values.

A code's duration is lognormal, given by its median m and 90th percentile P90:
σ = ln(P90 / m) / z₀.₉ with z₀.₉ = 1.281552. Conditioned on having lasted e
already, ln(D / m) / σ is a standard normal truncated below at a = ln(e / m) / σ:
its quantile q is z with Q(z) = (1 − q)·Q(a), Q the upper tail.

Worked here once, for the default breakdown (m 600 s, P90 1140 s):
σ = ln 1.9 / 1.281552 = 0.641854 / 1.281552 = 0.500842.
Open e = 600 s (= m, a = 0, Q(a) = 0.5):
  P10: Q(z) = 0.45, z = 0.125661, 600·e^(0.500842·0.125661) = 600·e^0.062936 = 638.98 s;
  P50: Q(z) = 0.25, z = 0.674490, 600·e^0.337814 = 600·1.401880 = 841.13 s;
  P90: Q(z) = 0.05, z = 1.644854, 600·e^0.823832 = 600·2.279217 = 1367.53 s.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.live import (
    CODES,
    DEFAULT_DURATION_S,
    Actual,
    Incident,
    expected_until,
    holds,
    project,
)
from paradeops.live.conditioned import conditioned
from paradeops.live.incidents import drawn_durations
from paradeops.model.simulation_spec import IncidentDuration, IncidentDurations
from paradeops.synthetic import SMALL_SERVICE_PLAN
from paradeops.timing.engine import schedule

BREAKDOWN = IncidentDuration(median_s=600.0, p90_s=1140.0)


def test_sigma_from_median_and_p90() -> None:
    # ln 2 / 1.281552 = 0.693147 / 1.281552 = 0.540866.
    assert IncidentDuration(median_s=600, p90_s=1200).sigma == pytest.approx(0.540866, abs=1e-5)
    assert BREAKDOWN.sigma == pytest.approx(0.500842, abs=1e-5)
    assert IncidentDuration(median_s=300, p90_s=300).sigma == 0.0


def test_the_defaults_are_the_former_constants_as_medians() -> None:
    d = IncidentDurations()
    want = {
        "breakdown": (600, 1140),
        "medical": (300, 570),
        "weather": (900, 1710),
        "security": (600, 1140),
        "show_stop_overrun": (120, 228),
        "crowd": (300, 570),
        "other": (300, 570),
    }
    assert {c: (d.of(c).median_s, d.of(c).p90_s) for c in CODES} == want
    assert dict(DEFAULT_DURATION_S) == {c: m for c, (m, _) in want.items()}
    assert d.of("no-such-code") == d.other


def test_the_median_projection_leaves_the_median_less_the_time_open() -> None:
    # Opened at 1,000 s, 100 s ago; median 600 s: over at 1,600 s, 500 s from now.
    i = Incident("breakdown", "band", opened=1000.0)
    assert expected_until(i, 1100.0, {"breakdown": 600.0}) - 1100.0 == 500.0
    # The plan says 900 s: 800 s from now.
    medians = IncidentDurations(breakdown=IncidentDuration(median_s=900, p90_s=1800)).medians()
    assert expected_until(i, 1100.0, medians) == 1900.0
    # Open 700 s, past its median: expected over now (the floor), never in the past.
    assert expected_until(i, 1700.0, {"breakdown": 600.0}) == 1700.0


def fraction_within(draws: np.ndarray, bound: float) -> float:
    return float(np.mean(draws <= bound))


def test_unconditioned_draws_have_the_median_and_p90() -> None:
    d = drawn_durations(BREAKDOWN, 0.0, np.random.default_rng(1), 20_000)
    # 20,000 draws: the standard error of a fraction near 0.5 is 0.0035, near 0.9 0.0021.
    assert fraction_within(d, 600.0) == pytest.approx(0.5, abs=0.012)
    assert fraction_within(d, 1140.0) == pytest.approx(0.9, abs=0.008)


def test_conditioned_draws_have_the_worked_quantiles() -> None:
    d = drawn_durations(BREAKDOWN, 600.0, np.random.default_rng(2), 20_000)
    assert d.min() >= 600.0
    assert fraction_within(d, 638.98) == pytest.approx(0.1, abs=0.008)
    assert fraction_within(d, 841.13) == pytest.approx(0.5, abs=0.012)
    assert fraction_within(d, 1367.53) == pytest.approx(0.9, abs=0.008)


def test_a_fixed_duration_and_the_far_tail() -> None:
    fixed = IncidentDuration(median_s=600, p90_s=600)
    rng = np.random.default_rng(3)
    assert set(drawn_durations(fixed, 100.0, rng, 5)) == {600.0}
    assert set(drawn_durations(fixed, 700.0, rng, 5)) == {700.0}  # overdue: over now
    # σ = ln(601/600)/1.281552 = 0.0013: open 700 s is a ≈ 119σ out, where the upper
    # tail underflows; the draws are 700 s and a hair (e^(σ·E/a), E ~ Exp(1)).
    narrow = IncidentDuration(median_s=600, p90_s=601)
    d = drawn_durations(narrow, 700.0, rng, 1000)
    assert d.min() >= 700.0 and d.max() <= 700.0 * 1.001


@settings(max_examples=200, deadline=None)
@given(
    median=st.floats(1.0, 86_400.0),
    spread=st.floats(0.0, 1.0),
    elapsed=st.floats(0.0, 1e8),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_conditioned_draw_is_never_below_the_time_open(
    median: float, spread: float, elapsed: float, seed: int
) -> None:
    p90 = median + spread * (86_400.0 - median)
    d = drawn_durations(
        IncidentDuration(median_s=median, p90_s=p90), elapsed, np.random.default_rng(seed), 50
    )
    assert np.all(np.isfinite(d)) and d.min() >= elapsed


# --- the plan's durations in the projections ------------------------------------------


def with_durations(text: str, durations: str) -> str:
    section = "simulation:\n" if "\nsimulation:\n" not in text else ""
    return text + section + "  incident_duration_s:\n" + durations


def test_the_plans_median_holds_the_unit_in_the_control_projection() -> None:
    # SMALL_SERVICE_PLAN: the colour guard steps off at 0 s at 1.5 m/s; tribune 300 m.
    # It breaks down at 100 s, 150 m on. Breakdowns take 300 s in this plan (median):
    # it stands until 400 s, then walks 150 m: tribune at 500 s (the default 600 s
    # median would give 800 s).
    plan = parse_plan(
        with_durations(SMALL_SERVICE_PLAN, "    breakdown: {median_s: 300, p90_s: 600}\n"),
        "plan.yaml",
    )
    s = schedule(plan)
    medians = plan.simulation.incident_duration_s.medians()
    assert medians["breakdown"] == 300.0 and medians["medical"] == 300.0  # the rest: defaults
    found = holds([Incident("breakdown", "colour-guard", 100.0)], 120.0, medians)
    live = project(s, [Actual("colour-guard", "start", "head", 0.0)], 120.0, holds=found)
    guard = next(u for u in live.units if u.id == "colour-guard")
    tribune = guard.at("tribune")
    assert tribune is not None and float(tribune.head) == pytest.approx(500.0)


#: Two vehicles (10 m, 2 m/s, 5 m apart), route 0 / 300 / 600 m; no noise but incidents.
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
  step_off_delay_s: {dist: fixed, value: 0}
  speed_factor: {dist: fixed, value: 1}
  show_stop_overrun_s: {dist: fixed, value: 0}
"""


def release_of_a(durations: str, now: float, runs: int) -> np.ndarray:
    """Every run's arrival of A's head at the release: seen at the tribune at 190 s,
    broken down there at 190 s, still open at ``now``."""
    plan = parse_plan(with_durations(TWO, durations) if durations else TWO, "two.yaml")
    s = schedule(plan)
    incidents = (Incident("breakdown", "a", opened=190.0),)
    medians = plan.simulation.incident_duration_s.medians()
    live = project(
        s, [Actual("a", "tribune", "head", 190.0)], now, min_gap_m=5.0,
        holds=holds(incidents, now, medians),
    )  # fmt: skip
    r = conditioned(
        s, live, plan.simulation, np.random.default_rng(5), runs=runs, incidents=incidents,
        min_gap_m=5.0,
    )  # fmt: skip
    return r.arrivals(0, 600.0)


def test_the_ranges_draw_from_the_plans_duration() -> None:
    # Fixed 600 s, open 300 s at 490 s: over at 790 s, then 300 m at 2 m/s: 940 s.
    fixed = release_of_a("    breakdown: {median_s: 600, p90_s: 600}\n", 490.0, 50)
    assert fixed == pytest.approx(np.full(50, 940.0))
    # Fixed 200 s, open 300 s: overdue, over now (490 s): 640 s.
    overdue = release_of_a("    breakdown: {median_s: 200, p90_s: 200}\n", 490.0, 50)
    assert overdue == pytest.approx(np.full(50, 640.0))


def test_the_ranges_condition_on_the_time_open() -> None:
    # The default breakdown, open 600 s at 790 s: A at the release 190 + d + 150 s with
    # d's conditioned quantiles (module docstring): 978.98, 1181.13, 1707.53 s.
    # 20,000 runs: standard errors about 0.9, 2.3 and 7 s.
    t = release_of_a("", 790.0, 20_000)
    assert t.min() >= 790.0 + 150.0 - 1e-6  # never over before now
    p10, p50, p90 = np.percentile(t, [10, 50, 90])
    assert p10 == pytest.approx(978.98, abs=4.0)
    assert p50 == pytest.approx(1181.13, abs=8.0)
    assert p90 == pytest.approx(1707.53, abs=25.0)


@pytest.mark.parametrize(
    ("durations", "field", "words"),
    [
        ("    breakdown: {median_s: -5, p90_s: 60}\n", "breakdown.median_s", "1 or more"),
        ("    medical: {median_s: 600, p90_s: 300}\n", "medical.p90_s", "at least median_s"),
        ("    fire: {median_s: 600, p90_s: 900}\n", "fire", "not an incident code"),
        ("    crowd: {median_s: 600}\n", "crowd.p90_s", "missing"),
        ("    weather: {median_s: 600, p90_s: 1e9}\n", "weather.p90_s", "at most 86400"),
    ],
)
def test_bad_durations_are_refused_naming_the_field(durations: str, field: str, words: str) -> None:
    text = with_durations(TWO, durations)
    with pytest.raises(UserError) as caught:
        parse_plan(text, "two.yaml")
    message = str(caught.value)
    line = text.splitlines().index(durations.rstrip("\n")) + 1
    assert f"two.yaml:{line}: simulation.incident_duration_s.{field}:" in message
    assert words in message
