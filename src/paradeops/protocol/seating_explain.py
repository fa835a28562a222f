"""Why a guest sits where they sit: ``paradeops seat --explain GUEST``."""

from __future__ import annotations

from dataclasses import dataclass

from paradeops.protocol.guests import GuestBook
from paradeops.protocol.seating import Seating, Unit
from paradeops.protocol.tribunes import Layout


@dataclass(frozen=True)
class Explanation:
    guest: str
    name: str
    seat: str  # "centre r1 s9"
    honour: int  # 0 = the host's seat
    precedence: int | None  # rank, 0 = the host; None for an interpreter
    stage: str  # "precedence seats" or "second stage"
    reasons: tuple[str, ...]


def explain(book: GuestBook, seating: Seating, layout: Layout, guest_id: str) -> Explanation:
    """The facts and rules that put ``guest_id`` on their seat; KeyError if not seated."""
    guest = book.by_id()[guest_id]
    seat = layout.seats[seating.seats[guest_id]]
    unit = _unit_of(seating, guest_id)
    principal = unit.name in seating.principal_units
    reasons = [f"seat {layout.label(seat)} is number {seat.honour} of {len(layout.seats)} in "
               "honour order (0 = the host's seat; front rows first, then outward from the "
               "host, right before left)"]
    if guest.interpreter_for is not None:
        reasons.append(f"interpreter for {guest.interpreter_for}: the rule seats them in the "
                       "row directly behind their principal")
    else:
        reasons.append(_rank_text(seating, guest_id))
        reasons.append(_delegation_text(seating, unit, guest_id))
    reasons.append(_stage_text(seating, unit, principal))
    reasons += [f"keep_apart {r.name_a} / {r.name_b}"
                + (f" ({r.reason})" if r.reason else "") + ": applies to this delegation"
                for r in seating.apart if unit.name in (seating.units[r.a].name,
                                                         seating.units[r.b].name)]
    involved = {guest_id, *unit.members, *unit.interpreters, unit.name}
    reasons += [f"rule relaxed ({r.rule}): {r.detail}" for r in seating.relaxations
                if involved & set(r.guests)]
    return Explanation(guest_id, guest.name, layout.label(seat), seat.honour,
                       seating.ranks.get(guest_id), "precedence seats" if principal
                       else "second stage", tuple(reasons))


def _unit_of(seating: Seating, guest_id: str) -> Unit:
    return next(u for u in seating.units
                if guest_id in u.members or guest_id in u.interpreters)


def _rank_text(seating: Seating, guest_id: str) -> str:
    rank = seating.ranks[guest_id]
    return (f"precedence #{rank} of {len(seating.ranks) - 1} (0 = the host): host first, then "
            "category, then seniority or name, then the overrides")


def _delegation_text(seating: Seating, unit: Unit, guest_id: str) -> str:
    position = unit.members.index(guest_id)
    if unit.size == 1:
        return f"sits alone (delegation {unit.name!r})"
    head = unit.members[0]
    return (f"delegation {unit.name!r} ({unit.size} members) sits together in one row, in the "
            f"place of its head {head} (#{seating.ranks[head]}); inside the block the most "
            f"senior take the best seats: this guest is member {position + 1}")


def _stage_text(seating: Seating, unit: Unit, principal: bool) -> str:
    if unit.host:
        return "the host's delegation sits around the host's seat"
    if principal:
        before = sum(1 for u in seating.units[: seating.units.index(unit)]
                     if u.name in seating.principal_units)
        return ("on the precedence seats, where precedence is exact: delegations in order of "
                f"their head, each to the best free block left ({before} delegations seated "
                "before this one)")
    return ("off the precedence seats (no block left there for this delegation): seated by "
            f"the solver, best seats to the most senior weighted together ({seating.status}, "
            f"gap {seating.gap:.2%})")
