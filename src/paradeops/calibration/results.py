"""What calibration finds: per unit its fitted figures and constraints, and the
distributions a plan's ``simulation:`` section takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from paradeops.timing.schedule import FloatArray

ConstraintKind = Literal["held", "speed_limit"]


@dataclass(frozen=True)
class Constraint:
    """Why some of a unit's measured times are not its own: they are left out of its fit."""

    kind: ConstraintKind
    #: The first checkpoint whose measured head time it governs.
    checkpoint: str
    runs: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class UnitFit:
    unit: str
    kind: str
    runs: int  # runs with a speed measured on a free stretch
    planned_speed_kmh: float
    speed_factor: float | None
    fitted_speed_kmh: float | None
    #: For formations marching by cadence: the pace that gives the fitted speed.
    fitted_pace_m: float | None
    step_off_delay_s: float | None  # mean over runs
    step_off_delay_sd: float | None
    gap_driven: bool
    planned_gap_m: float | None
    fitted_gap_m: float | None
    residual_s: float | None  # RMS of the head fit on the free stretches
    #: Holds and speed limits that governed some measured times (left out of the fit).
    constraints: tuple[Constraint, ...] = ()
    #: Figures that could not be measured, each with its reason.
    left_out: tuple[str, ...] = ()

    @property
    def constrained(self) -> bool:
        return bool(self.constraints)


@dataclass(frozen=True)
class Distribution:
    mean: float | None
    sd: float | None
    n: int


@dataclass(frozen=True)
class Calibration:
    runs: tuple[str, ...]
    units: tuple[UnitFit, ...]
    step_off_delay_s: Distribution
    speed_factor: Distribution


def distribution_of(xs: FloatArray) -> Distribution:
    """Mean and sample SD of the finite values (no SD from one)."""
    xs = xs[np.isfinite(xs)]
    n = int(xs.size)
    if n == 0:
        return Distribution(None, None, 0)
    return Distribution(float(xs.mean()), float(xs.std(ddof=1)) if n > 1 else None, n)
