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

    def unit(self, unit_id: str) -> UnitStats:
        return next(u for u in self.units if u.id == unit_id)

    def to_frame(self, schedule: Schedule | None = None) -> pd.DataFrame:
        """Percentiles per unit × checkpoint and the probabilities (needs pandas).

        With the plan's ``schedule`` the percentiles come as clock times too.
        The columns are described in :func:`paradeops.frames.simulation_frame`.
        """
        from paradeops.frames import simulation_frame

        return simulation_frame(self, schedule)
