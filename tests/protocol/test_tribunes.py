"""Honour order of seats: host's seat, front rows first, right then left of the host."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from paradeops.protocol.tribunes import Tribunes
from tests.protocol.conftest import stands


def labels(lay: object) -> list[str]:
    return [f"{s.section}/{s.row}/{s.number}" for s in lay.honour_order()]  # type: ignore[attr-defined]


def test_centre_then_alternating_right_and_left() -> None:
    lay = stands(5)
    # host in the middle seat (3); the host's right is the higher seat number.
    assert labels(lay) == ["s1/1/3", "s1/1/4", "s1/1/2", "s1/1/5", "s1/1/1"]


def test_front_row_before_the_second() -> None:
    lay = stands(3, 3)
    assert labels(lay) == ["s1/1/2", "s1/1/3", "s1/1/1", "s1/2/2", "s1/2/3", "s1/2/1"]


def test_sections_continue_the_row_across_the_aisle() -> None:
    lay = stands(2, sections=3)  # columns s1: 0,1 | s2: 3,4 | s3: 6,7; host s2 seat 1
    assert labels(lay) == ["s2/1/1", "s2/1/2", "s1/1/2", "s3/1/1", "s1/1/1", "s3/1/2"]


def test_explicit_host_seat() -> None:
    lay = stands(4, host=("s1", 1, 1))
    assert labels(lay) == ["s1/1/1", "s1/1/2", "s1/1/3", "s1/1/4"]


def test_host_seat_must_exist() -> None:
    with pytest.raises(ValidationError, match="host_seat centre row 1 seat 9"):
        Tribunes.model_validate({"host_seat": {"section": "centre", "row": 1, "seat": 9},
                                 "sections": [{"id": "centre", "rows": [{"number": 1,
                                                                          "seats": 4}]}]})


def test_rows_behind_are_linked() -> None:
    lay = stands(3, 3, sections=2)
    assert [s.behind for s in lay.segments] == [1, None, 3, None]
