"""What a Monte Carlo simulation returns: plain, immutable values.

Times are seconds from the plan's reference time, as in
:mod:`paradeops.timing.schedule`; NaN where no run produced a value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

    from paradeops.timing.schedule import Schedule

FloatArray = npt.NDArray[np.float64]


def binomial_se(p: float, n: int) -> float:
    """The Monte Carlo standard error of a share ``p`` of ``n`` runs: sqrt(p(1 - p) / n).

    It is 0 when ``p`` is 0 or 1, which says nothing about how rare the event
    is: :func:`rule_of_three` bounds it then.
    """
    if n < 1:
        raise ValueError("a share needs at least one run")
    return math.sqrt(max(0.0, p * (1.0 - p)) / n)


def rule_of_three(n: int) -> float:
    """An upper 95 % bound on a probability never seen in ``n`` runs: 3/n (at most 1).

    From (1 - q)^n = 0.05, so q = 1 - 0.05^(1/n), about 3/n.
    """
    if n < 1:
        raise ValueError("a bound needs at least one run")
    return min(1.0, 3.0 / n)


@dataclass(frozen=True)
class Percentiles:
    p5: float
    p50: float
    p95: float

    @classmethod
    def of(cls, values: npt.ArrayLike) -> Percentiles:
        """P5/P50/P95 of the finite values (NaN if there are none)."""
        a = np.asarray(values, dtype=float)
        a = a[np.isfinite(a)]
        if a.size == 0:
            return cls(math.nan, math.nan, math.nan)
        p5, p50, p95 = np.percentile(a, [5, 50, 95])
        return cls(float(p5), float(p50), float(p95))


@dataclass(frozen=True)
class PassStats:
    """A unit's head and tail passing one checkpoint, over all runs."""

    checkpoint: str
    head: Percentiles
    tail: Percentiles


@dataclass(frozen=True)
class UnitStats:
    id: str
    kind: str
    #: Share of runs in which the unit reached the reviewing stand more than
    #: ``held_threshold_s`` after its free-flow time in that run.
    held_probability: float
    passes: tuple[PassStats, ...]
    #: False for aircraft: their planned pass is carried through unchanged.
    simulated: bool = True


@dataclass(frozen=True)
class GapStats:
    """The gap in front of ``unit`` (behind ``ahead``'s tail) as its head reaches the stand."""

    unit: str
    ahead: str
    checkpoint: str
    probability: float  # of a gap above max_gap_m (0 when the plan sets none)
    gap_m: Percentiles


@dataclass(frozen=True)
class WindowStats:
    window_end: float | None
    #: Share of runs whose last tail passes the reviewing stand after window_end
    #: (runs that did not finish count as late).
    probability_late: float
    last_tail: Percentiles


@dataclass(frozen=True)
class FanLine:
    """A subsample of runs: when the unit's head reaches each position."""

    unit_id: str
    times: FloatArray  # [runs, n_points]
    positions: FloatArray  # [n_points]


@dataclass(frozen=True)
class BudgetOutcome:
    """How a run under a time budget ended (the budget's clock is the caller's)."""

    budget_s: float
    runs_cap: int
    #: "cap": every run up to the cap was done; "budget": the next batch would not have fit.
    stopped_by: str


@dataclass(frozen=True)
class SimulationResult:
    runs: int
    seed: int | None
    step_s: float
    window: WindowStats
    units: tuple[UnitStats, ...]
    gaps: tuple[GapStats, ...]
    fan: tuple[FanLine, ...]
    #: Agent positions computed (agents on the road × time steps, all runs).
    agent_updates: int
    #: Runs cut off at the time horizon before every tail had passed.
    unfinished_runs: int

    def se(self, probability: float) -> float:
        """The standard error of one of this result's probabilities (:func:`binomial_se`)."""
        return binomial_se(probability, self.runs)

    def zero_probability_below(self) -> float:
        """What a probability of 0 here means: below this, at 95 % (:func:`rule_of_three`)."""
        return rule_of_three(self.runs)

    def unit(self, unit_id: str) -> UnitStats:
        return next(u for u in self.units if u.id == unit_id)

    def to_frame(self, schedule: Schedule | None = None) -> pd.DataFrame:
        """Percentiles per unit × checkpoint and the probabilities (needs pandas).

        With the plan's ``schedule`` the percentiles come as clock times too.
        The columns are described in :func:`paradeops.frames.simulation_frame`.
        """
        from paradeops.frames import simulation_frame

        return simulation_frame(self, schedule)
