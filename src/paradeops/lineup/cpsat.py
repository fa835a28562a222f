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
    (:meth:`order`). Fixed units are not variables: their places are taken.
    """

    def __init__(self, c: Constraints) -> None:
        self.c = c
        self.m = cp_model.CpModel()
        n = c.n
        named = {u for g in c.keep_order for u in g}
        named.update(u for r in c.pairs for u in (*r.ahead, *r.behind))
        named.update(u for w in c.windows for u in w.units)
        self.fixed = c.fixed_places()
        self.named = sorted(named - set(self.fixed))
        self.taken = set(self.fixed.values())
        self.free_places = [p for p in range(n) if p not in self.taken]
        self.x: dict[int, dict[int, cp_model.IntVar]] = {
            u: {p: self.m.new_bool_var("") for p in self.free_places} for u in self.named
        }
        for u in self.named:
            self.m.add_exactly_one(self.x[u].values())
        for p in self.free_places:
            self.m.add_at_most_one(self.x[u][p] for u in self.named)
        self.lits: dict[str, cp_model.IntVar] = {}
        self._rules()

    def _lit(self, name: str) -> cp_model.IntVar:
        self.lits[name] = self.m.new_bool_var(name)
        return self.lits[name]

    def place(self, u: int) -> Any:
        if u in self.fixed:
            return self.fixed[u]
        return sum(p * v for p, v in self.x[u].items())

    def at(self, units: Sequence[int], p: int) -> Any:
        """1 when one of ``units`` is at place ``p``: a fixed one, or a variable."""
        if p in self.taken:
            return int(any(self.fixed.get(u) == p for u in units))
        return sum(self.x[u][p] for u in units if u in self.x)

    def _rules(self) -> None:
        c = self.c
        # fixed: each fixed unit's place is taken; the rule's literal is the conflict
        # search's handle on it (a fixed unit that another rule wants elsewhere).
        for name, units in (("fixed.first", c.first), ("fixed.last", c.last)):
            if units:
                self._lit(name)
        for g, group in enumerate(c.keep_order):
            lit = self._lit(f"keep_order[{g}]")
            for a, b in zip(group, group[1:], strict=False):
                self._enforce(self.place(a) + 1 <= self.place(b), lit, (a, b))
        for rule in c.pairs:
            self._pairs(rule, self._lit(rule.name))

    def _enforce(self, ct: Any, lit: cp_model.IntVar, units: Sequence[int]) -> None:
        """``ct`` under ``lit``, and under the fixed rules of the fixed ``units`` it names."""
        if isinstance(ct, bool):
            if not ct:
                self.m.add_bool_or([self._fixed_lit(u).negated() for u in units if u in self.fixed]
                                 + [lit.negated()])  # fmt: skip
            return
        self.m.add(ct).only_enforce_if(
            [lit, *(self._fixed_lit(u) for u in units if u in self.fixed)]
        )

    def _fixed_lit(self, u: int) -> cp_model.IntVar:
        return self.lits["fixed.first" if u in self.c.first else "fixed.last"]

    def _pairs(self, rule: Pairs, lit: cp_model.IntVar) -> None:
        """No unit of ``behind`` 1..within places after one of ``ahead`` (both ways: apart)."""
        n, d = self.c.n, rule.within
        if rule.both_ways:  # any within + 1 places in a row hold at most one of them
            for s in range(max(1, n - d)):
                window = range(s, min(n, s + d + 1))
                fixed_in = [u for u in rule.ahead if self.fixed.get(u) in window]
                self._enforce(sum(self.at(rule.ahead, p) for p in window) <= 1, lit, fixed_in)
            return
        for p in range(n):
            for q in range(max(0, p - d), p):
                fixed_in = [u for u in (*rule.ahead, *rule.behind) if self.fixed.get(u) in (p, q)]
                self._enforce(self.at(rule.behind, p) + self.at(rule.ahead, q) <= 1, lit,
                              fixed_in)  # fmt: skip

    def surrogate(self, units: kernel.ColumnUnits, route: kernel.RouteLimits) -> None:
        """Minimise the distance of every named unit from its place in falling speed,
        and of every window unit from the places that reach the window in time."""
        n = self.c.n
        wanted = _speed_places(units)
        cost = {u: {p: abs(p - int(wanted[u])) for p in self.free_places} for u in self.named}
        headway = float(np.mean((units.length_m + units.gap_m) / units.speed_ms))
        speed = float(np.mean(units.speed_ms))
        for w in self.c.windows:
            travel = float(route.checkpoints_m[w.checkpoint]) / speed
            lo = int(np.clip(np.ceil((w.lo_s - travel) / headway), 0, n - 1))
            hi = int(np.clip(np.floor((w.hi_s - travel) / headway), lo, n - 1))
            for u in w.units:
                if u in cost:
                    for p in self.free_places:
                        cost[u][p] += n * max(0, lo - p, p - hi)
        self.m.minimize(sum(cost[u][p] * v for u in self.named for p, v in self.x[u].items()))

    def order(self, solver: cp_model.CpSolver) -> IntArray:
        """The solution's order: fixed and named units where placed, the rest by speed."""
        n = self.c.n
        order = np.full(n, -1, dtype=np.int64)
        for u, p in self.fixed.items():
            order[p] = u
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
    model = _Model(c)
    for lit in model.lits.values():
        model.m.add(lit == 1)
    model.surrogate(units, route)
    started = time.perf_counter()
    solver = _solver(time_limit_s, workers, seed)
    status = solver.solve(model.m)
    wall = time.perf_counter() - started
    if status == cp_model.INFEASIBLE:
        raise conflict(c, time_limit_s=time_limit_s, seed=seed)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
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
    model = _Model(c)
    names = list(model.lits)
    core = _core(model, names, time_limit_s, seed)
    if core is None:  # no proof in time: every rule, not shrunk
        return RulesConflict(names, minimal=False)
    minimal = True
    for name in list(core):
        rest = [r for r in core if r != name]
        status = _solve_with(model, rest, min(CONFLICT_STEP_S, time_limit_s), seed)
        if status == cp_model.INFEASIBLE:
            core = rest
        elif status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            minimal = False
    return RulesConflict([n for n in names if n in core], minimal=minimal)


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
