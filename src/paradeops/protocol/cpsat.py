"""The CP-SAT model behind :mod:`paradeops.protocol.seating`, and its greedy start.

Variables, per unit u and row segment k it may sit in: a presence literal
x[u,k], a start position st[u,k] and an optional fixed-size interval; the
block's cost comes from a precomputed table indexed by the start (element
constraint). Per segment a NoOverlap over the blocks (and the interpreters'
blocks behind them). Exactly one segment per unit.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from ortools.sat.python import cp_model

from paradeops.protocol.tribunes import Layout, Segment

if TYPE_CHECKING:
    from paradeops.protocol.seating import Unit

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Block:
    segment: int
    start: int  # index of the block's first seat in the segment
    shadow: int | None = None  # first interpreter seat in the segment behind


@dataclass(frozen=True)
class Result:
    blocks: list[Block]
    status: str  # FEASIBLE (CP-SAT, both stages) or GREEDY (fallback)
    bound: int
    wall_time_s: float
    detail: str = ""  # each stage's CP-SAT status


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


def _fits(layout: Layout, unit: Unit, b: Bin) -> bool:
    return unit.size <= b.size and b.segment in allowed(layout, unit)


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
                 and _fits(layout, unit, bins[j])]
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


def _solver(time_limit_s: float, gap_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = gap_limit
    solver.parameters.subsolvers.extend(["max_lp", "core"])  # full LP: strong bounds
    solver.parameters.log_search_progress = bool(os.environ.get("PARADEOPS_CPSAT_LOG"))
    return solver


def choose_rows(
    units: Sequence[Unit],
    layout: Layout,
    costs: Costs,
    bins: Sequence[Bin],
    hint: Sequence[int | None],
    solver: cp_model.CpSolver,
) -> tuple[list[int | None], str] | None:
    """Stage 1: a bin (row, or side of the host) per unit, within capacity, at least cost.

    A unit's cost in a bin is its total weight × the bin's mean honour: it packs
    the heaviest delegations into the front rows nearest the host without
    pretending two of them can share the best block. The host's unit is fixed.
    """
    model = cp_model.CpModel()
    y: list[dict[int, cp_model.IntVar]] = []
    load: dict[int, list[tuple[int, cp_model.IntVar]]] = {}
    by_segment: dict[int, list[int]] = {}
    for j, b in enumerate(bins):
        by_segment.setdefault(b.segment, []).append(j)
    terms = []
    for u, unit in enumerate(units):
        y.append({})
        if unit.host:
            continue
        for j, b in enumerate(bins):
            if not _fits(layout, unit, b):
                continue
            mean = float(costs.honours[b.segment][b.lo : b.hi].mean())
            var = model.new_bool_var(f"y{u}_{j}")
            y[u][j] = var
            terms.append(round(sum(unit.weights) * mean) * var)
            load.setdefault(j, []).append((unit.size, var))
            back = layout.segments[b.segment].behind
            if unit.interpreters and back is not None and len(by_segment[back]) == 1:
                load.setdefault(by_segment[back][0], []).append((len(unit.interpreters), var))
            model.add_hint(var, hint[u] == j)
        if not y[u]:
            return None
        model.add_exactly_one(y[u].values())
    for j, items in load.items():
        model.add(sum(size * var for size, var in items) <= bins[j].size)
    model.minimize(sum(terms))
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    rows = [next((j for j, v in y[u].items() if solver.boolean_value(v)), None)
            for u in range(len(units))]
    return rows, solver.status_name(code)


#: Above this many (block, seat) terms the exact model gives way to two stages.
EXACT_LIMIT = 200_000


def candidate_starts(layout: Layout, unit: Unit, k: int, costs: Costs) -> range:
    return host_starts(layout, unit, k) if unit.host else range(len(costs.table(unit, k)))


def positional(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    costs: Costs,
    candidates: Sequence[Sequence[tuple[int, range]]],
    hint: Sequence[Block | None],
    lower_bound: int,
    solver: cp_model.CpSolver,
) -> tuple[list[Block], str, int] | None:
    """Blocks as literals: x[u,k,st] = unit u sits in segment k from seat st on.

    At most one literal covers each seat (and each interpreter seat behind);
    its linear relaxation is tight, so CP-SAT proves optimality quickly.
    ``candidates[u]`` lists the segments unit u may use with the starts allowed
    there (everything in the exact model, the bin chosen by stage 1 otherwise).
    """
    model = cp_model.CpModel()
    cover: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    x: list[dict[tuple[int, int], cp_model.IntVar]] = []
    z: list[dict[tuple[int, int], cp_model.IntVar]] = []
    terms = []
    for u, unit in enumerate(units):
        x.append({})
        z.append({})
        h = hint[u]
        for k, starts in candidates[u]:
            table = costs.table(unit, k)
            for st in starts:
                shadows = shadow_range(layout, unit, k, st) if unit.interpreters else range(1)
                if len(shadows) == 0:
                    continue
                var = model.new_bool_var(f"x{u}_{k}_{st}")
                x[u][k, st] = var
                terms.append(int(table[st]) * var)
                for j in range(st, st + unit.size):
                    cover.setdefault((k, j), []).append(var)
                model.add_hint(var, h is not None and (h.segment, h.start) == (k, st))
            if unit.interpreters:
                _shadows(model, layout, unit, u, k, x[u], z[u], cover, h)
        if not x[u]:
            return None
        model.add_exactly_one(x[u].values())
    for literals in cover.values():
        if len(literals) > 1:
            model.add_at_most_one(literals)
    for a, b in pairs:
        for (k, st), var in x[a].items():
            for other in (st + units[a].size, st - units[b].size):
                if (k, other) in x[b]:
                    model.add_bool_or([~var, ~x[b][k, other]])
    objective = sum(terms)
    model.add(objective >= lower_bound)  # redundant: lets the solver stop at the gap
    model.minimize(objective)
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    blocks = []
    for u in range(len(units)):
        k, st = next(key for key, var in x[u].items() if solver.boolean_value(var))
        shadow = next((sh for (kk, sh), var in z[u].items()
                       if kk == k and solver.boolean_value(var)), None)
        blocks.append(Block(k, st, shadow))
    return blocks, solver.status_name(code), int(solver.best_objective_bound)


def _shadows(
    model: cp_model.CpModel,
    layout: Layout,
    unit: Unit,
    u: int,
    k: int,
    xu: dict[tuple[int, int], cp_model.IntVar],
    zu: dict[tuple[int, int], cp_model.IntVar],
    cover: dict[tuple[int, int], list[cp_model.IntVar]],
    hint: Block | None,
) -> None:
    """Interpreter blocks in the row behind, each backed by a compatible main block."""
    back = layout.segments[k].behind
    if back is None:
        return
    m = len(unit.interpreters)
    backing: dict[int, list[cp_model.IntVar]] = {}
    for (kk, st), var in xu.items():
        if kk == k:
            for sh in shadow_range(layout, unit, k, st):
                backing.setdefault(sh, []).append(var)
    for sh, mains in backing.items():
        var = model.new_bool_var(f"z{u}_{k}_{sh}")
        zu[k, sh] = var
        model.add_bool_or([~var, *mains])
        for j in range(sh, sh + m):
            cover.setdefault((back, j), []).append(var)
        model.add_hint(var, hint is not None and (hint.segment, hint.shadow) == (k, sh))
    main = [var for (kk, _), var in xu.items() if kk == k]
    model.add(sum(zu[kk, sh] for (kk, sh) in zu if kk == k) == sum(main))


def solve(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    lower_bound: int,
    *,
    time_limit_s: float,
    gap_limit: float,
    workers: int,
    seed: int,
) -> Result | None:
    """The best blocks found within the time limit.

    Always the two stages (rows, then blocks in them); for problems small
    enough, the exact model then starts from their result and proves or
    improves it. Greedy seating as a last resort; None if nothing was found.
    """
    started = time.perf_counter()
    costs = Costs(layout)
    bins, host_block = make_bins(units, layout, costs)
    packed = knapsack_rows(units, layout, bins)
    prefer = [None if j is None else bins[j].segment for j in packed]
    first = greedy(units, layout, pairs, costs, prefer)
    complete = [b for b in first if b is not None]
    everywhere = [[(k, candidate_starts(layout, unit, k, costs)) for k in allowed(layout, unit)]
                  for unit in units]
    size = sum(len(starts) * unit.size
               for unit, cands in zip(units, everywhere, strict=True) for _, starts in cands)
    exact = size <= EXACT_LIMIT
    best: Result | None = None
    share = 0.3 if exact else 1.0  # the exact model, if any, gets the rest of the time
    staged = _two_stages(units, layout, pairs, costs, bins, host_block, packed, first,
                         lower_bound, started, started + share * time_limit_s,
                         gap_limit=gap_limit, workers=workers, seed=seed)
    if staged is not None:
        best = staged
    if exact and (best is None or _cost(units, layout, costs, best.blocks) > lower_bound):
        left = time_limit_s - (time.perf_counter() - started)
        hint = best.blocks if best is not None else first
        found = positional(units, layout, pairs, costs, everywhere, hint, lower_bound,
                           _solver(left, gap_limit, workers, seed))
        if found is not None:
            blocks, status, bound = found
            if best is None or _cost(units, layout, costs, blocks) <= _cost(
                units, layout, costs, best.blocks
            ):
                return Result(blocks, "FEASIBLE", bound, time.perf_counter() - started,
                              f"exact model: {status}")
            best = Result(best.blocks, best.status, bound, best.wall_time_s,
                          f"{best.detail}; exact model: {status}")
    if best is not None:
        return Result(best.blocks, best.status, best.bound, time.perf_counter() - started,
                      best.detail)
    if len(complete) == len(units):
        return Result(complete, "GREEDY", lower_bound, time.perf_counter() - started,
                      "CP-SAT found no arrangement in time; greedy seating")
    return None


def _cost(units: Sequence[Unit], layout: Layout, costs: Costs, blocks: Sequence[Block]) -> int:
    return sum(int(costs.table(u, b.segment)[b.start]) for u, b in zip(units, blocks, strict=True))


def _two_stages(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    costs: Costs,
    bins: Sequence[Bin],
    host_block: Block | None,
    packed: Sequence[int | None],
    first: Sequence[Block | None],
    lower_bound: int,
    started: float,
    deadline: float,
    *,
    gap_limit: float,
    workers: int,
    seed: int,
) -> Result | None:
    """Rows by CP-SAT (stage 1), then the blocks inside them (stage 2)."""
    stage1_time = 0.3 * (deadline - time.perf_counter())
    rows = choose_rows(units, layout, costs, bins, packed,
                       _solver(stage1_time, gap_limit, workers, seed))
    if rows is None:
        return None
    chosen, status1 = rows
    cands: list[list[tuple[int, range]]] = []
    for unit, j in zip(units, chosen, strict=True):
        if j is None:
            assert host_block is not None
            start = host_block.start
            cands.append([(host_block.segment, range(start, start + 1))])
        else:
            b = bins[j]
            cands.append([(b.segment, range(b.lo, b.hi - unit.size + 1))])
    packing = pack_bins(units, layout, bins, chosen, host_block, pairs)
    hint: Sequence[Block | None] = first if packing is None else packing
    left = deadline - time.perf_counter()
    placed = positional(units, layout, pairs, costs, cands, hint, lower_bound,
                        _solver(left, gap_limit, workers, seed))
    if placed is not None:
        blocks, status2, _ = placed  # its bound holds for these rows only
        return Result(blocks, "FEASIBLE", lower_bound, time.perf_counter() - started,
                      f"two stages: rows {status1}, seats {status2}")
    if packing is not None:
        return Result(packing, "FEASIBLE", lower_bound, time.perf_counter() - started,
                      f"two stages: rows {status1}, seats packed in order")
    return None
