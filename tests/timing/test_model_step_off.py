"""A fixed step-off the unit ahead makes impossible is an error, as a target is."""

from __future__ import annotations

import pytest

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.timing.engine import schedule
from tests.conftest import Run, plan_text

BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, cadence_spm: 116, pace_m: 0.8}\n"
TANKS = "- {id: t90m, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20, step_off: 'STEP'}\n"

# The box (9 × 1.4 + 0.5 = 13.1 m, 116 × 0.8 / 60 = 1.5467 m/s) steps off at
# 10:00:00. The tanks' head may cross the start only min_gap_m = 5 m behind
# its tail, i.e. once the box's head is 13.1 + 5 = 18.1 m out:
# 18.1 / 1.5467 = 11.70 s, so 10:00:12 is the earliest whole second.


def plan(step: str) -> str:
    return plan_text(BOX + TANKS.replace("STEP", step))


def test_a_step_off_the_unit_ahead_prevents_is_an_error_with_the_earliest_time() -> None:
    with pytest.raises(UserError) as e:
        schedule(parse_plan(plan("10:00:05"), "t.yaml"))
    (problem,) = e.value.problems
    assert problem.field == "units[1].step_off"
    assert problem.line == 10
    assert "t90m cannot step off at 10:00:05" in problem.message
    assert "until 10:00:12" in problem.message
    assert problem.hint is not None and "10:00:12 or later" in problem.hint


def test_the_earliest_time_given_is_accepted() -> None:
    s = schedule(parse_plan(plan("10:00:12"), "t.yaml"))
    tanks = s.units[1]
    assert tanks.step_off == pytest.approx(12.0)
    assert tanks.at("start").head == pytest.approx(12.0)  # type: ignore[union-attr]


def test_the_cli_exits_2_naming_the_unit_and_the_field(cli: Run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "plan.yaml"
    path.write_text(plan("10:00:01"))
    got = cli("schedule", path)
    assert got.code == 2
    assert "t90m" in got.err and "step_off" in got.err and "10:00:12" in got.err
