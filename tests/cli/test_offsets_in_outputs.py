"""``simulate``'s text and JSON show the offset in force at each instant.

The result is built by hand (the simulation's own figures are tested in
tests/simulation): only the formatting is under test. The plan is SPRING of
tests/timing/test_clocks.py: start 01:30:00+01:00 (00:30 UTC) on 2025-03-30 in
Europe/Paris, where 02:00 (+01:00) becomes 03:00 (+02:00) at 01:00 UTC.
"""

from __future__ import annotations

import io
import math

from rich.console import Console

from paradeops.io.planfile import parse_plan
from paradeops.reports.simulation_json import result_to_json
from paradeops.reports.simulation_table import result_tables
from paradeops.simulation.results import (
    PassStats,
    Percentiles,
    SimulationResult,
    UnitStats,
    WindowStats,
)
from paradeops.timing.engine import schedule
from tests.timing.test_clocks import SPRING

# 1,770 s after 00:30 UTC is 00:59:30 UTC = 01:59:30+01:00; 1,830 s is 01:00:30
# UTC = 03:00:30+02:00; 1,800 s is 01:00 UTC, the change itself = 03:00:00+02:00.
TIMES = Percentiles(1770.0, 1800.0, 1830.0)
RESULT = SimulationResult(
    runs=10,
    seed=1,
    step_s=0.5,
    window=WindowStats(window_end=None, probability_late=0.0, last_tail=TIMES),
    units=(
        UnitStats("a", "vehicles", 0.0, (PassStats("tribune", TIMES, TIMES),)),
        UnitStats("b", "vehicles", 0.0, (PassStats("tribune", TIMES,
                                                   Percentiles(math.nan, 1832.0, 7200.0)),)),
    ),  # fmt: skip
    gaps=(),
    fan=(),
    agent_updates=0,
    unfinished_runs=0,
)


def test_simulate_text_shows_the_offset_in_force() -> None:
    s = schedule(parse_plan(SPRING, "plan.yaml"))
    console = Console(width=300, file=io.StringIO(), color_system=None)
    for r in result_tables(RESULT, s):
        console.print(r)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    title = " ".join(text.split("┏")[0].split())  # wrapped to the table's width
    assert title == (
        "Clocks: 10 simulated runs (seed 1) at tribune "
        "(2025-03-30, Europe/Paris, UTC+01:00; from 03:00:00 UTC+02:00 (marked))"
    )
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if "│" in line]
    # 7,200 s after 00:30 UTC is 02:30 UTC = 04:30:00+02:00.
    assert rows[-1] == ["b", "01:59:30", "03:00:00+02:00", "03:00:30+02:00", "03:00:32+02:00",
                        "04:30:00+02:00", "0%"]  # fmt: skip
    assert (
        "last tail at tribune: P5 01:59:30, P50 03:00:00+02:00, P95 03:00:30+02:00" in text
    )


def test_simulate_json_gives_iso_with_the_offset_in_force() -> None:
    s = schedule(parse_plan(SPRING, "plan.yaml"))
    doc = result_to_json(RESULT, s)
    assert doc["window"]["last_tail_p5"] == "2025-03-30T01:59:30+01:00"
    assert doc["window"]["last_tail_p95"] == "2025-03-30T03:00:30+02:00"
    tail = doc["units"][1]["passes"][0]["tail"]
    assert tail == {"p5": None, "p50": "2025-03-30T03:00:32+02:00",
                    "p95": "2025-03-30T04:30:00+02:00"}  # fmt: skip
