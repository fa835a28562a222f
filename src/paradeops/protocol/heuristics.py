"""Constructive seatings: bins filled by knapsack, blocks packed in order, greedy.

They give CP-SAT its first solutions, and the answer when it finds none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from paradeops.protocol.blocks import (
    Bin,
    Block,
    Costs,
    IntArray,
    allowed,
    fits_bin,
    host_starts,
    shadow_range,
)
from paradeops.protocol.tribunes import Layout

if TYPE_CHECKING:
    from paradeops.protocol.seating import Unit


def knapsack_rows(units: Sequence[Unit], layout: Layout, bins: Sequence[Bin]) -> list[int | None]:
    """A bin for each unit (but the host's): bins in honour order, each filled (0/1
    knapsack) with the heaviest set of remaining units that fits — no hole in front."""
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
                 if choice[u] is None and not unit.host and unit.size <= cap
                 and fits_bin(layout, unit, bins[j])]
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
                if units[u].interpreters and behind is not None:
                    reserved[by_segment[behind][0]] += len(units[u].interpreters)
    return choice


def pack_bins(
    units: Sequence[Unit],
    layout: Layout,
    bins: Sequence[Bin],
    chosen: Sequence[int | None],
    host_block: Block | None,
    pairs: Sequence[tuple[int, int]],
) -> list[Block] | None:
    """Blocks for units assigned to bins: each bin filled contiguously from its end nearest
    the host, heaviest per seat first. None if an interpreter or keep-apart rule breaks."""
    occ = [np.full(len(seg.seats), -1, dtype=np.int64) for seg in layout.segments]
    blocks: list[Block | None] = [None] * len(units)
    if host_block is not None:
        h = next(u for u, unit in enumerate(units) if unit.host)
        blocks[h] = host_block
        occ[host_block.segment][host_block.start : host_block.start + units[h].size] = h
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
    if any(block is None for block in blocks):
        return None
    apart: dict[int, set[int]] = {}
    for a, c in pairs:
        apart.setdefault(a, set()).add(c)
        apart.setdefault(c, set()).add(a)
    out = []
    for u, block in enumerate(blocks):
        assert block is not None
        if not _apart_ok(occ[block.segment], block.start, units[u].size, apart.get(u, set())):
            return None
        if units[u].interpreters:
            shadow = _free_shadow(layout, units[u], block.segment, block.start, occ)
            back = layout.segments[block.segment].behind
            if shadow is None or back is None:
                return None
            occ[back][shadow : shadow + len(units[u].interpreters)] = u
            block = Block(block.segment, block.start, shadow)
        out.append(block)
    return out


def greedy(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    costs: Costs,
    prefer: Sequence[int | None] | None = None,
) -> list[Block | None]:
    """Most senior unit first, each to its cheapest free block (in its preferred row
    if one is given and has room); None where no block is left."""
    occ = [np.full(len(s.seats), -1, dtype=np.int64) for s in layout.segments]
    apart: dict[int, set[int]] = {}
    for a, b in pairs:
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
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
                block = _cheapest(layout, unit, u, [prefer[u]], costs, occ, apart)
            else:
                block = _cheapest(layout, unit, u, allowed(layout, unit), costs, occ, apart)
            if block is None:
                continue
            occ[block.segment][block.start : block.start + unit.size] = u
            if block.shadow is not None:
                back = layout.segments[block.segment].behind
                assert back is not None
                occ[back][block.shadow : block.shadow + len(unit.interpreters)] = u
            blocks[u] = block
    return blocks


def _cheapest(
    layout: Layout,
    unit: Unit,
    u: int,
    segments: Sequence[int | None],
    costs: Costs,
    occ: list[IntArray],
    apart: dict[int, set[int]],
) -> Block | None:
    best: tuple[int, Block] | None = None
    for k in segments:
        if k is None:
            continue
        table = costs.table(unit, k)
        free = occ[k] < 0
        run: NDArray[np.bool_] = np.asarray(
            sliding_window_view(free, unit.size).all(axis=1), dtype=bool
        )
        starts = host_starts(layout, unit, k) if unit.host else range(len(run))
        for st in sorted((s for s in starts if run[s]), key=lambda s: table[s]):
            if best is not None and table[st] >= best[0]:
                break
            if not _apart_ok(occ[k], st, unit.size, apart.get(u, set())):
                continue
            shadow = _free_shadow(layout, unit, k, st, occ) if unit.interpreters else None
            if unit.interpreters and shadow is None:
                continue
            best = (int(table[st]), Block(k, st, shadow))
            break
    return None if best is None else best[1]


def _apart_ok(occ: IntArray, st: int, size: int, others: set[int]) -> bool:
    left = int(occ[st - 1]) if st > 0 else -1
    right = int(occ[st + size]) if st + size < len(occ) else -1
    return left not in others and right not in others


def _free_shadow(
    layout: Layout, unit: Unit, k: int, st: int, occ: list[IntArray]
) -> int | None:
    back = layout.segments[k].behind
    assert back is not None
    m = len(unit.interpreters)
    for sh in shadow_range(layout, unit, k, st):
        if (occ[back][sh : sh + m] < 0).all():
            return sh
    return None
