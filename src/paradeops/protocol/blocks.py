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


@dataclass(frozen=True)
class Room:
    """What the second stage may still use.

    ``occ[k][i]`` is -1 for a free seat of segment k, ``TAKEN`` for a seat given in
    the first stage; ``bans[u]`` holds the seats a block of unit u must not touch
    (its keep-apart partners already seated).
    """

    occ: tuple[IntArray, ...]
    bans: tuple[frozenset[int], ...]

    def taken_copy(self) -> list[IntArray]:
        return [row.copy() for row in self.occ]


#: Marks a seat of ``Room.occ`` given in the first stage (never a unit index).
TAKEN = -2


def touches(layout: Layout, k: int, start: int, size: int, banned: frozenset[int]) -> bool:
    """Whether the block of ``size`` seats at ``start`` of segment k sits beside a banned seat."""
    if not banned:
        return False
    seats = layout.segments[k].seats
    left = seats[start - 1] if start > 0 else None
    right = seats[start + size] if start + size < len(seats) else None
    return left in banned or right in banned


def allowed(layout: Layout, unit: Unit) -> list[int]:
    """Segments a unit may sit in (long enough, with a row behind for interpreters)."""
    out = []
    for seg in layout.segments:
        if len(seg.seats) < unit.size:
            continue
        if unit.interpreters and (
            seg.behind is None or len(layout.segments[seg.behind].seats) < len(unit.interpreters)
        ):
            continue
        out.append(seg.index)
    return out


def free_shadows(
    layout: Layout, unit: Unit, k: int, start: int, occ: Sequence[IntArray]
) -> list[int]:
    """Interpreter starts behind the block that the rule allows and that are free."""
    back = layout.segments[k].behind
    if back is None:
        return []
    m = len(unit.interpreters)
    return [sh for sh in shadow_range(layout, unit, k, start)
            if (occ[back][sh : sh + m] == -1).all()]


def free_starts(layout: Layout, unit: Unit, u: int, k: int, room: Room) -> list[int]:
    """Starts in segment k where unit u's block is free, beside no banned seat, and
    (with interpreters) has free seats behind as the rule asks."""
    free = room.occ[k] == -1
    if len(free) < unit.size:
        return []
    run = sliding_window_view(free, unit.size).all(axis=1)
    out = []
    for st in np.flatnonzero(run):
        start = int(st)
        if touches(layout, k, start, unit.size, room.bans[u]):
            continue
        if unit.interpreters and not free_shadows(layout, unit, k, start, room.occ):
            continue
        out.append(start)
    return out


@dataclass(frozen=True)
class Bin:
    """Free seats lo..hi-1 of a segment: a run of free seats of one row."""

    segment: int
    lo: int
    hi: int

    @property
    def size(self) -> int:
        return self.hi - self.lo


def make_bins(layout: Layout, room: Room) -> list[Bin]:
    """The runs of free seats, row by row: what the second stage fills."""
    out = []
    for seg in layout.segments:
        free = room.occ[seg.index] == -1
        lo = None
        for i, is_free in enumerate([*free.tolist(), False]):
            if is_free and lo is None:
                lo = i
            elif not is_free and lo is not None:
                out.append(Bin(seg.index, lo, i))
                lo = None
    return out


def fits_bin(layout: Layout, unit: Unit, b: Bin) -> bool:
    return unit.size <= b.size and b.segment in allowed(layout, unit)
