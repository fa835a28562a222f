"""The real objective, worked by hand on floats of 10 m with 20 m planned gaps.

A unit steps off when the tail of the one ahead is 20 m past the start; a
follower is held 5 m (min_gap_m) behind the tail ahead. The route: tribune
at 180 m, release at 450 m.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from paradeops.lineup.optimise import column_kernel, lineup
from paradeops.lineup.scoring import Scorer
from paradeops.timing import kernel
from tests.lineup.conftest import floats, plan_of, rules_of


def test_a_fast_float_behind_a_slow_one_is_held_207_5_s_and_the_lineup_swaps_them() -> None:
    # slow (1 m/s) first: its tail is 20 m past the start at 30 s, when fast (2 m/s)
    # steps off; fast's head meets slow's tail less 5 m when 2(t-30) = (t-10)-5: t = 45,
    # and follows it. Freed when slow's tail passes the release (450 m) at 460 s, with
    # its own tail at 460 - 25 = 435 m: 15 m more at 2 m/s, 467.5 s. Free, it would
    # have passed at 30 + 460/2 = 260 s. Held: 207.5 s; duration 467.5 s.
    # Fast first: slow steps off at 15 s (fast's head at 10 + 20 m) and never reaches
    # it: held 0, and slow's tail passes the release at 15 + 460 = 475 s. Held time
    # comes first in the default objective: the longer parade is the better one.
    _, plan = plan_of(floats(("slow", 3.6, []), ("fast", 7.2, [])))
    rules, c = rules_of(plan, "version: 1\n")
    result = lineup(plan, rules, c, time_limit_s=3.0, max_evaluations=50)
    assert result.before.held_s == pytest.approx(207.5, abs=0.01)
    assert result.before.duration_s == pytest.approx(467.5, abs=0.01)
    assert result.order == ["fast", "slow"]
    assert result.after.held_s == 0.0
    assert result.after.duration_s == pytest.approx(475.0, abs=0.01)


def test_a_window_at_the_tribune_puts_the_featured_float_last() -> None:
    # At one speed (1 m/s) the heads reach the tribune (180 m) at 180, 210, 240 s
    # (10:03:00, 10:03:30, 10:04:00): only the third place is in 10:03:45-10:04:10.
    _, plan = plan_of(floats(("f", 3.6, ["featured"]), ("a", 3.6, []), ("b", 3.6, [])))
    rules, c = rules_of(plan, """\
        version: 1
        window: [{tags: [featured], at: tribune, head_between: ["10:03:45", "10:04:10"]}]
        """)  # fmt: skip
    result = lineup(plan, rules, c, time_limit_s=3.0, max_evaluations=100)
    assert result.order[2] == "f"
    assert result.before.window_slack_s == pytest.approx(180 - 225, abs=0.01)
    assert result.after.window_slack_s == pytest.approx(min(240 - 225, 250 - 240), abs=0.01)
    (report,) = result.rules
    assert report.rule == "window[0]" and report.satisfied
    assert report.binding  # 10 s to spare, less than a 30 s headway


def test_the_weighted_objective_and_the_lexicographic_one_order_keys_as_stated() -> None:
    _, plan = plan_of(floats(("slow", 3.6, []), ("fast", 7.2, [])))
    rules, c = rules_of(plan, "version: 1\nobjective: {held_time: 2, gaps: 0.5}\n")
    scorer = Scorer(plan, c, rules.objective, column_kernel())
    f = scorer.figures(np.array([0, 1]))
    assert scorer.key(f) == (0.0, pytest.approx(2 * 207.5 + 0.5 * f.max_gap_m))
    rules, c = rules_of(plan, "version: 1\nobjective: [gaps, held_time]\n")
    scorer = Scorer(plan, c, rules.objective, column_kernel())
    assert scorer.key(f)[2] == pytest.approx(207.5)


def test_loading_the_kernel_does_not_eat_the_search_s_time() -> None:
    # The compiled kernel takes seconds to load, the first time in a process; this
    # one takes 1.5 s at its first call (the plan's own order), more than the whole
    # limit. The local search still has its share: it stops by having nothing left
    # to improve on two units, not by running out of time before its first move.
    _, plan = plan_of(floats(("slow", 3.6, []), ("fast", 7.2, [])))
    rules, c = rules_of(plan, "version: 1\n")
    real, calls = column_kernel(), []

    def loads_slowly(units: kernel.ColumnUnits, route: kernel.RouteLimits) -> kernel.ColumnTimes:
        if not calls:
            time.sleep(1.5)
        calls.append(len(units.length_m))
        return real(units, route)

    result = lineup(plan, rules, c, time_limit_s=1.0, column=loads_slowly)
    assert result.search.stopped == "no improvement"
    assert result.search.evaluations > 1
    assert result.order == ["fast", "slow"]
