"""Measured rehearsal times against the plan, and calibration from them.

A *run* is one rehearsal's measurements: per unit and checkpoint, the times
its head and its tail passed [s from that run's reference time, which plays
the part of ``parade.start``]. The adapter (:mod:`paradeops.io.rehearsal_csv`)
reads them from CSV.

Calibration (docs/composition.md, "How calibration fits"), per ground unit,
by least squares over every run at once (NumPy, vectorised over units):

- **Speed.** Per unit and run, measured head at checkpoint k = a + beta·z_k,
  z_k the *planned* time from the unit's planned step-off to its head at k
  (the plan's shape is the regressor, so speed limits and show stops do not
  bias the fit). The speed factor is 1/beta; the fitted speed is the planned
  free speed times its mean over runs.
- **Step-off delay.** ``a`` is the measured step-off. For a unit that steps
  off behind the one ahead (no ``step_off``/``target``, not first), the
  engine releases it when the leader's tail is ``gap_m`` past the start
  point, measured from the leader's tail times (same beta); the delay is how
  much later the unit started, minus the same figure in the plan. For the
  first unit and units with fixed times it is ``a`` minus the planned step-off.
- **Gap.** The gap that makes the engine reproduce the mean step-off delay:
  ``gap_m + delay × v_lead`` (``v_lead`` the leader's fitted speed).

The figures aggregate into distribution parameters for the simulation: mean
and standard deviation of step-off delays (every unit and run but the first
unit, whose head defines the reference when no start time is given) and of
speed factors (over units).

Modules: :mod:`.runs` (what was measured), :mod:`.comparison` (against the
plan), :mod:`.shape` (a unit's free motion by the plan), :mod:`.constraints`
(times a unit did not govern), :mod:`.fitting` (the least squares),
:mod:`.results` (what it finds).
"""

from __future__ import annotations

from paradeops.calibration.comparison import PassComparison, UnitComparison, compare
from paradeops.calibration.constraints import HELD_MARGIN_M
from paradeops.calibration.fitting import calibrate
from paradeops.calibration.results import (
    Calibration,
    Constraint,
    ConstraintKind,
    Distribution,
    UnitFit,
)
from paradeops.calibration.runs import Measured, Run
from paradeops.calibration.shape import LIMIT_MARGIN

__all__ = [
    "HELD_MARGIN_M",
    "LIMIT_MARGIN",
    "Calibration",
    "Constraint",
    "ConstraintKind",
    "Distribution",
    "Measured",
    "PassComparison",
    "Run",
    "UnitComparison",
    "UnitFit",
    "calibrate",
    "compare",
]
