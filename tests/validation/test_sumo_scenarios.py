"""The SUMO side of the validation scenarios, worked by hand (no SUMO needed)."""

from __future__ import annotations

import numpy as np

from paradeops.validation.sumo import (
    Limit,
    Scenario,
    _lane_position,
    _segments,
    _statistics,
    max_difference,
    paradeops_inputs,
    scenarios,
)
from paradeops.validation.throughput import updates_per_second


def test_a_plain_road_is_one_edge_one_vehicle_longer_than_queue_route_and_run_out() -> None:
    # staging 2 × (5 + 2.5) + 10 = 25 m; 25 + 1000 + 300 + 5 = 1330 m
    assert _segments(Scenario(vehicles=2)) == [(1330.0, 5.0)]


def test_a_limited_stretch_is_one_vehicle_length_longer_in_sumo() -> None:
    sc = Scenario(vehicles=2, limit=Limit(300.0, 600.0, 2.5))
    # starts at 25 + 300 = 325 m; ends at 25 + 600 + 5 = 630 m; the rest to 1330 m
    assert _segments(sc) == [(325.0, 5.0), (305.0, 2.5), (700.0, 5.0)]
    assert _lane_position(sc, 330.0) == ("e1_0", 5.0)
    assert _lane_position(sc, 10.0) == ("e0_0", 10.0)
    assert _lane_position(sc, 1000.0) == ("e2_0", 370.0)


def test_a_limit_from_behind_the_queue_has_no_empty_first_edge() -> None:
    sc = Scenario(vehicles=2, limit=Limit(-25.0, 300.0, 2.5))
    assert _segments(sc) == [(330.0, 2.5), (1000.0, 5.0)]


def test_sumo_statistics_give_ups_and_updates() -> None:
    out = "Performance:\n Duration: 0.130s\n Real time factor: 3600\n UPS: 485092.5\n"
    out += "Statistics (avg of 20):\n Duration: 315.31\n"
    assert _statistics(out) == (485092.5, 63062)  # 485092.5 × 0.130 s


def test_the_slow_leader_alone_wants_its_speed_and_only_the_first_vehicle_stops() -> None:
    sc = scenarios(vehicles=3)
    vdes, delay, _ = paradeops_inputs(sc["slow_leader"], 2)
    assert vdes.tolist() == [[3.0, 5.0, 5.0]] * 2
    assert not delay.any()
    _, _, stop = paradeops_inputs(sc["show_stop"], 1)
    assert stop.tolist() == [[30.0, 0.0, 0.0]]


def test_a_missing_passing_is_an_infinite_difference() -> None:
    a = np.array([[1.0, 2.0]])
    assert max_difference(a, np.array([[1.5, 2.0]])) == 0.5
    assert max_difference(a, np.array([[1.0, np.nan]])) == np.inf


def test_throughput_counts_updates() -> None:
    rates = updates_per_second(Scenario(vehicles=3, route_m=100.0, points=(100.0,)), 3, 2)
    assert len(rates) == 2 and min(rates) > 0
