"""Constructive seatings for the second stage: bins filled by knapsack, blocks packed
in order, greedy.

They give CP-SAT its first solutions, and the answer when it finds none. The
seats of the first stage (the precedence seats) are already taken: ``Room``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from paradeops.protocol.blocks import (
    Bin,
    Block,
    Costs,
    IntArray,
    Room,
    allowed,
    fits_bin,
    free_shadows,
    free_starts,
    touches,
)
from paradeops.protocol.tribunes import Layout

if TYPE_CHECKING:
    from paradeops.protocol.seating import Unit


def knapsack_rows(units: Sequence[Unit], layout: Layout, bins: Sequence[Bin]) -> list[int | None]:
    """A bin for each unit: bins in honour order, each filled (0/1 knapsack) with the
    heaviest set of remaining units that fits — no hole in front."""
    def best_honour(b: Bin) -> int:
        seats = layout.segments[b.segment].seats[b.lo : b.hi]
        return min(layout.seats[i].honour for i in seats)

    order = sorted(range(len(bins)), key=lambda i: best_honour(bins[i]))
    choice: list[int | None] = [None] * len(units)
    reserved = [0] * len(bins)
    by_segment: dict[int, list[int]] = {}
    for i, b in enumerate(bins):
        by_segment.setdefault(b.segment, []).append(i)
    for j in order:
        cap = bins[j].size - reserved[j]
        if cap <= 0:
            continue
        items = [u for u, unit in enumerate(units)
                 if choice[u] is None and unit.size <= cap and fits_bin(layout, unit, bins[j])]
        best = [0] * (cap + 1)
        keep = [[False] * (cap + 1) for _ in items]
        for i, u in enumerate(items):
            size, value = units[u].size, sum(units[u].weights)
            for c in range(cap, size - 1, -1):
                if best[c - size] + value > best[c]:
                    best[c] = best[c - size] + value
                    keep[i][c] = True
        c = cap
        for i in range(len(items) - 1, -1, -1):
            if keep[i][c]:
                u = items[i]
                choice[u] = j
                c -= units[u].size
                behind = layout.segments[bins[j].segment].behind
                if units[u].interpreters and behind in by_segment:
                    reserved[by_segment[behind][0]] += len(units[u].interpreters)
    return choice


def pack_bins(
    units: Sequence[Unit],
    layout: Layout,
    bins: Sequence[Bin],
    chosen: Sequence[int | None],
    room: Room,
    pairs: Sequence[tuple[int, int]],
) -> list[Block] | None:
    """Blocks for units assigned to bins: each bin filled contiguously from its end nearest
    the host, heaviest per seat first. None if a unit has no bin, or an interpreter or
    keep-apart rule breaks."""
    if any(j is None for j in chosen):
        return None
    occ = room.taken_copy()
    blocks: list[Block | None] = [None] * len(units)
    members: dict[int, list[int]] = {}
    for u, j in enumerate(chosen):
        if j is not None:
            members.setdefault(j, []).append(u)
    for j, us in members.items():
        b = bins[j]
        seats = layout.segments[b.segment].seats
        from_lo = layout.seats[seats[b.lo]].honour <= layout.seats[seats[b.hi - 1]].honour
        pos = b.lo if from_lo else b.hi
        for u in sorted(us, key=lambda u: -sum(units[u].weights) / units[u].size):
            size = units[u].size
            start = pos if from_lo else pos - size
            pos = pos + size if from_lo else pos - size
            blocks[u] = Block(b.segment, start)
            occ[b.segment][start : start + size] = u
    apart = _partners(pairs)
    out = []
    for u, block in enumerate(blocks):
        assert block is not None
        size = units[u].size
        if not _apart_ok(occ[block.segment], block.start, size, apart.get(u, set())) or touches(
            layout, block.segment, block.start, size, room.bans[u]
        ):
            return None
        if units[u].interpreters:
            shadows = free_shadows(layout, units[u], block.segment, block.start, occ)
            back = layout.segments[block.segment].behind
            if not shadows or back is None:
                return None
            occ[back][shadows[0] : shadows[0] + len(units[u].interpreters)] = u
            block = Block(block.segment, block.start, shadows[0])
        out.append(block)
    return out


def greedy(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    costs: Costs,
    room: Room,
    prefer: Sequence[int | None] | None = None,
) -> list[Block | None]:
    """Most senior unit first, each to its cheapest free block (in its preferred row
    if one is given and has room); None where no block is left."""
    occ = room.taken_copy()
    apart = _partners(pairs)
    blocks: list[Block | None] = [None] * len(units)
    passes = [True, False] if prefer is not None else [False]
    for preferred in passes:
        for u, unit in enumerate(units):
            if blocks[u] is not None:
                continue
            if preferred:
                assert prefer is not None
                if prefer[u] is None:
                    continue
                segments = [prefer[u]]
            else:
                segments = list(allowed(layout, unit))
            now = Room(tuple(occ), room.bans)
            block = _cheapest(layout, unit, u, segments, costs, now, apart.get(u, set()))
            if block is None:
                continue
            occ[block.segment][block.start : block.start + unit.size] = u
            if block.shadow is not None:
                back = layout.segments[block.segment].behind
                assert back is not None
                occ[back][block.shadow : block.shadow + len(unit.interpreters)] = u
            blocks[u] = block
    return blocks


def _partners(pairs: Sequence[tuple[int, int]]) -> dict[int, set[int]]:
    apart: dict[int, set[int]] = {}
    for a, b in pairs:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    return apart


def _cheapest(
    layout: Layout,
    unit: Unit,
    u: int,
    segments: Sequence[int | None],
    costs: Costs,
    room: Room,
    others: set[int],
) -> Block | None:
    best: tuple[int, Block] | None = None
    for k in segments:
        if k is None or k not in allowed(layout, unit):
            continue
        table = costs.table(unit, k)
        for st in sorted(free_starts(layout, unit, u, k, room), key=lambda s: table[s]):
            if best is not None and table[st] >= best[0]:
                break
            if not _apart_ok(room.occ[k], st, unit.size, others):
                continue
            shadows = free_shadows(layout, unit, k, st, room.occ) if unit.interpreters else []
            best = (int(table[st]), Block(k, st, shadows[0] if shadows else None))
            break
    return None if best is None else best[1]


def _apart_ok(occ: IntArray, st: int, size: int, others: set[int]) -> bool:
    left = int(occ[st - 1]) if st > 0 else -1
    right = int(occ[st + size]) if st + size < len(occ) else -1
    return left not in others and right not in others
