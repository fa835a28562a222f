"""Road space of formations: the spacings between ranks plus the last rank's depth."""

from __future__ import annotations

import pytest

from paradeops.io.planfile import parse_plan
from paradeops.model.units import length_m
from paradeops.timing.engine import schedule
from tests.conftest import plan_text


def unit_length(line: str) -> float:
    plan = parse_plan(plan_text(line), "test.yaml")
    return length_m(plan.units[0])


def test_a_one_rank_foot_unit_is_one_rank_deep() -> None:
    # No spacing behind a single rank: only its default depth, 0.5 m.
    assert unit_length("- {id: f, kind: foot, ranks: 1, files: 8, speed_kmh: 5}\n") == 0.5


def test_a_band_adds_the_depth_of_its_last_rank() -> None:
    # 6 ranks 1.5 m apart: 5 × 1.5 = 7.5 m of spacings, + 0.5 m = 8.0 m.
    line = "- {id: b, kind: band, ranks: 6, files: 8, rank_spacing_m: 1.5, speed_kmh: 5}\n"
    assert unit_length(line) == pytest.approx(8.0)


def test_a_mounted_unit_adds_the_length_of_the_last_horse() -> None:
    # 4 ranks 3 m apart: 3 × 3 = 9 m, + a horse of 2.4 m = 11.4 m; one rank: 2.4 m.
    line = "- {id: m, kind: mounted, ranks: 4, files: 4, rank_spacing_m: 3, speed_kmh: 8}\n"
    assert unit_length(line) == pytest.approx(11.4)
    assert unit_length(line.replace("ranks: 4", "ranks: 1")) == pytest.approx(2.4)


def test_the_depth_of_the_last_rank_can_be_set_per_unit() -> None:
    # 10 ranks 1.4 m apart with 0.8 m deep ranks (packs): 9 × 1.4 + 0.8 = 13.4 m.
    line = "- {id: f, kind: foot, ranks: 10, rank_spacing_m: 1.4, rank_depth_m: 0.8, speed_kmh: 5}\n"
    assert unit_length(line) == pytest.approx(13.4)


def test_a_one_rank_unit_takes_time_to_pass_a_checkpoint() -> None:
    # 3.6 km/h = 1 m/s: the head reaches the tribune (180 m) at 180 s and the
    # tail, 0.5 m behind it, 0.5 s later.
    s = schedule(parse_plan(plan_text("- {id: f, kind: foot, ranks: 1, speed_kmh: 3.6}\n"), "t.yaml"))
    p = s.units[0].at("tribune")
    assert p is not None
    assert p.head == pytest.approx(180.0)
    assert p.tail == pytest.approx(180.5)
