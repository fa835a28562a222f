"""An order of march timed by the engine's column kernel, as arrays: the real objective.

The plan's ground units become the kernel's arrays once
(:func:`paradeops.timing.engine.column_arrays`); an order permutes them and
runs the kernel, nothing else (1,000 units in a few milliseconds compiled).
The figures are the engine's: held time as its ``held_s`` (holds under half
a second are rounding), the duration of the ground column, the largest gap
ahead of a unit at the reviewing stand.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from paradeops.lineup.constraints import Constraints, IntArray
from paradeops.model.clock import instant, seconds_between
from paradeops.model.plan import Plan
from paradeops.timing import kernel
from paradeops.timing.engine import (
    HOLD_THRESHOLD_S,
    TARGET_TOLERANCE_S,
    column_arrays,
    reference_time,
)

#: Figures closer than this count as equal in a lexicographic objective, so that
#: a later term still decides (a tenth of a second, a tenth of a metre).
RESOLUTION = 0.1

Kernel = Callable[[kernel.ColumnUnits, kernel.RouteLimits], kernel.ColumnTimes]


@dataclass(frozen=True)
class Figures:
    """What an order gives on the day, by the timing engine."""

    duration_s: float
    held_s: float
    max_gap_m: float
    #: Least margin of any window (the rules' and the plan's ``window_end``); None: no window.
    window_slack_s: float | None
    #: Seconds by which windows, fixed step-offs and targets are missed (0: none).
    missed_s: float
    #: Each window rule's least margin, by name.
    window_slacks: Mapping[str, float]


class Scorer:
    """Times orders of one plan's ground units; ``key`` is what the search minimises."""

    def __init__(
        self,
        plan: Plan,
        constraints: Constraints,
        objective: Sequence[str] | Mapping[Any, float],
        column: Kernel,
    ) -> None:
        self.units, self.route = column_arrays(plan)
        self.constraints = constraints
        self.objective = objective
        self.column = column
        start = reference_time(plan)
        end = plan.parade.window_end
        zone = ZoneInfo(plan.parade.timezone)
        self.window_end = (
            None
            if end is None
            else seconds_between(start, instant(end, plan.parade.date, zone, "parade.window_end"))
        )
        # Which checkpoint a target is met at (the kernel keeps its distance only).
        self.target_cp = np.searchsorted(self.route.checkpoints_m, self.units.target_at_m)
        self.evaluations = 0

    def times(self, order: IntArray) -> kernel.ColumnTimes:
        units = kernel.ColumnUnits._make(a[order] for a in self.units)
        self.evaluations += 1
        return self.column(units, self.route)

    def figures(self, order: IntArray) -> Figures:
        t = self.times(order)
        held = np.maximum(t.tail[:, -1] - t.free_end, 0.0)
        held = np.where((held >= HOLD_THRESHOLD_S) & ~np.isnan(t.hold_from_m), held, 0.0)
        place = np.empty_like(order)
        place[order] = np.arange(len(order))
        slacks = {
            w.name: float(np.min(np.minimum(t.head[place[list(w.units)], w.checkpoint] - w.lo_s,
                                            w.hi_s - t.head[place[list(w.units)], w.checkpoint])))
            for w in self.constraints.windows
        }  # fmt: skip
        every = list(slacks.values())
        if self.window_end is not None:
            every.append(self.window_end - float(t.tail[:, self.route.reviewing].max()))
        missed = sum(-s for s in every if s < 0) + self._missed_rules(order, t)
        gaps = t.gap_at_reviewing[1:]
        return Figures(
            duration_s=float(t.tail[:, -1].max() - t.head[:, 0].min()),
            held_s=float(held.sum()),
            max_gap_m=float(gaps.max()) if len(gaps) else 0.0,
            window_slack_s=min(every) if every else None,
            missed_s=float(missed),
            window_slacks=slacks,
        )

    def _missed_rules(self, order: IntArray, t: kernel.ColumnTimes) -> float:
        """Seconds by which the plan's own fixed step-offs and targets are missed."""
        rule = self.units.step_off_rule[order]
        want = self.units.rule_time_s[order]
        fixed = rule == kernel.STEP_FIXED
        late = np.where(fixed, t.head[:, 0] - want, 0.0)
        cp = self.target_cp[order]
        rows = np.arange(len(order))
        head = t.head[rows, np.minimum(cp, t.head.shape[1] - 1)]
        tail = t.tail[rows, np.minimum(cp, t.tail.shape[1] - 1)]
        off = np.where(rule == kernel.STEP_TARGET_HEAD, np.abs(head - want), 0.0)
        off += np.where(rule == kernel.STEP_TARGET_TAIL, np.abs(tail - want), 0.0)
        miss = np.maximum(late, 0.0) + off
        return float(miss[miss > TARGET_TOLERANCE_S].sum())

    def key(self, f: Figures) -> tuple[float, ...]:
        """Smaller is better: what is missed first, then the objective."""
        terms = {"held_time": f.held_s, "duration": f.duration_s, "gaps": f.max_gap_m}
        missed = _rounded(f.missed_s)
        if isinstance(self.objective, Mapping):
            return (missed, sum(w * terms[n] for n, w in self.objective.items()))
        return (missed, *(_rounded(terms[n]) for n in self.objective))


def _rounded(x: float) -> float:
    return math.floor(x / RESOLUTION + 0.5) * RESOLUTION
