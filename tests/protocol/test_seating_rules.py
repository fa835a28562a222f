"""Precedence as a guarantee: a hand-worked tribune of twelve seats where precedence,
interpreters and keep-apart interact, and the first stage against brute force."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.protocol.seating import build_units, keep_apart_units, seat
from paradeops.protocol.seating_explain import explain
from paradeops.protocol.seating_precedence import seat_principals
from paradeops.protocol.tribunes import Layout, Tribunes, layout
from tests.protocol.conftest import book, guest


def twelve_seats(*over: str) -> Layout:
    """Row 1: seats 1–7 in columns 0–6, the host on seat 4 (column 3). Row 2: five seats
    with offset 1, in columns 1–5 (no seat behind row 1's seats 1 and 7).

    Honour ranks, row 1: s4 0, s5 1, s3 2, s6 3, s2 4, s7 5, s1 6;
                  row 2: s3 7, s4 8, s2 9, s5 10, s1 11.
    """
    return layout(Tribunes.model_validate({
        "host_seat": {"section": "c", "row": 1, "seat": 4},
        "sections": [{"id": "c", "rows": [{"number": 1, "seats": 7},
                                          {"number": 2, "seats": 5, "offset": 1}]}],
        "rules_over_precedence": list(over),
    }))


def twelve_guests() -> list[dict[str, Any]]:
    # Precedence (alphabetical by country within a category): host 0, a (AT) 1,
    # b1 (BE) 2, c (CY) 3, then ministers b2 (BE) 4, d (DK) 5, e (EE) 6, then f (FI) 7.
    # Delegations in order: host; AT [a]; BE [b1, b2]; CY [c]; DK [d]; EE [e]; FI [f].
    return [
        guest("host", "RU", host=True), guest("a", "AT"),
        guest("a-int", "AT", "other", interpreter_for="a"),
        guest("b1", "BE"), guest("b2", "BE", "minister"), guest("c", "CY"),
        guest("d", "DK", "minister"), guest("d-int", "DK", "other", interpreter_for="d"),
        guest("e", "EE", "minister"), guest("f", "FI", "official"),
    ]


def placed(lay: Layout, seats: dict[str, int]) -> dict[str, str]:
    return {g: f"r{lay.seats[i].row}s{lay.seats[i].number}" for g, i in seats.items()}


def twelve_book() -> Any:
    return book(twelve_guests(), precedence={"within_rank": "alphabetical"},
                seating={"keep_apart": [{"a": "a", "b": "c", "reason": "border dispute"}]})


def test_precedence_first_secondary_rules_give_way_and_are_named() -> None:
    # Row 1 carries the honour (the host's row). By precedence, one delegation at a time:
    #   a  -> s5 (1); its interpreter right behind, r2s4 (column 4).
    #   BE -> s2-s3 (honours 4, 2: sorted (2, 4) beats s6-s7 (3, 5) and s1-s2 (4, 6));
    #         b1 takes s3 (2), b2 s2 (4).
    #   c  -> s6 (3), beside a: keep_apart a/c is relaxed (not above precedence).
    #   d  -> s7 (5); no seat behind column 6: d-int goes to the nearest free seat off
    #         row 1: r2s5 (column 5, one away; r2s1-s3 are further) — relaxed, named.
    #   e  -> s1 (6), the last seat of row 1.
    #   f  -> does not fit row 1; second stage: best free seat r2s3 (7).
    b, lay = twelve_book(), twelve_seats()
    result = seat(b, [g.id for g in b.guests], lay)
    assert placed(lay, result.seats) == {
        "host": "r1s4", "a": "r1s5", "a-int": "r2s4", "b1": "r1s3", "b2": "r1s2",
        "c": "r1s6", "d": "r1s7", "d-int": "r2s5", "e": "r1s1", "f": "r2s3"}
    assert [(r.rule, r.guests) for r in result.relaxations] == [
        ("interpreter", ("d-int", "d")), ("keep_apart", ("a", "c"))]
    assert "no seat behind" in result.relaxations[0].detail
    assert result.status == "OPTIMAL" and not result.stopped_early
    assert result.principal_units == {"RU:host", "AT", "BE", "CY", "DK", "EE"}


def test_rules_placed_above_precedence_move_the_principal_and_say_so() -> None:
    # Same guests, keep_apart and interpreters above precedence:
    #   a  -> s5, a-int r2s4 (as before).          BE -> s2-s3 (as before).
    #   c  -> s6 is beside a: banned; s7 (5) beats s1 (6): c at s7 — demoted, named.
    #   d  -> s6 (3) now free, with r2s5 free right behind it: d-int r2s5.
    #   e  -> s1.   f -> second stage, r2s3 (7).
    b, lay = twelve_book(), twelve_seats("interpreters", "keep_apart")
    result = seat(b, [g.id for g in b.guests], lay)
    assert placed(lay, result.seats) == {
        "host": "r1s4", "a": "r1s5", "a-int": "r2s4", "b1": "r1s3", "b2": "r1s2",
        "c": "r1s7", "d": "r1s6", "d-int": "r2s5", "e": "r1s1", "f": "r2s3"}
    [relaxed] = result.relaxations
    assert relaxed.rule == "precedence" and relaxed.guests == ("c",)
    assert "from c r1 s7, not from c r1 s6" in relaxed.detail


def test_explain_names_rank_honour_stage_and_rules() -> None:
    b, lay = twelve_book(), twelve_seats()
    result = seat(b, [g.id for g in b.guests], lay)
    why = explain(b, result, lay, "c")
    assert (why.seat, why.honour, why.precedence, why.stage) == (
        "c r1 s6", 3, 3, "precedence seats")
    text = "\n".join(why.reasons)
    assert "precedence #3" in text and "keep_apart a / c (border dispute)" in text
    assert "rule relaxed (keep_apart)" in text
    f = explain(b, result, lay, "f")
    assert f.stage == "second stage" and f.honour == 7
    interp = explain(b, result, lay, "d-int")
    assert interp.precedence is None and any("interpreter" in r for r in interp.reasons)


# --- the first stage is the lexicographic optimum: brute force on small rows -------------

@st.composite
def rows_and_units(draw: st.DrawFn) -> tuple[Any, Layout]:
    seats = draw(st.integers(3, 7))
    host = draw(st.integers(1, seats))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    guests = [guest("host", "RU", host=True)]
    for d, size in enumerate(sizes):
        guests += [guest(f"d{d}-{i}", "FR", "head_of_state" if i == 0 else "minister",
                         delegation=f"del{d}") for i in range(size)]
    lay = layout(Tribunes.model_validate({
        "host_seat": {"section": "s", "row": 1, "seat": host},
        "sections": [{"id": "s", "rows": [{"number": 1, "seats": seats},
                                          {"number": 2, "seats": 20}]}]}))
    return book(guests, precedence={"within_rank": "alphabetical"}), lay


def brute_force(units: Any, lay: Layout) -> tuple[int, ...]:
    """Smallest vector of honours (seating order; off the front row counts as 99) over
    every way to give each unit a free block of row 1, or none."""
    row = lay.segments[0].seats
    best: tuple[int, ...] | None = None
    options = [[None, *range(len(row) - u.size + 1)] for u in units]
    for choice in itertools.product(*options):
        used: set[int] = set()
        vector: list[int] = []
        ok = True
        for unit, start in zip(units, choice, strict=True):
            if start is None:
                ok = ok and not unit.host
                vector += [99] * unit.size
                continue
            block = set(row[start : start + unit.size])
            ok = ok and not (block & used) and (not unit.host or lay.host_seat in block)
            used |= block
            vector += sorted(lay.seats[i].honour for i in block)
        if ok and (best is None or tuple(vector) < best):
            best = tuple(vector)
    assert best is not None
    return best


@settings(max_examples=40, deadline=None)
@given(rows_and_units())
def test_first_stage_is_the_lexicographic_optimum(instance: tuple[Any, Layout]) -> None:
    b, lay = instance
    units, _ = build_units(b, [g.id for g in b.guests])
    first = seat_principals(units, lay, keep_apart_units(b, units))
    row = lay.segments[0].seats
    vector: list[int] = []
    for u, unit in enumerate(units):
        block = first.blocks.get(u)
        vector += ([99] * unit.size if block is None else
                   sorted(lay.seats[i].honour for i in row[block.start : block.start + unit.size]))
    assert tuple(vector) == brute_force(units, lay)
