"""Trajectory evaluation at and between breakpoints."""

from __future__ import annotations

import numpy as np
import pytest

from paradeops.timing.schedule import Trajectory

# 0 m at 0 s, 10 m at 10 s where it stands 5 s, 20 m at 25 s where it stands 1 s.
TR = Trajectory(np.array([0.0, 10.0, 20.0]), np.array([0.0, 10.0, 25.0]), np.array([0.0, 15.0, 26.0]))


@pytest.mark.parametrize(
    ("pos", "arrive", "leave"),
    [(0, 0, 0), (5, 5, 5), (10, 10, 15), (15, 20, 20), (20, 25, 26), (30, 36, 36)],
)
def test_arrive_and_leave(pos: float, arrive: float, leave: float) -> None:
    assert TR.arrive(pos) == pytest.approx(arrive)
    assert TR.leave(pos) == pytest.approx(leave)


def test_position_is_the_inverse() -> None:
    assert TR.position([0, 5, 12, 20, 25, 25.5, 40]).tolist() == pytest.approx([0, 5, 10, 15, 20, 20, 20])
