"""The CP-SAT models of the second stage of :mod:`paradeops.protocol.seating`.

The precedence seats are already given (``Room``: seats taken, seats a unit
must not touch). *Rows* (``choose_rows``): a bin (a run of free seats of a
row) per unit, within capacities. *Positional model* (``positional``): one
literal per possible block, at most one block per seat; restricted to the
chosen bins, or over every row (the exact model) when small enough.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from paradeops.protocol.blocks import (
    Bin,
    Block,
    Costs,
    Room,
    allowed,
    fits_bin,
    free_shadows,
    free_starts,
    make_bins,
)
from paradeops.protocol.heuristics import greedy, knapsack_rows, pack_bins
from paradeops.protocol.tribunes import Layout

if TYPE_CHECKING:
    from paradeops.protocol.seating import Unit

__all__ = ["EXACT_LIMIT", "Block", "Result", "solve"]


@dataclass(frozen=True)
class Result:
    blocks: list[Block]
    status: str  # FEASIBLE (CP-SAT) or GREEDY (fallback); the caller compares with the bound
    bound: int
    wall_time_s: float
    detail: str = ""  # each step's CP-SAT status


def _solver(time_limit_s: float, gap_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.relative_gap_limit = gap_limit
    solver.parameters.subsolvers.extend(["max_lp", "core"])  # full LP: strong bounds
    return solver


def choose_rows(
    units: Sequence[Unit],
    layout: Layout,
    costs: Costs,
    bins: Sequence[Bin],
    hint: Sequence[int | None],
    solver: cp_model.CpSolver,
) -> tuple[list[int | None], str] | None:
    """A bin (run of free seats of a row) per unit, within capacity, at least cost.

    A unit's cost in a bin is its total weight × the bin's mean honour: it packs
    the heaviest delegations into the front rows nearest the host without
    pretending two of them can share the best block.
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
        for j, b in enumerate(bins):
            if not fits_bin(layout, unit, b):
                continue
            mean = float(costs.honours[b.segment][b.lo : b.hi].mean())
            var = model.new_bool_var(f"y{u}_{j}")
            y[u][j] = var
            terms.append(round(sum(unit.weights) * mean) * var)
            load.setdefault(j, []).append((unit.size, var))
            back = layout.segments[b.segment].behind
            if unit.interpreters and back in by_segment and len(by_segment[back]) == 1:
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


#: Above this many (block, seat) terms the exact model gives way to two steps.
EXACT_LIMIT = 200_000


def positional(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    costs: Costs,
    candidates: Sequence[Sequence[tuple[int, Sequence[int]]]],
    hint: Sequence[Block | None],
    lower_bound: int,
    room: Room,
    solver: cp_model.CpSolver,
) -> tuple[list[Block], str, int] | None:
    """Blocks as literals: x[u,k,st] = unit u sits in segment k from seat st on.

    At most one literal covers each seat (and each interpreter seat behind);
    its linear relaxation is tight, so CP-SAT proves optimality quickly.
    ``candidates[u]`` lists the segments unit u may use with the starts allowed
    there (everything in the exact model, the chosen bin otherwise).
    """
    model = cp_model.CpModel()
    literals = _block_literals(model, units, layout, costs, candidates, hint, room)
    if literals is None:
        return None
    x, z, terms = literals
    _keep_apart(model, units, pairs, x)
    objective = sum(terms)
    model.add(objective >= lower_bound)  # redundant: lets the solver stop at the gap
    model.minimize(objective)
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return _chosen_blocks(solver, x, z), solver.status_name(code), int(solver.best_objective_bound)


Literals = list[dict[tuple[int, int], cp_model.IntVar]]


def _block_literals(
    model: cp_model.CpModel,
    units: Sequence[Unit],
    layout: Layout,
    costs: Costs,
    candidates: Sequence[Sequence[tuple[int, Sequence[int]]]],
    hint: Sequence[Block | None],
    room: Room,
) -> tuple[Literals, Literals, list[cp_model.LinearExprT]] | None:
    """Each unit in exactly one block, each seat in at most one: (x, z, cost terms).

    ``x[u][k, st]`` is unit u's block in segment k from seat st, ``z[u][k, sh]``
    its interpreters' seats behind; None if some unit has no block at all.
    """
    cover: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    x: Literals = []
    z: Literals = []
    terms: list[cp_model.LinearExprT] = []
    for u, unit in enumerate(units):
        x.append({})
        z.append({})
        h = hint[u]
        for k, starts in candidates[u]:
            table = costs.table(unit, k)
            for st in starts:
                var = model.new_bool_var(f"x{u}_{k}_{st}")
                x[u][k, st] = var
                terms.append(int(table[st]) * var)
                for j in range(st, st + unit.size):
                    cover.setdefault((k, j), []).append(var)
                model.add_hint(var, h is not None and (h.segment, h.start) == (k, st))
            if unit.interpreters:
                _shadows(model, layout, unit, u, k, x[u], z[u], cover, h, room)
        if not x[u]:
            return None
        model.add_exactly_one(x[u].values())
    for on_seat in cover.values():
        if len(on_seat) > 1:
            model.add_at_most_one(on_seat)
    return x, z, terms


def _keep_apart(
    model: cp_model.CpModel, units: Sequence[Unit], pairs: Sequence[tuple[int, int]], x: Literals
) -> None:
    """Units a and b of each pair never sit side by side in a row (either way round)."""
    for a, b in pairs:
        for (k, st), var in x[a].items():
            for other in (st + units[a].size, st - units[b].size):
                if (k, other) in x[b]:
                    model.add_bool_or([~var, ~x[b][k, other]])


def _chosen_blocks(solver: cp_model.CpSolver, x: Literals, z: Literals) -> list[Block]:
    blocks = []
    for u in range(len(x)):
        k, st = next(key for key, var in x[u].items() if solver.boolean_value(var))
        shadow = next((sh for (kk, sh), var in z[u].items()
                       if kk == k and solver.boolean_value(var)), None)
        blocks.append(Block(k, st, shadow))
    return blocks


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
    room: Room,
) -> None:
    """Interpreter blocks in the row behind, each backed by a compatible main block."""
    back = layout.segments[k].behind
    if back is None:
        return
    m = len(unit.interpreters)
    backing: dict[int, list[cp_model.IntVar]] = {}
    for (kk, st), var in xu.items():
        if kk == k:
            for sh in free_shadows(layout, unit, k, st, room.occ):
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
    room: Room,
    *,
    time_limit_s: float,
    gap_limit: float,
    workers: int,
    seed: int,
) -> Result | None:
    """The best blocks found within the time limit for ``units`` in the free seats.

    Always the two steps (rows, then blocks in them); for problems small
    enough, the exact model then starts from their result and proves or
    improves it. Greedy seating as a last resort; None if nothing was found.
    """
    started = time.perf_counter()
    costs = Costs(layout)
    bins = make_bins(layout, room)
    packed = knapsack_rows(units, layout, bins)
    prefer = [None if j is None else bins[j].segment for j in packed]
    first = greedy(units, layout, pairs, costs, room, prefer)
    complete = [b for b in first if b is not None]
    everywhere = [[(k, free_starts(layout, unit, u, k, room)) for k in allowed(layout, unit)]
                  for u, unit in enumerate(units)]
    size = sum(len(starts) * unit.size
               for unit, cands in zip(units, everywhere, strict=True) for _, starts in cands)
    exact = size <= EXACT_LIMIT
    best: Result | None = None
    share = 0.3 if exact else 1.0  # the exact model, if any, gets the rest of the time
    staged = _two_steps(units, layout, pairs, costs, bins, packed, first, lower_bound, room,
                        started, started + share * time_limit_s,
                        gap_limit=gap_limit, workers=workers, seed=seed)
    if staged is not None:
        best = staged
    if exact and (best is None or _cost(units, costs, best.blocks) > lower_bound):
        left = time_limit_s - (time.perf_counter() - started)
        hint = best.blocks if best is not None else first
        found = positional(units, layout, pairs, costs, everywhere, hint, lower_bound, room,
                           _solver(left, gap_limit, workers, seed))
        if found is not None:
            blocks, status, bound = found
            if best is None or _cost(units, costs, blocks) <= _cost(units, costs, best.blocks):
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


def _cost(units: Sequence[Unit], costs: Costs, blocks: Sequence[Block]) -> int:
    return sum(int(costs.table(u, b.segment)[b.start]) for u, b in zip(units, blocks, strict=True))


def _two_steps(
    units: Sequence[Unit],
    layout: Layout,
    pairs: Sequence[tuple[int, int]],
    costs: Costs,
    bins: Sequence[Bin],
    packed: Sequence[int | None],
    first: Sequence[Block | None],
    lower_bound: int,
    room: Room,
    started: float,
    deadline: float,
    *,
    gap_limit: float,
    workers: int,
    seed: int,
) -> Result | None:
    """Rows by CP-SAT, then the blocks inside them."""
    rows_time = 0.3 * (deadline - time.perf_counter())
    rows = choose_rows(units, layout, costs, bins, packed,
                       _solver(rows_time, gap_limit, workers, seed))
    if rows is None:
        return None
    chosen, status1 = rows
    cands: list[list[tuple[int, list[int]]]] = []
    for u, (unit, j) in enumerate(zip(units, chosen, strict=True)):
        assert j is not None  # choose_rows gives every unit a bin
        b = bins[j]
        inside = [st for st in free_starts(layout, unit, u, b.segment, room)
                  if b.lo <= st <= b.hi - unit.size]
        cands.append([(b.segment, inside)])
    packing = pack_bins(units, layout, bins, chosen, room, pairs)
    hint: Sequence[Block | None] = first if packing is None else packing
    left = deadline - time.perf_counter()
    placed = positional(units, layout, pairs, costs, cands, hint, lower_bound, room,
                        _solver(left, gap_limit, workers, seed))
    if placed is not None:
        blocks, status2, _ = placed  # its bound holds for these rows only
        return Result(blocks, "FEASIBLE", lower_bound, time.perf_counter() - started,
                      f"two steps: rows {status1}, seats {status2}")
    if packing is not None:
        return Result(packing, "FEASIBLE", lower_bound, time.perf_counter() - started,
                      f"two steps: rows {status1}, seats packed in order")
    return None
