"""``simulate --time-budget``: the duration parser, batch sizing, batched = unbatched runs,
and the standard error printed beside every probability."""

from __future__ import annotations

import io
import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from paradeops.cli.simulate_commands import next_batch_size, parse_duration
from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.model.plan import Plan
from paradeops.reports.simulation_json import result_to_json
from paradeops.reports.simulation_table import result_tables
from paradeops.simulation import SimulationResult, simulate
from paradeops.simulation.monte_carlo import merge, prepare, run_batch, summarise
from paradeops.simulation.results import (
    BudgetOutcome,
    GapStats,
    PassStats,
    Percentiles,
    UnitStats,
    WindowStats,
    binomial_se,
    rule_of_three,
)
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule
from tests.conftest import EXAMPLES, Run, plan_text

TANKS = (
    "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"
)
BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}\n"
SMALL = plan_text(BOX + TANKS, extra="defaults: {max_gap_m: 30}\n")
V25 = EXAMPLES / "victory-day-2025" / "plan.yaml"

# --- the duration parser ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("2m", 120.0),
        ("1m30s", 90.0),
        ("90", 90.0),
        ("2.5m", 150.0),
        ("1h", 3600.0),
        ("1h1m1s", 3661.0),
        (" 45S ", 45.0),
        ("0.5", 0.5),
        ("24h", 86400.0),  # the most allowed
    ],
)
def test_durations_parse_to_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("0", "must be more than 0"),
        ("0s", "must be more than 0"),
        ("0m0s", "must be more than 0"),
        ("-5", "must be more than 0"),
        ("nan", "is not a number"),
        ("inf", "is more than 24 h"),
        ("86401", "is more than 24 h"),
        ("25h", "is more than 24 h"),
        ("-5s", "is not a duration"),
        ("", "is not a duration"),
        ("s", "is not a duration"),
        ("30x", "is not a duration"),
        ("1s30m", "is not a duration"),  # units out of order
        ("thirty seconds", "is not a duration"),
    ],
)
def test_bad_durations_name_the_option(text: str, why: str) -> None:
    with pytest.raises(UserError) as e:
        parse_duration(text)
    assert str(e.value).splitlines()[0] == f"--time-budget: {text!r} {why}"


# --- batch sizing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_run", "left", "remaining", "most", "size"),
    [
        (0.1, 0.55, 1000, 100, 5),  # 5 runs fit in 0.55 s
        (0.1, 30.0, 1000, 100, 10),  # 10 runs take the 1 s a batch should
        (0.001, 30.0, 1000, 100, 100),  # 1,000 would take 1 s: at most 100
        (0.001, 30.0, 7, 100, 7),  # only 7 left to the cap
        (0.1, 0.09, 1000, 100, 0),  # not one run fits: stop
        (0.1, -0.5, 1000, 100, 0),  # already over
        (2.0, 30.0, 1000, 100, 1),  # a run of 2 s: one at a time
    ],
)
def test_next_batch_size(per_run: float, left: float, remaining: int, most: int, size: int) -> None:
    assert next_batch_size(per_run, left, remaining, most) == size


# --- standard errors ---------------------------------------------------------------------


def test_binomial_se_by_hand() -> None:
    # sqrt(0.2 × 0.8 / 25) = sqrt(0.0064) = 0.08; sqrt(0.25 × 0.75 / 12) = sqrt(1/64) = 0.125
    assert binomial_se(0.2, 25) == pytest.approx(0.08, abs=1e-15)
    assert binomial_se(0.25, 12) == pytest.approx(0.125, abs=1e-15)
    assert binomial_se(0.0, 25) == 0.0
    assert binomial_se(1.0, 25) == 0.0
    assert rule_of_three(1000) == pytest.approx(0.003)
    assert rule_of_three(25) == pytest.approx(0.12)
    assert rule_of_three(2) == 1.0  # 3/2 is no probability


@given(p=st.floats(0, 1), n=st.integers(1, 10**6))
def test_se_is_at_most_half_over_root_n(p: float, n: int) -> None:
    # p(1 - p) peaks at 1/4, at p = 1/2
    assert 0.0 <= binomial_se(p, n) <= 0.5 / math.sqrt(n) + 1e-15


TIMES = Percentiles(60.0, 70.0, 80.0)
# 25 runs: held 0.2 → se 0.08; gap 0.4 → sqrt(0.24/25) = 0.0980 (10 %); late 0 → se 0, bound 3/25.
RESULT = SimulationResult(
    runs=25,
    seed=3,
    step_s=0.2,
    window=WindowStats(window_end=100.0, probability_late=0.0, last_tail=TIMES),
    units=(
        UnitStats("box", "foot", 0.0, (PassStats("tribune", TIMES, TIMES),)),
        UnitStats("t90m", "vehicles", 0.2, (PassStats("tribune", TIMES, TIMES),)),
    ),
    gaps=(GapStats("t90m", "box", "tribune", 0.4, Percentiles(10.0, 35.0, 50.0)),),
    fan=(),
    agent_updates=0,
    unfinished_runs=0,
)


@cache
def _small() -> tuple[Plan, Schedule]:
    plan = parse_plan(SMALL, "small.yaml")
    return plan, schedule(plan)


def test_json_has_an_se_beside_every_probability() -> None:
    _, s = _small()
    doc = result_to_json(RESULT, s)
    assert doc["window"]["probability_late_se"] == 0.0
    assert doc["zero_probability_below"] == pytest.approx(0.12)
    held = {u["id"]: u["held_probability_se"] for u in doc["units"]}
    assert held == {"box": 0.0, "t90m": pytest.approx(0.08)}
    assert doc["gaps"][0]["probability_se"] == pytest.approx(math.sqrt(0.24 / 25))
    assert "time_budget" not in doc
    # every key naming a probability has its _se beside it
    for obj in (doc["window"], *doc["units"], *doc["gaps"]):
        for key in obj:
            if "probability" in key and not key.endswith("_se"):
                assert f"{key}_se" in obj


def test_json_says_how_the_budget_ended() -> None:
    _, s = _small()
    doc = result_to_json(RESULT, s, budget=BudgetOutcome(1.0, 1000, "budget"))
    assert doc["time_budget"] == {"seconds": 1.0, "runs_cap": 1000, "stopped_by": "budget"}


def test_table_shows_p_plus_minus_se() -> None:
    _, s = _small()
    console = Console(width=300, file=io.StringIO(), color_system=None)
    for r in result_tables(RESULT, s, budget=BudgetOutcome(30.0, 1000, "budget")):
        console.print(r)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if "│" in line]
    assert rows[-1][-1] == "20% ± 8%"
    assert rows[-2][-1] == "0%"
    assert "above max_gap_m: 40% ± 10% (P50 35 m, P95 50 m)" in text
    assert "probability of breaking the window (ends 10:01:40): 0.0%\n" in text
    assert "below 12.0% at 95 % (rule of three)" in text
    assert "25 of at most 1000 runs in 30 s, stopped by the time budget" in text


# --- batched = unbatched -----------------------------------------------------------------

RUNS = 12


@cache
def _whole(seed: int) -> SimulationResult:
    plan, s = _small()
    return simulate(plan, s, RUNS, np.random.default_rng(seed), seed=seed)


def _same(a: SimulationResult, b: SimulationResult) -> None:
    assert (a.runs, a.units, a.window, a.gaps) == (b.runs, b.units, b.window, b.gaps)
    assert (a.agent_updates, a.unfinished_runs) == (b.agent_updates, b.unfinished_runs)
    for fa, fb in zip(a.fan, b.fan, strict=True):
        assert np.array_equal(fa.times, fb.times, equal_nan=True)


def _cuts(sizes: list[int], runs: int) -> list[tuple[int, int]]:
    cuts, lo = [], 0
    for n in [*sizes, runs]:
        hi = min(runs, lo + n)
        if hi > lo:
            cuts.append((lo, hi))
        lo = hi
    return cuts


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(1, RUNS), max_size=6), seed=st.sampled_from([0, 7]))
def test_batches_of_any_sizes_give_the_whole_run(sizes: list[int], seed: int) -> None:
    plan, s = _small()
    setup = prepare(plan, s, RUNS, np.random.default_rng(seed), seed=seed)
    parts = [run_batch(setup, lo, hi) for lo, hi in _cuts(sizes, RUNS)]
    _same(summarise(setup, merge(parts)), _whole(seed))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4), stop=st.integers(1, RUNS))
def test_stopping_early_depends_on_the_runs_done_not_the_batches(
    sizes: list[int], stop: int
) -> None:
    # Runs 1..stop of a cap are the same runs whichever batches brought them.
    plan, s = _small()
    setup = prepare(plan, s, RUNS, np.random.default_rng(5), seed=5)
    batched = merge([run_batch(setup, lo, hi) for lo, hi in _cuts(sizes, stop)])
    one = run_batch(setup, 0, stop)
    _same(summarise(setup, batched), summarise(setup, one))


# --- the CLI -----------------------------------------------------------------------------


def test_a_tiny_budget_stops_before_the_cap_and_says_so(cli: Run) -> None:
    # 1,000 Victory Day runs take tens of seconds even on an idle machine, so 1 s
    # stops well before the cap; the first batch (4 runs) always runs.
    r = cli("simulate", V25, "--seed", "1", "--time-budget", "1s", "-f", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["time_budget"] == {"seconds": 1.0, "runs_cap": 1000, "stopped_by": "budget"}
    assert 4 <= doc["runs"] < 1000


def test_a_generous_budget_stops_at_the_cap(cli: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL)
    r = cli("simulate", plan, "--seed", "1", "-n", "6", "--time-budget", "10m")
    assert r.code == 0, r.err
    said = "6 of at most 6 runs in 600 s, stopped by every run up to --runs\n"
    assert said in r.out
    # the same runs, the same figures, as without a budget
    plain = cli("simulate", plan, "--seed", "1", "-n", "6")
    assert r.out.replace(said, "") == plain.out


@pytest.mark.parametrize("budget", ["0", "-1", "nan", "25h", "soon", "1s30m"])
def test_bad_budgets_exit_2_naming_the_option(cli: Run, budget: str) -> None:
    r = cli("simulate", V25, "--time-budget", budget)
    assert r.code == 2
    assert r.err.startswith("error: --time-budget: ")
    assert "Traceback" not in r.err
