"""The old name of :mod:`paradeops.simulation.sampling`, kept for callers not yet moved.

``simulation/spec.py`` beside ``model/simulation_spec.py`` read as two models
of one thing; the sampling now lives in :mod:`paradeops.simulation.sampling`.
Remove this module once nothing imports it.
"""

from __future__ import annotations

from paradeops.simulation.sampling import (
    SPEED_FACTOR_BOUNDS,
    Samples,
    check_overrides,
    draw,
    sample,
    without_noise,
)

__all__ = ["SPEED_FACTOR_BOUNDS", "Samples", "check_overrides", "draw", "sample", "without_noise"]
