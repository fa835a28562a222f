"""Blocks: where a unit may sit, what each block costs, and the bins rows make.

A *block* is a run of consecutive seats of one row segment holding one unit
(a delegation). Pure functions over the layout; used by the heuristics and
the CP-SAT models alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from paradeops.protocol.tribunes import Layout, Segment

if TYPE_CHECKING:
    from paradeops.protocol.seating import Unit

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    segment: int
    start: int  # index of the block's first seat in the segment
    shadow: int | None = None  # first interpreter seat in the segment behind


class Costs:
    """Cost of each unit at each start of each segment (sorted honour windows · weights)."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self._windows: dict[tuple[int, int], IntArray] = {}
        self.honours = [
            np.array([layout.seats[i].honour for i in seg.seats], dtype=np.int64)
            for seg in layout.segments
        ]

    def table(self, unit: Unit, k: int) -> IntArray:
        key = (k, unit.size)
        if key not in self._windows:
            windows = sliding_window_view(self.honours[k], unit.size)
            self._windows[key] = np.sort(windows, axis=1)
        return self._windows[key] @ np.array(unit.weights, dtype=np.int64)


def columns(layout: Layout, seg: Segment) -> int:
    """Column of a segment's first seat (seats in a segment are in adjacent columns)."""
    return layout.seats[seg.seats[0]].column


def shadow_range(layout: Layout, unit: Unit, k: int, start: int) -> range:
    """Starts in the row behind for the unit's interpreters: right behind the principal
    (one interpreter) when that seat exists, else anywhere within the block's columns."""
    seg = layout.segments[k]
    if seg.behind is None:
        return range(0)
    back = layout.segments[seg.behind]
    m = len(unit.interpreters)
    lo = columns(layout, seg) + start - columns(layout, back)
    if m == 1:
        block = seg.seats[start : start + unit.size]
        by_honour = sorted(block, key=lambda i: layout.seats[i].honour)
        principal = by_honour[unit.members.index(unit.principals[0])]
        behind = layout.seats[principal].column - columns(layout, back)
        if 0 <= behind < len(back.seats):
            return range(behind, behind + 1)
    hi = lo + unit.size - m
    return range(max(lo, 0), min(hi, len(back.seats) - m) + 1)


def allowed(layout: Layout, unit: Unit) -> list[int]:
    """Segments a unit may sit in."""
    out = []
    for seg in layout.segments:
        if len(seg.seats) < unit.size:
            continue
        if unit.host and layout.host_seat not in seg.seats:
            continue
        if unit.interpreters and (
            seg.behind is None or len(layout.segments[seg.behind].seats) < len(unit.interpreters)
        ):
            continue
        out.append(seg.index)
    return out


def host_starts(layout: Layout, unit: Unit, k: int) -> range:
    seg = layout.segments[k]
    pos = seg.seats.index(layout.host_seat)
    return range(max(0, pos - unit.size + 1), min(pos, len(seg.seats) - unit.size) + 1)


@dataclass(frozen=True)
class Bin:
    """Free seats lo..hi-1 of a segment: a whole row, or one side of the host's block."""

    segment: int
    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo


def make_bins(
    units: Sequence[Unit], layout: Layout, costs: Costs
) -> tuple[list[Bin], Block | None]:
    """The rows to fill, with the host's unit fixed at its best block in the host's row."""
    host = next((u for u in units if u.host), None)
    fixed = None
    if host is not None and allowed(layout, host):
        k = allowed(layout, host)[0]
        table = costs.table(host, k)
        rng = host_starts(layout, host, k)
        start = min(rng, key=lambda st: table[st])
        fixed = Block(k, start)
    out = []
    for seg in layout.segments:
        if fixed is not None and seg.index == fixed.segment:
            assert host is not None
            parts = [(0, fixed.start), (fixed.start + host.size, len(seg.seats))]
            out += [Bin(seg.index, lo, hi) for lo, hi in parts if hi > lo]
        else:
            out.append(Bin(seg.index, 0, len(seg.seats)))
    return out, fixed


def fits_bin(layout: Layout, unit: Unit, b: Bin) -> bool:
    return unit.size <= b.size and b.segment in allowed(layout, unit)


def candidate_starts(layout: Layout, unit: Unit, k: int, costs: Costs) -> range:
    return host_starts(layout, unit, k) if unit.host else range(len(costs.table(unit, k)))
