"""Hand-worked orders: what each rule forces, and conflicting rules named exactly."""

from __future__ import annotations

import time

import numpy as np
import pytest

from paradeops.lineup.constraints import broken
from paradeops.lineup.cpsat import RulesConflict, first_order
from paradeops.lineup.optimise import column_kernel, lineup
from paradeops.lineup.scoring import Scorer
from tests.lineup.conftest import floats, plan_of, rules_of

# Five floats at one speed: the rules alone decide the order.
FIVE = floats(("x1", 3.6, []), ("b1", 3.6, ["band"]), ("x2", 3.6, []),
              ("b2", 3.6, ["band", "loud"]), ("x3", 3.6, ["horses"]))  # fmt: skip


def solve(units: str, rules_text: str, **kw: object) -> list[str]:
    _, plan = plan_of(units)
    rules, c = rules_of(plan, rules_text)
    return lineup(plan, rules, c, time_limit_s=3.0, max_evaluations=300, **kw).order  # type: ignore[arg-type]


def test_apart_by_three_puts_the_two_bands_at_the_ends_in_kept_order() -> None:
    # 5 places, 3 units between two bands: only places 0 and 4; keep_order says b2 first.
    order = solve(FIVE, """\
        version: 1
        keep_order: [[b2, b1]]
        apart: [{tags: [band], min_units: 3}]
        """)  # fmt: skip
    assert order[0] == "b2" and order[4] == "b1"
    assert sorted(order[1:4]) == ["x1", "x2", "x3"]


def test_fixed_first_and_last_take_their_places_in_the_order_given() -> None:
    order = solve(FIVE, """\
        version: 1
        fixed: {first: [x3, x2], last: [x1]}
        """)  # fmt: skip
    assert order[:2] == ["x3", "x2"] and order[-1] == "x1"


def test_not_behind_keeps_the_horses_out_of_the_places_just_behind_the_band() -> None:
    # b1 first, x3 (horses) not 1-2 places behind a band: places 1 and 2 are out, and b2
    # (a band) must not be 1-2 places ahead of x3 either.
    order = solve(FIVE, """\
        version: 1
        fixed: {first: [b1]}
        keep_order: [[b1, b2]]
        not_behind: [{tags: [horses], behind: [band], within_units: 2}]
        """)  # fmt: skip
    place = {u: p for p, u in enumerate(order)}
    assert place["x3"] >= 3
    assert not 1 <= place["x3"] - place["b2"] <= 2


def test_a_unit_both_ahead_and_behind_is_not_its_own_neighbour() -> None:
    # b2 is loud and a band: not_behind [band] behind [loud] must not forbid b2 itself.
    order = solve(FIVE, """\
        version: 1
        not_behind: [{tags: [band], behind: [loud], within_units: 4}]
        """)  # fmt: skip
    place = {u: p for p, u in enumerate(order)}
    assert place["b1"] < place["b2"]  # the only way for b1 not to be 1-4 behind b2


def test_conflicting_pair_is_named_exactly_and_the_innocent_rules_are_not() -> None:
    # Three bands one apart in five places need places 0, 2 and 4; x1 fixed first takes 0.
    units = floats(("x1", 3.6, []), ("b1", 3.6, ["band"]), ("x2", 3.6, []),
                   ("b2", 3.6, ["band"]), ("b3", 3.6, ["band"]))  # fmt: skip
    _, plan = plan_of(units)
    rules, c = rules_of(plan, """\
        version: 1
        fixed: {first: [x1]}
        keep_order: [[x2, b3]]
        apart: [{tags: [band], min_units: 1}]
        """)  # fmt: skip
    scorer = Scorer(plan, c, rules.objective, column_kernel())
    with pytest.raises(RulesConflict) as raised:
        first_order(c, scorer.units, scorer.route, time_limit_s=5.0)
    assert raised.value.names == ["fixed.first", "apart[0]"]
    assert raised.value.minimal
    assert rules.line_of("apart[0]") == 4


def test_one_rule_alone_can_be_the_conflict() -> None:
    # Two bands 5 apart need 7 places; there are 5.
    _, plan = plan_of(FIVE)
    rules, c = rules_of(plan, """\
        version: 1
        fixed: {first: [x1]}
        apart: [{tags: [band], min_units: 5}]
        """)  # fmt: skip
    scorer = Scorer(plan, c, rules.objective, column_kernel())
    with pytest.raises(RulesConflict) as raised:
        first_order(c, scorer.units, scorer.route, time_limit_s=5.0)
    assert raised.value.names == ["apart[0]"]


def test_broken_names_the_rules_an_order_breaks() -> None:
    _, plan = plan_of(FIVE)
    _, c = rules_of(plan, """\
        version: 1
        fixed: {first: [x1]}
        keep_order: [[x2, x1]]
        apart: [{tags: [band], min_units: 1}]
        not_behind: [{tags: [horses], behind: [loud], within_units: 1}]
        """)  # fmt: skip
    # The plan's order: x1 b1 x2 b2 x3 — x2 after x1, x3 right behind b2 (loud).
    assert broken(c, np.arange(5)) == ["keep_order[0]", "not_behind[0]"]


def test_an_apart_beyond_the_parade_s_length_is_named_at_once_on_a_long_parade() -> None:
    # 400 floats, 40 of them bands, 10,000 units between any two: 39 × 10,001 + 1
    # places needed, 400 there. Named without a solver (a model of it would be large).
    units = floats(*((f"u{i}", 3.6, ["band"] if i % 10 == 0 else []) for i in range(400)))
    _, plan = plan_of(units)
    rules, c = rules_of(plan, "version: 1\napart: [{tags: [band], min_units: 10000}]\n")
    scorer = Scorer(plan, c, rules.objective, column_kernel())
    started = time.perf_counter()
    with pytest.raises(RulesConflict) as raised:
        first_order(c, scorer.units, scorer.route, time_limit_s=60.0)
    assert raised.value.names == ["apart[0]"] and raised.value.minimal
    assert time.perf_counter() - started < 5.0


def test_not_behind_within_more_than_the_parade_puts_the_horses_before_every_band() -> None:
    # x3 (horses) may not be 1..1,000 places behind a band: ahead of both bands.
    order = solve(FIVE, """\
        version: 1
        not_behind: [{tags: [horses], behind: [band], within_units: 1000}]
        """)  # fmt: skip
    place = {u: p for p, u in enumerate(order)}
    assert place["x3"] < min(place["b1"], place["b2"])
