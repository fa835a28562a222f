"""Seating: guests to tribune seats by precedence, delegations kept together.

The problem, in plain words (docs/seating.md tells it at length):

* A *unit* is a delegation (the guests of one country, unless told
  otherwise), or a single guest. Its members sit side by side in one row of
  one section, in consecutive seats: a *block*.
* Inside a block, the most senior member takes the block's most honourable
  seat, the next one the next, and so on.
* Lexicographic, in two stages. First the *precedence seats* (the host's
  row, unless the tribune file says otherwise): there precedence is a hard
  rule, met by an exact construction (:mod:`paradeops.protocol.seating_precedence`).
  Then, with those seats fixed, the other delegations: the cost Σ weight(guest) ×
  honour(seat), weight ``n − position`` in the order of delegations, is
  minimised by CP-SAT (:mod:`paradeops.protocol.cpsat`) against an honest lower
  bound (best seats to the heaviest guests one by one, blocks ignored).
* Interpreters sit in the row directly behind their principal; keep-apart
  pairs never sit side by side in a row — except on the precedence seats,
  where they give way to precedence (and say so) unless the tribune file puts
  them above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from paradeops.protocol import cpsat
from paradeops.protocol.blocks import TAKEN, Block, Room
from paradeops.protocol.guests import GuestBook
from paradeops.protocol.precedence import order
from paradeops.protocol.seating_precedence import Apart, Principals, Relaxation, seat_principals
from paradeops.protocol.tribunes import Layout

if TYPE_CHECKING:
    import pandas as pd

    from paradeops.protocol.tribunes import Tribunes

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
    """Who sits where, and how good the solution is known to be.

    The precedence seats are always exact; ``status`` is about the rest:
    OPTIMAL (cost equals the lower bound), FEASIBLE (see gap) or GREEDY.
    """

    seats: dict[str, int]  # guest id -> seat index in the layout
    ranks: dict[str, int]  # guest id -> precedence rank (0 = most senior)
    status: str
    objective: int
    bound: int
    wall_time_s: float
    units: list[Unit] = field(default_factory=list)
    detail: str = ""
    principal_units: frozenset[str] = frozenset()  # units seated on the precedence seats
    relaxations: list[Relaxation] = field(default_factory=list)
    apart: list[Apart] = field(default_factory=list)
    gap_limit: float = 0.0

    @property
    def gap(self) -> float:
        """Relative gap between the seating's cost and the best lower bound."""
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / self.objective)

    @property
    def stopped_early(self) -> bool:
        """The solver ran out of time before proving the seating (or reaching --gap)."""
        return self.status != "OPTIMAL" and self.gap > self.gap_limit

    def warnings(self) -> list[str]:
        """What an organiser must know before signing off (empty: nothing)."""
        if not self.stopped_early:
            return []
        return [f"the solver stopped at its time limit before proving the seating off the "
                f"precedence seats ({self.status.lower()}, gap {self.gap:.2%}): it may not "
                f"be the best; raise --time-limit, or pass --accept-feasible to sign it off"]

    def to_frame(self, book: GuestBook, tribunes: Tribunes | Layout) -> pd.DataFrame:
        """One row per seated guest, in honour order (needs pandas); see
        :func:`paradeops.frames.seating_frame`."""
        from paradeops.frames import seating_frame

        return seating_frame(self, book, tribunes)


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


def ideal_bound(units: Sequence[Unit], layout: Layout, free: Sequence[int] | None = None) -> int:
    """Σ weight × honour with the best (free) seats to the heaviest guests, blocks ignored."""
    weights = np.sort(np.array([w for u in units for w in u.weights], dtype=np.int64))[::-1]
    seats = range(len(layout.seats)) if free is None else free
    honours = np.sort(np.array([layout.seats[i].honour for i in seats], dtype=np.int64))
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



def check_interpreter_rows(units: Sequence[Unit], layout: Layout) -> None:
    """Off the precedence seats the interpreter rule is hard: a row behind must exist."""
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


def keep_apart_units(book: GuestBook, units: Sequence[Unit]) -> list[Apart]:
    """Keep-apart rules between units (a guest stands for its unit)."""
    where: dict[str, int] = {}
    for i, u in enumerate(units):
        where[u.name] = i
        for m in (*u.members, *u.interpreters):
            where[m] = i
    pairs: list[Apart] = []
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
        pairs.append(Apart(a, b, rule.a, rule.b, rule.reason))
    return pairs


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
    """Seat ``guest_ids`` (their interpreters too) on ``layout``; SeatingError if impossible.

    Lexicographic: the precedence seats first (exact), then the others (CP-SAT).
    """
    units, rank = build_units(book, guest_ids)
    if not units:
        return Seating({}, {}, "OPTIMAL", 0, 0, 0.0, [])
    check_capacity(units, layout)
    apart = keep_apart_units(book, units)
    first = seat_principals(units, layout, apart)
    rest = [u for u in range(len(units)) if u not in first.blocks]
    rest_units = [units[u] for u in rest]
    check_interpreter_rows(rest_units, layout)
    room = _room(units, layout, first, rest, apart)
    free = [i for seg in layout.segments for j, i in enumerate(seg.seats)
            if room.occ[seg.index][j] == -1]
    bound0 = ideal_bound(rest_units, layout, free) if rest_units else 0
    result = None
    if rest_units:
        result = cpsat.solve(rest_units, layout, _pairs_among(rest, apart), bound0, room,
                             time_limit_s=time_limit_s, gap_limit=gap_limit, workers=workers,
                             seed=seed)
        if result is None:
            raise SeatingError(
                "no seating satisfies the rules off the precedence seats (delegations in one "
                "row, interpreters behind, keep-apart), or none was found within "
                f"{time_limit_s:g} s",
                "relax a keep_apart rule, add seats or rows behind, or raise --time-limit",
            )
    blocks = dict(first.blocks)
    if result is not None:
        blocks.update(zip(rest, result.blocks, strict=True))
    seats = decode(units, layout, blocks, first)
    objective2 = _cost(rest_units, layout, seats)
    bound2 = min(objective2, max(bound0, result.bound)) if result is not None else 0
    fixed_cost = _cost([units[u] for u in first.blocks], layout, seats)
    status = "OPTIMAL" if objective2 == bound2 else result.status if result else "OPTIMAL"
    detail = f"precedence seats: exact ({len(first.blocks)} delegations)"
    if result is not None:
        detail += f"; the rest: {result.detail}"
    return Seating(seats, rank, status, fixed_cost + objective2, fixed_cost + bound2,
                   result.wall_time_s if result else 0.0, units, detail,
                   frozenset(units[u].name for u in first.blocks), first.relaxations, apart,
                   gap_limit)


def _cost(units: Sequence[Unit], layout: Layout, seats: dict[str, int]) -> int:
    return sum(w * layout.seats[seats[m]].honour
               for u in units for m, w in zip(u.members, u.weights, strict=True))


def _room(units: Sequence[Unit], layout: Layout, first: Principals, rest: Sequence[int],
          apart: Sequence[Apart]) -> Room:
    """Seats the first stage left, and for each other unit the seats of its keep-apart
    partners already seated (its block must not touch them)."""
    occ = tuple(np.where(row == -1, -1, TAKEN).astype(np.int64) for row in first.occ)
    bans = []
    for u in rest:
        banned: set[int] = set()
        for rule in apart:
            other = rule.b if rule.a == u else rule.a if rule.b == u else None
            if other is not None and other in first.blocks:
                block = first.blocks[other]
                run = layout.segments[block.segment].seats
                banned.update(run[block.start : block.start + units[other].size])
        bans.append(frozenset(banned))
    return Room(occ, tuple(bans))


def _pairs_among(rest: Sequence[int], apart: Sequence[Apart]) -> list[tuple[int, int]]:
    """Keep-apart pairs between second-stage units, in their own numbering."""
    index = {u: i for i, u in enumerate(rest)}
    return sorted({(min(index[r.a], index[r.b]), max(index[r.a], index[r.b]))
                   for r in apart if r.a in index and r.b in index})


def decode(
    units: Sequence[Unit], layout: Layout, blocks: dict[int, Block], first: Principals
) -> dict[str, int]:
    """Blocks to seats: members by honour inside the block, interpreters behind."""
    seats: dict[str, int] = dict(first.interpreter_seats)
    for u, unit in enumerate(units):
        block = blocks[u]
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
