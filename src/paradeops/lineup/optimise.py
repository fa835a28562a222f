"""``lineup(plan, rules)``: CP-SAT's order on the surrogate, improved on the real timing.

The time limit is shared: a third for CP-SAT, the rest for the local search
(loading the compiled kernel comes before it).
The search starts from CP-SAT's order, or from the plan's own when that keeps
every rule and times better. The status and gap reported are CP-SAT's, on
its surrogate objective; the local search has no bound to prove.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from paradeops.extras import installed
from paradeops.lineup.constraints import Constraints, IntArray, broken, closest, places_of
from paradeops.lineup.cpsat import first_order
from paradeops.lineup.rules import Rules
from paradeops.lineup.scoring import Figures, Kernel, Scorer
from paradeops.lineup.search import Searched, improve
from paradeops.model.plan import AircraftUnit, Plan
from paradeops.timing import kernel

#: Share of the time limit CP-SAT gets; the local search has the rest.
CPSAT_SHARE = 1 / 3


@dataclass(frozen=True)
class RuleReport:
    rule: str
    satisfied: bool
    #: Holds with nothing to spare: one place (or one unit's headway) less would break it.
    binding: bool


@dataclass(frozen=True)
class Lineup:
    """The new order and what it changes."""

    #: Every unit id of the plan in the new order (aircraft keep their places).
    order: list[str]
    before: Figures
    after: Figures
    rules: list[RuleReport]
    #: CP-SAT's status on the surrogate objective: "optimal" or "feasible".
    status: str
    gap: float
    search: Searched
    cpsat_s: float


def column_kernel() -> Kernel:
    """The compiled column kernel when numba is installed (the ``optimise`` extra)."""
    if installed("numba"):
        return kernel.compiled().schedule_column  # type: ignore[no-any-return]
    return kernel.schedule_column


def lineup(
    plan: Plan,
    rules: Rules,
    constraints: Constraints,
    *,
    time_limit_s: float = 20.0,
    seed: int = 0,
    workers: int = 2,
    max_evaluations: int | None = None,
    column: Kernel | None = None,
) -> Lineup:
    """The best order found within ``time_limit_s`` (RulesConflict if none can exist)."""
    scorer = Scorer(plan, constraints, rules.objective, column or column_kernel())
    identity = np.arange(constraints.n, dtype=np.int64)
    before = scorer.figures(identity)
    # The clock starts once the kernel is loaded and has run: loading it takes
    # seconds the first time in a process, which would be the local search's.
    started = time.perf_counter()
    surrogate = first_order(
        constraints, scorer.units, scorer.route,
        time_limit_s=time_limit_s * CPSAT_SHARE, workers=workers, seed=seed,
    )  # fmt: skip
    start = surrogate.order
    if not broken(constraints, identity) and scorer.key(before) <= scorer.key(
        scorer.figures(start)
    ):
        start = identity
    left = max(0.0, time_limit_s - (time.perf_counter() - started))
    searched = improve(scorer, start, time_limit_s=left, seed=seed, max_evaluations=max_evaluations)
    times = scorer.times(searched.order)
    return Lineup(
        order=_all_ids(plan, constraints, searched.order),
        before=before,
        after=searched.figures,
        rules=reports(constraints, searched.order, searched.figures, times),
        status=surrogate.status,
        gap=surrogate.gap,
        search=searched,
        cpsat_s=surrogate.wall_time_s,
    )


def _all_ids(plan: Plan, c: Constraints, order: IntArray) -> list[str]:
    """The plan's unit ids with the ground units in ``order``, aircraft where they were."""
    ground = iter(c.ids[i] for i in order)
    return [u.id if isinstance(u, AircraftUnit) else next(ground) for u in plan.units]


def reports(
    c: Constraints, order: IntArray, figures: Figures, times: kernel.ColumnTimes
) -> list[RuleReport]:
    """Each rule: kept or not, and whether it binds (docs/lineup.md "Binding")."""
    place = places_of(order)
    bad = set(broken(c, order))
    out = [RuleReport(n, n not in bad, True) for n in ("fixed.first", "fixed.last")
           if n in c.names]  # fmt: skip
    for g, group in enumerate(c.keep_order):
        tight = bool(np.any(np.diff(place[list(group)]) == 1))
        out.append(RuleReport(f"keep_order[{g}]", f"keep_order[{g}]" not in bad, tight))
    for rule in c.pairs:
        out.append(RuleReport(rule.name, rule.name not in bad,
                              closest(rule, place) == rule.within + 1))  # fmt: skip
    heads = times.head[:, 0]
    headway = float(np.median(np.diff(heads))) if len(heads) > 1 else 0.0
    for w in c.windows:
        slack = figures.window_slacks[w.name]
        out.append(RuleReport(w.name, slack >= 0, 0 <= slack < headway))
    return out


def order_of(ids: Sequence[str], c: Constraints) -> IntArray:
    """The ground units of ``ids`` (an order of the plan's units) as an order array."""
    index = {uid: i for i, uid in enumerate(c.ids)}
    return np.array([index[u] for u in ids if u in index], dtype=np.int64)
