"""The benchmark's instance (2,000 guests, 150 delegations, 2,200 seats) is seated correctly.

How fast and how close to optimal is measured by benchmarks/bench_seating.py on
the same instance (paradeops.synthetic), not here: a wall-clock assertion would
fail on a loaded machine.
"""

from __future__ import annotations

import pytest

from paradeops.protocol.seating import seat
from paradeops.protocol.tribunes import layout
from paradeops.synthetic import guest_book, tribunes


@pytest.mark.slow
def test_benchmark_instance_meets_the_target() -> None:
    book = guest_book(seed=1)
    lay = layout(tribunes())
    ids = [g.id for g in book.guests]
    result = seat(book, ids, lay, time_limit_s=8.0, gap_limit=0.01)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert 0.0 <= result.gap < 1.0 and result.bound <= result.objective
    assert sorted(result.seats) == sorted(ids)
    assert len(set(result.seats.values())) == len(ids)
