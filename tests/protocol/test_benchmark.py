"""The benchmark's instance (2,000 guests, 150 delegations, 2,200 seats) is seated correctly.

How fast and how close to optimal is measured by benchmarks/bench_seating.py on
the same instance (paradeops.synthetic), not here: a wall-clock assertion would
fail on a loaded machine.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.protocol.guests import Category
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


@settings(max_examples=25, deadline=None)
@given(
    delegations=st.integers(1, 40),
    per_delegation=st.integers(2, 12),
    max_size=st.integers(12, 30),
    seed=st.integers(0, 2**32 - 1),
)
def test_synthetic_guest_book_holds_what_it_was_asked_for(
    delegations: int, per_delegation: int, max_size: int, seed: int
) -> None:
    guests = delegations * per_delegation  # at most max_size each: always fits
    book = guest_book(guests, delegations, seed=seed, max_size=max_size)
    assert len(book.guests) == guests
    assert len({g.id for g in book.guests}) == guests
    sizes = Counter(g.delegation for g in book.guests)
    assert len(sizes) == delegations and all(2 <= n <= max_size for n in sizes.values())
    (host,) = [g for g in book.guests if g.host]
    assert host.delegation == "del-0" and host.category == Category.head_of_state
    assert book == guest_book(guests, delegations, seed=seed, max_size=max_size)


def test_synthetic_tribunes_seat_2200() -> None:
    # 4 sections × 11 rows × 50 seats, as the benchmark's target says.
    assert sum(r.seats for s in tribunes().sections for r in s.rows) == 2200
