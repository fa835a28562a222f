"""The first stage of seating: the precedence seats, by an exact construction.

On the precedence seats (``Layout.principal_segments()``: the host's row by
default) precedence is a hard rule. Read the guests in seating order — the
delegations in the order of their most senior member, members after their
head — and list the honour rank of each one's seat: the first stage gives
the *lexicographically smallest* such list, i.e. the most senior delegation
gets the best block it can have, then the next one the best block left, …

Why taking the units one by one is exact: honour ranks are all different, so
two blocks never have the same sorted list of honours; the lexicographically
best block of the first unit is therefore unique, every optimal seating
uses it, and the argument repeats for the next unit on the seats left. A
unit that no longer fits on the precedence seats sits in the second stage,
whose seats are all worth less to it.

Secondary rules do not move a principal unless the tribune file lists them
in ``rules_over_precedence``: an interpreter whose seat behind the principal
is missing or taken sits in the nearest free seat off the precedence seats,
and two keep-apart guests whom precedence puts side by side stay there; each
such case is a :class:`Relaxation` naming the rule, the guests and what gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from paradeops.protocol.blocks import Block, IntArray, free_shadows, shadow_range, touches
from paradeops.protocol.tribunes import Layout

if TYPE_CHECKING:
    from paradeops.protocol.seating import Unit


@dataclass(frozen=True)
class Apart:
    """A keep-apart rule between the units ``a`` and ``b``, as written (guest or delegation)."""

    a: int
    b: int
    name_a: str
    name_b: str
    reason: str | None = None


@dataclass(frozen=True)
class Relaxation:
    """A rule that could not be met, the guests it concerns, and what gave way."""

    rule: str  # "interpreter", "keep_apart" or "precedence"
    guests: tuple[str, ...]
    detail: str


@dataclass
class Principals:
    """What the first stage decided."""

    blocks: dict[int, Block]  # unit index -> its block on the precedence seats
    interpreter_seats: dict[str, int]  # interpreter id -> seat index
    occ: list[IntArray]  # per segment: -1 free, else the unit sitting there
    relaxations: list[Relaxation] = field(default_factory=list)


def seat_principals(units: Sequence[Unit], layout: Layout, apart: Sequence[Apart]) -> Principals:
    """Units in seating order, each to its lexicographically best free block on the
    precedence seats (the host's unit to a block holding the host's seat)."""
    principal = layout.principal_segments()
    host_segment = next(s.index for s in layout.segments if layout.host_seat in s.seats)
    over = layout.rules_over_precedence
    sizes = [unit.size for unit in units]
    taken = Principals({}, {}, [np.full(len(s.seats), -1, dtype=np.int64) for s in layout.segments])
    for u, unit in enumerate(units):
        segments = (host_segment,) if unit.host else principal
        # the host is never moved: the rules above precedence bind the others
        strict = frozenset() if unit.host else over
        banned = (_partner_seats(u, apart, taken, layout, sizes) if "keep_apart" in strict
                  else frozenset())
        block = _best_block(layout, unit, segments, taken.occ, banned,
                            need_interpreter_seats="interpreters" in strict)
        if block is None and unit.host:
            raise _host_error(unit, layout)
        if strict:
            loose = _best_block(layout, unit, segments, taken.occ, frozenset(), False)
            if loose is not None and loose != block:  # a rule above precedence moved it
                taken.relaxations.append(_demoted(unit, layout, loose, block, strict))
        if block is None:
            continue
        taken.blocks[u] = block
        taken.occ[block.segment][block.start : block.start + unit.size] = u
        if unit.interpreters:
            _seat_interpreters(layout, unit, u, block, taken, set(principal))
    taken.relaxations += _touching(units, layout, apart, taken)
    return taken


def _best_block(
    layout: Layout,
    unit: Unit,
    segments: Sequence[int],
    occ: Sequence[IntArray],
    banned: frozenset[int],
    need_interpreter_seats: bool,
) -> Block | None:
    """The free block whose sorted honours are lexicographically smallest."""
    best: tuple[tuple[int, ...], Block] | None = None
    for k in segments:
        seats = layout.segments[k].seats
        for st in range(len(seats) - unit.size + 1):
            run = seats[st : st + unit.size]
            if (occ[k][st : st + unit.size] != -1).any():
                continue
            if unit.host and layout.host_seat not in run:
                continue
            if touches(layout, k, st, unit.size, banned):
                continue
            if need_interpreter_seats and not free_shadows(layout, unit, k, st, occ):
                continue
            honours = tuple(sorted(layout.seats[i].honour for i in run))
            if best is None or honours < best[0]:
                best = (honours, Block(k, st))
    return None if best is None else best[1]


def _partner_seats(u: int, apart: Sequence[Apart], taken: Principals, layout: Layout,
                   sizes: Sequence[int]) -> frozenset[int]:
    """Seats of the already seated keep-apart partners of unit u."""
    out: set[int] = set()
    for rule in apart:
        other = rule.b if rule.a == u else rule.a if rule.b == u else None
        if other is None or other not in taken.blocks:
            continue
        block = taken.blocks[other]
        seats = layout.segments[block.segment].seats
        out.update(seats[block.start : block.start + sizes[other]])
    return frozenset(out)


def _seat_interpreters(layout: Layout, unit: Unit, u: int, block: Block, taken: Principals,
                       principal: set[int]) -> None:
    """Right behind the principal as the rule asks, else the nearest free seat off the
    precedence seats — and say so."""
    seg = layout.segments[block.segment]
    run = seg.seats[block.start : block.start + unit.size]
    by_honour = sorted(run, key=lambda i: layout.seats[i].honour)
    seat_of = dict(zip(unit.members, by_honour, strict=True))
    shadows = free_shadows(layout, unit, block.segment, block.start, taken.occ)
    pairs = sorted(zip(unit.interpreters, unit.principals, strict=True),
                   key=lambda ip: layout.seats[seat_of[ip[1]]].column)
    if shadows and seg.behind is not None:
        back = layout.segments[seg.behind]
        spots = back.seats[shadows[0] : shadows[0] + len(pairs)]
        for (interpreter, _), spot in zip(pairs, spots, strict=True):
            taken.interpreter_seats[interpreter] = spot
        taken.occ[seg.behind][shadows[0] : shadows[0] + len(pairs)] = u
        return
    why = _no_seat_behind(layout, unit, block, taken)
    for interpreter, boss in pairs:
        nearest = _nearest_free(layout, seat_of[boss], taken.occ, principal)
        if nearest is None:
            raise _no_room_error(interpreter)
        taken.interpreter_seats[interpreter] = nearest
        where = _locate(layout, nearest)
        taken.occ[where[0]][where[1]] = u
        taken.relaxations.append(Relaxation(
            "interpreter", (interpreter, boss),
            f"{why}; the principal keeps their place by precedence and the interpreter "
            f"sits at {layout.label(layout.seats[nearest])} instead"))


def _no_seat_behind(layout: Layout, unit: Unit, block: Block, taken: Principals) -> str:
    seg = layout.segments[block.segment]
    place = f"{seg.section} row {seg.row}"
    if seg.behind is None:
        return f"no row behind {place}"
    if len(shadow_range(layout, unit, block.segment, block.start)) == 0:
        return f"the row behind {place} has no seat behind the principal"
    return f"the seat behind the principal in {place} is taken by an earlier delegation"


def _nearest_free(layout: Layout, near: int, occ: Sequence[IntArray],
                  principal: set[int]) -> int | None:
    """The free seat off the precedence seats nearest ``near``: same section first,
    then rows behind before rows in front, then fewer rows and columns away."""
    boss = layout.seats[near]
    free = [i for seg in layout.segments if seg.index not in principal
            for j, i in enumerate(seg.seats) if occ[seg.index][j] == -1]
    if not free:
        return None

    def distance(i: int) -> tuple[int, int, int, int]:
        s = layout.seats[i]
        return (s.section != boss.section, s.row < boss.row, abs(s.row - boss.row),
                abs(s.column - boss.column))

    return min(free, key=distance)


def _locate(layout: Layout, seat: int) -> tuple[int, int]:
    for seg in layout.segments:
        if seat in seg.seats:
            return seg.index, seg.seats.index(seat)
    raise AssertionError(seat)


def _touching(units: Sequence[Unit], layout: Layout, apart: Sequence[Apart],
              taken: Principals) -> list[Relaxation]:
    """Keep-apart rules that precedence broke: both units seated side by side."""
    out = []
    for rule in apart:
        if rule.a not in taken.blocks or rule.b not in taken.blocks:
            continue
        ba, bb = taken.blocks[rule.a], taken.blocks[rule.b]
        if ba.segment != bb.segment:
            continue
        if ba.start + units[rule.a].size == bb.start or bb.start + units[rule.b].size == ba.start:
            seg = layout.segments[ba.segment]
            out.append(Relaxation(
                "keep_apart", (rule.name_a, rule.name_b),
                f"precedence seats {units[rule.a].name!r} and {units[rule.b].name!r} side by "
                f"side in {seg.section} row {seg.row}"
                "; keep_apart is not above precedence in the tribune file "
                "(rules_over_precedence), so it was relaxed"))
    return out


def _demoted(unit: Unit, layout: Layout, due: Block, got: Block | None,
             over: frozenset[str]) -> Relaxation:
    rules = " and ".join(sorted(over))

    def at(block: Block) -> str:
        return layout.label(layout.seats[layout.segments[block.segment].seats[block.start]])

    where = "off the precedence seats" if got is None else f"from {at(got)}"
    return Relaxation(
        "precedence", (unit.members[0],),
        f"delegation {unit.name!r} sits {where}, not from {at(due)} where precedence puts it: "
        f"{rules} (rules_over_precedence in the tribune file) ruled that block out")


def _host_error(unit: Unit, layout: Layout) -> ValueError:
    from paradeops.protocol.seating import SeatingError

    return SeatingError(
        f"the host's delegation {unit.name!r} ({unit.size}) cannot sit around the host's seat "
        f"{layout.label(layout.seats[layout.host_seat])}",
        "move host_seat, lengthen the host's row, or seat fewer with the host")


def _no_room_error(interpreter: str) -> ValueError:
    from paradeops.protocol.seating import SeatingError

    return SeatingError(f"no free seat is left for interpreter {interpreter!r}",
                        "add seats to the tribunes")
