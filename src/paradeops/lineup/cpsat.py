"""CP-SAT over the order of march: the rules exactly, the timing by a surrogate.

A place per unit (``AddInverse`` with a unit per place); each rule's
constraints are enforced by a literal of its own, so that rules that cannot
hold together can be named (assumptions, then deletion to a minimal set).
The surrogate of the timing objective: speed compatibility (a slower unit
ahead of a faster one holds it back, so each unit is drawn towards its
place in the order of falling speed) and, for window rules, the places
whose heads reach the checkpoint in the window at the column's mean
spacing. The local search (:mod:`paradeops.lineup.search`) then works on the
real timing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from paradeops.lineup.constraints import Constraints, IntArray, Pairs
from paradeops.lineup.greedy import greedy_order
from paradeops.timing import kernel

#: The longest a single deletion step of the conflict search may take [s].
CONFLICT_STEP_S = 5.0


class RulesConflict(Exception):
    """The rules cannot all hold: ``names`` is a minimal set of them that cannot."""

    def __init__(self, names: Sequence[str], minimal: bool) -> None:
        super().__init__(", ".join(names))
        self.names = list(names)
        #: False when a deletion step ran out of time: then a set, not proved minimal.
        self.minimal = minimal


@dataclass(frozen=True)
class Surrogate:
    order: IntArray
    #: "optimal" or "feasible": CP-SAT's status on the surrogate objective.
    status: str
    #: (objective − best bound) / objective of the surrogate; 0 when optimal.
    gap: float
    wall_time_s: float


class _Model:
    """Booleans ``x[u][p]``: unit ``u`` at place ``p``, for the units some rule names.

    The others (most units of a large parade) are interchangeable as far as
    the rules go: they fill the places left, in order of falling speed
    (:meth:`fill`). A fixed unit is a variable too, held at its place by its
    rule's literal, so that the conflict search can let it go.
    """

    def __init__(self, c: Constraints) -> None:
        self.c = c
        self.m = cp_model.CpModel()
        n = c.n
        named = {u for g in c.keep_order for u in g}
        named.update(u for r in c.pairs for u in (*r.ahead, *r.behind))
        named.update(u for w in c.windows for u in w.units)
        named.update(c.first + c.last)
        self.named = sorted(named)
        self.x: dict[int, dict[int, cp_model.IntVar]] = {
            u: {p: self.m.new_bool_var("") for p in range(n)} for u in self.named
        }
        for u in self.named:
            self.m.add_exactly_one(self.x[u].values())
        for p in range(n):
            self.m.add_at_most_one(self.x[u][p] for u in self.named)
        self.lits: dict[str, cp_model.IntVar] = {}
        self._rules()

    def _lit(self, name: str) -> cp_model.IntVar:
        self.lits[name] = self.m.new_bool_var(name)
        return self.lits[name]

    def place(self, u: int) -> Any:
        return sum(p * v for p, v in self.x[u].items())

    def at(self, units: Sequence[int], p: int) -> Any:
        """1 when one of ``units`` is at place ``p``."""
        return sum(self.x[u][p] for u in units)

    def _rules(self) -> None:
        c, fixed = self.c, self.c.fixed_places()
        for name, units in (("fixed.first", c.first), ("fixed.last", c.last)):
            if units:
                lit = self._lit(name)
                for u in units:
                    self.m.add(self.x[u][fixed[u]] == 1).only_enforce_if(lit)
        for g, group in enumerate(c.keep_order):
            lit = self._lit(f"keep_order[{g}]")
            for a, b in zip(group, group[1:], strict=False):
                self.m.add(self.place(a) + 1 <= self.place(b)).only_enforce_if(lit)
        for rule in c.pairs:
            self._pairs(rule, self._lit(rule.name))

    def _pairs(self, rule: Pairs, lit: cp_model.IntVar) -> None:
        """No unit of ``behind`` 1..within places after one of ``ahead`` (both ways: apart).

        Stated on running counts of ``ahead`` units (``count[q]``: how many are at
        places 0..q), so that each place takes one constraint of a few terms, not
        one per pair of places: the model stays linear in the parade's length
        whatever ``within`` is.
        """
        n, d = self.c.n, min(rule.within, self.c.n)
        if not rule.ahead or not rule.behind:
            return
        count = self._running_count(rule.ahead)

        def between(lo: int, hi: int) -> Any:  # ahead units at places lo..hi
            return count[hi] - (count[lo - 1] if lo > 0 else 0)

        if rule.both_ways:  # any within + 1 places in a row hold at most one of them
            for s in range(max(1, n - d)):
                self.m.add(between(s, min(n - 1, s + d)) <= 1).only_enforce_if(lit)
            return
        big = len(rule.ahead)
        for p in range(1, n):
            ahead = between(max(0, p - d), p - 1)
            self.m.add(ahead + big * self.at(rule.behind, p) <= big).only_enforce_if(lit)

    def _running_count(self, units: Sequence[int]) -> list[cp_model.IntVar]:
        """``count[q]``: how many of ``units`` stand at places 0..q."""
        count: list[cp_model.IntVar] = []
        for q in range(self.c.n):
            var = self.m.new_int_var(0, len(units), "")
            self.m.add(var == (count[-1] if count else 0) + self.at(units, q))
            count.append(var)
        return count

    def surrogate(self, units: kernel.ColumnUnits, route: kernel.RouteLimits) -> None:
        """Minimise the distance of every named unit from its place in falling speed,
        and of every window unit from the places that reach the window in time."""
        n = self.c.n
        wanted = _speed_places(units)
        cost = {u: {p: abs(p - int(wanted[u])) for p in range(n)} for u in self.named}
        headway = float(np.mean((units.length_m + units.gap_m) / units.speed_ms))
        speed = float(np.mean(units.speed_ms))
        for w in self.c.windows:
            travel = float(route.checkpoints_m[w.checkpoint]) / speed
            lo = int(np.clip(np.ceil((w.lo_s - travel) / headway), 0, n - 1))
            hi = int(np.clip(np.floor((w.hi_s - travel) / headway), lo, n - 1))
            for u in w.units:
                for p in range(n):
                    cost[u][p] += n * max(0, lo - p, p - hi)
        self.m.minimize(sum(cost[u][p] * v for u in self.named for p, v in self.x[u].items()))

    def hint(self, order: IntArray) -> None:
        """Start CP-SAT's search from ``order``."""
        place = {int(u): p for p, u in enumerate(order)}
        for u in self.named:
            for p, v in self.x[u].items():
                self.m.add_hint(v, place[u] == p)

    def order(self, solver: cp_model.CpSolver) -> IntArray:
        """The solution's order: the named units where placed, -1 for the places left."""
        order = np.full(self.c.n, -1, dtype=np.int64)
        for u in self.named:
            order[next(p for p, v in self.x[u].items() if solver.boolean_value(v))] = u
        return order

    def fill(self, order: IntArray, units: kernel.ColumnUnits) -> IntArray:
        """The places left, filled by the other units in order of falling speed."""
        placed = set(order[order >= 0].tolist())
        rest = [u for u in np.argsort(-units.speed_ms, kind="stable") if u not in placed]
        order[order < 0] = rest
        return order


def _speed_places(units: kernel.ColumnUnits) -> IntArray:
    """Each unit's place in the order of falling speed (the plan's order among equals)."""
    by_speed = np.argsort(-units.speed_ms, kind="stable")
    wanted = np.empty(len(by_speed), dtype=np.int64)
    wanted[by_speed] = np.arange(len(by_speed))
    return wanted


def _solver(time_limit_s: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def first_order(
    c: Constraints,
    units: kernel.ColumnUnits,
    route: kernel.RouteLimits,
    *,
    time_limit_s: float,
    workers: int = 2,
    seed: int = 0,
) -> Surrogate:
    """An order that keeps every rule, best on the surrogate within the time limit.

    Raises :class:`RulesConflict` when the rules cannot all hold, and
    TimeoutError when CP-SAT found neither an order nor a proof in time.
    """
    if _impossible_alone(c) is not None:
        raise conflict(c, time_limit_s=time_limit_s, seed=seed)
    model = _Model(c)
    for lit in model.lits.values():
        model.m.add(lit == 1)
    model.surrogate(units, route)
    greedy = greedy_order(c, units.speed_ms)
    if greedy is not None:
        model.hint(greedy)
    started = time.perf_counter()
    solver = _solver(time_limit_s, workers, seed)
    status = solver.solve(model.m)
    wall = time.perf_counter() - started
    if status == cp_model.INFEASIBLE:
        raise conflict(c, time_limit_s=time_limit_s, seed=seed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if greedy is not None:  # CP-SAT's hint, which it had no time to improve: no bound
            return Surrogate(greedy, "feasible", 1.0, wall)
        raise TimeoutError(f"CP-SAT found no order in {time_limit_s:g} s")
    order = model.fill(model.order(solver), units)
    value, bound = solver.objective_value, solver.best_objective_bound
    optimal = status == cp_model.OPTIMAL
    gap = 0.0 if optimal else abs(value - bound) / max(1.0, abs(value))
    return Surrogate(order, "optimal" if optimal else "feasible", gap, wall)


def conflict(c: Constraints, *, time_limit_s: float, seed: int = 0) -> RulesConflict:
    """A minimal set of rules that cannot hold together.

    CP-SAT's core (``sufficient_assumptions_for_infeasibility``) is a set that
    conflicts; each rule of it is then left out in turn, and dropped for good
    when the rest still conflict (deletion), so that every rule named is needed.
    """
    impossible = _impossible_alone(c)
    if impossible is not None:
        return RulesConflict([impossible], minimal=True)
    model = _Model(c)
    names = list(model.lits)
    deadline = time.perf_counter() + time_limit_s
    core = _core(model, names, time_limit_s, seed)
    if core is None:  # no proof in time: every rule, not shrunk
        return RulesConflict(names, minimal=False)
    minimal = True
    for name in list(core):
        left = deadline - time.perf_counter()
        if left <= 0:  # the time is up: the set as far as it shrank
            minimal = False
            break
        rest = [r for r in core if r != name]
        status = _solve_with(model, rest, min(CONFLICT_STEP_S, left), seed)
        if status == cp_model.INFEASIBLE:
            core = rest
        elif status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            minimal = False
    return RulesConflict([n for n in names if n in core], minimal=minimal)


def _impossible_alone(c: Constraints) -> str | None:
    """An ``apart`` rule whose units cannot fit the parade however it is ordered.

    ``k`` units with at least ``d`` others between each two need
    ``(k - 1) * (d + 1) + 1`` places; no solver need be asked (and a model of
    such a rule over a long parade is large for nothing).
    """
    for rule in c.pairs:
        k = len(rule.ahead)
        if rule.both_ways and k > 1 and (k - 1) * (rule.within + 1) + 1 > c.n:
            return rule.name
    return None


def _core(model: _Model, names: list[str], time_limit_s: float, seed: int) -> list[str] | None:
    model.m.clear_assumptions()
    model.m.add_assumptions([model.lits[n] for n in names])
    solver = _solver(time_limit_s, 1, seed)  # cores come from the one-worker search
    if solver.solve(model.m) != cp_model.INFEASIBLE:
        return None
    by_index = {model.lits[n].index: n for n in names}
    found = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()]
    return found or names


def _solve_with(model: _Model, names: list[str], time_limit_s: float, seed: int) -> int:
    model.m.clear_assumptions()
    model.m.add_assumptions([model.lits[n] for n in names])
    return int(_solver(time_limit_s, 1, seed).solve(model.m))
