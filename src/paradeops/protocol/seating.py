"""Seating: guests to tribune seats by precedence, delegations kept together.

The problem, in plain words (docs/seating.md tells it at length):

* A *unit* is a delegation (the guests of one country, unless told
  otherwise), or a single guest. Its members sit side by side in one row of
  one section, in consecutive seats: a *block*.
* Inside a block, the most senior member takes the block's most honourable
  seat, the next one the next, and so on. For a given block this is optimal
  (rearrangement inequality), so only the blocks need choosing.
* The cost of a seating is Σ weight(guest) × honour(seat), where weight is
  ``n − position`` in the order of delegations (each at its most senior
  member's place, its members following) and honour is the seat's rank in
  the honour order (0 is the host's seat). Minimising it gives the best
  seats to the most senior guests as far as the blocks allow.
* Interpreters sit in the row directly behind their principal (same column
  when that seat exists); keep-apart pairs never sit side by side in a row.

CP-SAT chooses the blocks (:mod:`paradeops.protocol.cpsat`: rows first,
then blocks; an exact model proves small cases). A lower bound that ignores
blocks entirely (best seats to the heaviest guests, one by one) is added as
a redundant constraint, so the reported gap is an honest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from paradeops.protocol import cpsat
from paradeops.protocol.guests import GuestBook
from paradeops.protocol.precedence import order
from paradeops.protocol.tribunes import Layout

IntArray = NDArray[np.int64]


class SeatingError(ValueError):
    """The guests cannot be seated as the rules ask; ``hint`` says what to change."""

    def __init__(self, message: str, hint: str | None = None, field: str | None = None):
        super().__init__(message)
        self.hint = hint
        self.field = field


@dataclass(frozen=True)
class Unit:
    """Guests who sit together, most senior first, and their interpreters."""

    name: str
    members: tuple[str, ...]
    weights: tuple[int, ...]  # descending
    interpreters: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()  # the principal of each interpreter
    host: bool = False

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Seating:
    """Who sits where, and how good the solution is known to be."""

    seats: dict[str, int]  # guest id -> seat index in the layout
    ranks: dict[str, int]  # guest id -> precedence rank (0 = most senior)
    status: str  # OPTIMAL (cost equals the lower bound), FEASIBLE (see gap), or GREEDY
    objective: int
    bound: int
    wall_time_s: float
    units: list[Unit] = field(default_factory=list)
    detail: str = ""

    @property
    def gap(self) -> float:
        """Relative gap between the seating's cost and the best lower bound."""
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / self.objective)


def build_units(book: GuestBook, guest_ids: Sequence[str]) -> tuple[list[Unit], dict[str, int]]:
    """Group the guests to seat into units, in precedence order of their heads.

    The seating order reads the precedence list delegation by delegation: a
    delegation takes the place of its most senior member, and its other
    members follow their head. Weights come from this order, so that "best
    seats to the most senior" and "delegations together" do not fight.
    """
    ranked = order(book, guest_ids)
    rank = {gid: i for i, gid in enumerate(ranked)}
    guests = book.by_id()
    wanted = set(guest_ids)
    groups: dict[str, list[str]] = {}
    for gid in ranked:
        groups.setdefault(book.delegation_of(guests[gid]), []).append(gid)
    n = len(ranked)
    units = []
    position = 0
    for name, members in groups.items():
        pairs = [
            (g.id, g.interpreter_for)
            for g in book.guests
            if g.id in wanted and g.interpreter_for in members
        ]
        weights = tuple(n - position - i for i in range(len(members)))
        position += len(members)
        units.append(
            Unit(
                name=name,
                members=tuple(members),
                weights=weights,
                interpreters=tuple(i for i, _ in pairs),
                principals=tuple(p for _, p in pairs if p is not None),
                host=any(guests[m].host for m in members),
            )
        )
    return units, rank


def ideal_bound(units: Sequence[Unit], layout: Layout) -> int:
    """Σ weight × honour with the best seats to the heaviest guests, blocks ignored."""
    weights = np.sort(np.array([w for u in units for w in u.weights], dtype=np.int64))[::-1]
    honours = np.sort(np.array([s.honour for s in layout.seats], dtype=np.int64))
    return int(weights @ honours[: len(weights)])


def check_capacity(units: Sequence[Unit], layout: Layout) -> None:
    seats = len(layout.seats)
    people = sum(u.size + len(u.interpreters) for u in units)
    if people > seats:
        raise SeatingError(
            f"{people} guests to seat but the tribunes have only {seats} seats",
            "add rows or sections to the tribunes, or seat fewer guests (--as-of, statuses)",
        )
    longest = max(len(s.seats) for s in layout.segments)
    large = sorted((u for u in units if u.size > longest), key=lambda u: -u.size)
    if large:
        names = ", ".join(f"{u.name!r} ({u.size})" for u in large)
        raise SeatingError(
            f"delegation {large[0].name!r} has {large[0].size} members but the longest row "
            f"has {longest} seats" + (f"; too large as well: {names}" if len(large) > 1 else ""),
            "lengthen a row, or split the delegation (give some members another "
            "`delegation:`)",
        )
    for u in units:
        if u.interpreters and not any(
            s.behind is not None
            and len(s.seats) >= u.size
            and len(layout.segments[s.behind].seats) >= len(u.interpreters)
            for s in layout.segments
        ):
            raise SeatingError(
                f"delegation {u.name!r} needs a row of {u.size} seats with "
                f"{len(u.interpreters)} seats for interpreters behind it",
                "add a row behind, or drop the interpreters",
            )


def keep_apart_units(
    book: GuestBook, units: Sequence[Unit]
) -> list[tuple[int, int]]:
    """Keep-apart rules as pairs of unit indices (a guest stands for its unit)."""
    where: dict[str, int] = {}
    for i, u in enumerate(units):
        where[u.name] = i
        for m in (*u.members, *u.interpreters):
            where[m] = i
    pairs: list[tuple[int, int]] = []
    for rule in book.seating.keep_apart:
        if rule.a not in where or rule.b not in where:
            continue  # one of them is not being seated
        a, b = where[rule.a], where[rule.b]
        if a == b:
            raise SeatingError(
                f"keep_apart {rule.a!r} / {rule.b!r}: both sit in delegation "
                f"{units[a].name!r}, which sits together",
                "give one of them another `delegation:`, or drop the rule",
                field="seating.keep_apart",
            )
        pairs.append((min(a, b), max(a, b)))
    return sorted(set(pairs))


def seat(
    book: GuestBook,
    guest_ids: Sequence[str],
    layout: Layout,
    *,
    time_limit_s: float = 10.0,
    gap_limit: float = 0.0,
    workers: int = 2,
    seed: int = 0,
) -> Seating:
    """Seat ``guest_ids`` (their interpreters too) on ``layout``; SeatingError if impossible."""
    units, rank = build_units(book, guest_ids)
    if not units:
        return Seating({}, {}, "OPTIMAL", 0, 0, 0.0, [])
    check_capacity(units, layout)
    pairs = keep_apart_units(book, units)
    bound0 = ideal_bound(units, layout)
    result = cpsat.solve(
        units, layout, pairs, bound0,
        time_limit_s=time_limit_s, gap_limit=gap_limit, workers=workers, seed=seed,
    )
    if result is None:
        raise SeatingError(
            "no seating satisfies the rules (delegations in one row, the host's seat, "
            f"interpreters behind, keep-apart), or none was found within {time_limit_s:g} s",
            "relax a keep_apart rule, add seats or rows behind, or raise --time-limit",
        )
    seats = decode(units, layout, result.blocks)
    objective = sum(
        w * layout.seats[seats[m]].honour
        for u in units
        for m, w in zip(u.members, u.weights, strict=True)
    )
    bound = min(objective, max(bound0, result.bound))
    status = "OPTIMAL" if objective == bound else result.status
    return Seating(seats, rank, status, objective, bound, result.wall_time_s, units,
                   result.detail)


def decode(
    units: Sequence[Unit], layout: Layout, blocks: Sequence[cpsat.Block]
) -> dict[str, int]:
    """Blocks to seats: members by honour inside the block, interpreters behind."""
    seats: dict[str, int] = {}
    for unit, block in zip(units, blocks, strict=True):
        segment = layout.segments[block.segment]
        run = segment.seats[block.start : block.start + unit.size]
        by_honour = sorted(run, key=lambda i: layout.seats[i].honour)
        seats.update(zip(unit.members, by_honour, strict=True))
        if unit.interpreters and block.shadow is not None and segment.behind is not None:
            behind = layout.segments[segment.behind].seats
            spots = sorted(behind[block.shadow : block.shadow + len(unit.interpreters)],
                           key=lambda i: layout.seats[i].column)
            by_column = sorted(
                zip(unit.interpreters, unit.principals, strict=True),
                key=lambda ip: layout.seats[seats[ip[1]]].column,
            )
            seats.update(zip((i for i, _ in by_column), spots, strict=False))
    return seats
