"""The engine's last resort: figures beyond what can be computed are a located error.

The plan's types bound every date, distance and speed (the corpus checks
them); a plan that got past them anyway (built in code, or an older stored
revision) must still give a UserError naming the plan, never an
OverflowError traceback from the schedule or the outputs drawn from it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.model.plan import Plan
from paradeops.timing.engine import schedule
from tests.input.corpus import PLAN


def _plan() -> Plan:
    return parse_plan(PLAN, "plan.yaml")


def test_a_good_plan_is_scheduled() -> None:
    assert len(schedule(_plan()).units) == 2


@pytest.mark.parametrize(
    "date", [dt.date(9999, 12, 31), dt.date(1, 1, 1)], ids=["year 9999", "year 1"]
)
def test_a_date_at_the_end_of_the_calendar_is_a_located_error(date: dt.date) -> None:
    p = _plan()
    p.parade = p.parade.model_copy(update={"date": date})
    with pytest.raises(UserError) as e:
        schedule(p)
    assert e.value.problems[0].field == "parade"
    assert "cannot be scheduled" in str(e.value) and "1900-2200" in str(e.value)


def test_a_distance_beyond_a_float_is_a_located_error() -> None:
    p = _plan()
    p.route.checkpoints[-1] = p.route.checkpoints[-1].model_copy(update={"at_m": 1e308})
    with pytest.raises(UserError) as e:
        schedule(p)
    assert "cannot be scheduled" in str(e.value)
