"""Seating: hand-checked small cases, impossible seatings, and properties on random ones."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paradeops.protocol.guests import GuestBook
from paradeops.protocol.seating import Seating, SeatingError, seat
from paradeops.protocol.tribunes import Layout, Tribunes, layout
from tests.protocol.conftest import book, guest, stands


def where(result: Seating, lay: Layout) -> dict[str, str]:
    return {g: f"r{lay.seats[i].row}s{lay.seats[i].number}" for g, i in result.seats.items()}


def everyone(b: GuestBook) -> list[str]:
    return [g.id for g in b.guests]


def test_singletons_take_the_honour_order() -> None:
    b = book([guest("host", "RU", host=True), guest("at", "AT"), guest("by", "BY"),
              guest("cz", "CZ"), guest("de", "DE")], precedence={"within_rank": "alphabetical"})
    lay = stands(5)
    result = seat(b, everyone(b), lay)
    assert where(result, lay) == {"host": "r1s3", "at": "r1s4", "by": "r1s2", "cz": "r1s5",
                                  "de": "r1s1"}
    assert result.status == "OPTIMAL" and result.gap == 0


def test_a_delegation_sits_together_on_the_hosts_right() -> None:
    # France (head of state + minister) and Germany (head of state); France ranks first.
    b = book([guest("host", "RU", host=True), guest("fr-1", "FR"),
              guest("fr-2", "FR", "minister"), guest("de", "DE")],
             precedence={"within_rank": "alphabetical"})
    lay = stands(5)
    result = seat(b, everyone(b), lay)
    # FR on s4-s5 (honours 1, 3) and DE on s2 (2): cost 3·1 + 2·3 + 1·2 = 11, proven optimal.
    assert where(result, lay) == {"host": "r1s3", "fr-1": "r1s4", "fr-2": "r1s5", "de": "r1s2"}
    assert result.objective == 11 and result.status == "OPTIMAL"


def keep_apart_book() -> GuestBook:
    return book([guest("host", "RU", host=True), guest("a", "AT"), guest("b", "BE"),
                 guest("c", "CY")],
                precedence={"within_rank": "alphabetical"},
                seating={"keep_apart": [{"a": "a", "b": "b"}]})


def test_keep_apart_gives_way_to_precedence_on_the_precedence_seats() -> None:
    # One row of 4, the host on s1 (it is the host's row: precedence is exact there).
    # a, b, c take s2, s3, s4 in precedence order; a and b side by side is reported.
    b = keep_apart_book()
    lay = stands(4, host=("s1", 1, 1))
    result = seat(b, everyone(b), lay)
    assert where(result, lay) == {"host": "r1s1", "a": "r1s2", "b": "r1s3", "c": "r1s4"}
    [relaxed] = result.relaxations
    assert relaxed.rule == "keep_apart" and relaxed.guests == ("a", "b")


def test_keep_apart_above_precedence_leaves_a_seat_between() -> None:
    # With keep_apart above precedence, b cannot take s3 (beside a): c does, b takes s4.
    b = keep_apart_book()
    lay = layout(Tribunes.model_validate({
        "sections": [{"id": "s1", "rows": [{"number": 1, "seats": 4}]}],
        "host_seat": {"section": "s1", "row": 1, "seat": 1},
        "rules_over_precedence": ["keep_apart"]}))
    result = seat(b, everyone(b), lay)
    assert where(result, lay) == {"host": "r1s1", "a": "r1s2", "c": "r1s3", "b": "r1s4"}
    [relaxed] = result.relaxations
    assert relaxed.rule == "precedence" and relaxed.guests == ("b",)


def test_interpreter_sits_right_behind_the_principal() -> None:
    b = book([guest("host", "RU", host=True), guest("cn", "CN"),
              guest("cn-int", "CN", "other", interpreter_for="cn")])
    # (the interpreter has no delegation seat of their own: they sit behind)
    lay = stands(3, 3)
    result = seat(b, everyone(b), lay)
    assert where(result, lay) == {"host": "r1s2", "cn": "r1s3", "cn-int": "r2s3"}


def test_more_guests_than_seats() -> None:
    b = book([guest(f"g{i}", "FR", delegation=f"d{i}") for i in range(6)])
    with pytest.raises(SeatingError, match="6 guests to seat but the tribunes have only 5"):
        seat(b, everyone(b), stands(5))


def test_delegation_larger_than_any_row() -> None:
    b = book([guest(f"fr{i}", "FR") for i in range(4)])
    with pytest.raises(SeatingError, match="delegation 'FR' has 4 members but the longest row"):
        seat(b, everyone(b), stands(3, 3, 3))


def test_keep_apart_inside_one_delegation_is_refused() -> None:
    b = book([guest("fr1", "FR"), guest("fr2", "FR")],
             seating={"keep_apart": [{"a": "fr1", "b": "fr2"}]})
    with pytest.raises(SeatingError, match="both sit in delegation 'FR'"):
        seat(b, everyone(b), stands(4))


# --- properties on random instances -----------------------------------------------------

@st.composite
def instances(draw: st.DrawFn) -> tuple[GuestBook, Layout]:
    """Random tribunes and delegations that can be seated: one delegation per row at
    most (the host's row excepted), each no longer than its row."""
    rows = draw(st.lists(st.integers(3, 8), min_size=2, max_size=3))
    sections = draw(st.integers(1, 2))
    lay = stands(*rows, sections=sections)
    guests: list[dict[str, Any]] = [guest("host", "RU", host=True)]
    cats = ["head_of_state", "head_of_government", "minister", "veteran"]
    free_rows = [len(seg.seats) for seg in lay.segments if lay.host_seat not in seg.seats]
    for d, length in enumerate(free_rows):
        if not draw(st.booleans()):
            continue
        for i in range(draw(st.integers(1, length))):
            guests.append(guest(f"d{d}-{i}", "FR", draw(st.sampled_from(cats)),
                                delegation=f"del{d}"))
    return book(guests), lay


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_guest_seated_once_and_delegations_contiguous(
    instance: tuple[GuestBook, Layout],
) -> None:
    b, lay = instance
    result = seat(b, everyone(b), lay, time_limit_s=2.0)
    assert sorted(result.seats) == sorted(everyone(b))
    assert len(set(result.seats.values())) == len(result.seats)
    assert lay.seats[result.seats["host"]].honour == 0
    for unit in result.units:
        spots = [lay.seats[result.seats[m]] for m in unit.members]
        assert len({(s.section, s.row) for s in spots}) == 1
        numbers = sorted(s.number for s in spots)
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        # inside the block, the more senior member has the more honourable seat
        honours = [s.honour for s in spots]
        assert honours == sorted(honours)
    assert 0.0 <= result.gap < 1.0 and result.bound <= result.objective


def test_two_stage_model_for_large_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    from paradeops.protocol import cpsat

    monkeypatch.setattr(cpsat, "EXACT_LIMIT", 0)
    guests = [guest("host", "RU", host=True)]
    for d in range(10):
        guests += [guest(f"d{d}-{i}", "FR", delegation=f"del{d}") for i in range(1 + d % 4)]
    b = book(guests)
    lay = stands(8, 8, 8, sections=2)
    result = seat(b, everyone(b), lay, time_limit_s=3)
    assert "two steps" in result.detail and "precedence seats: exact" in result.detail
    assert sorted(result.seats) == sorted(everyone(b))
    for unit in result.units:
        spots = [lay.seats[result.seats[m]] for m in unit.members]
        assert len({(s.section, s.row) for s in spots}) == 1
