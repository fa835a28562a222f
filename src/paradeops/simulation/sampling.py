"""Sampling the day's deviations from the plan's ``simulation:`` section.

The section itself (distributions, IDM parameters) is a part of the plan
model: :mod:`paradeops.model.simulation_spec`. This module draws from it.

All randomness of a simulation comes from here, from one
:class:`numpy.random.Generator`, and is drawn up front for every run, so a
seed gives the same numbers whatever the chunk or batch size or the number
of cores. Each distribution is drawn for all runs at once, so run *i*'s
numbers depend on the number of runs drawn for: a time budget that stops
early has done the first runs of its cap's draws, not the runs of a shorter
``--runs``. Drawing run by run would make them agree but change every figure
a seed has given so far (tests/simulation/test_regression.py pins them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.errors import Problem, UserError
from paradeops.model.plan import Plan
from paradeops.model.simulation_spec import Distribution, SimulationSpec

FloatArray = npt.NDArray[np.float64]

#: Sampled speed factors are kept within these bounds (a normal has long tails).
SPEED_FACTOR_BOUNDS = (0.2, 3.0)


def sample(dist: Distribution, rng: np.random.Generator, n: int) -> FloatArray:
    """``n`` draws of ``dist``."""
    if dist.dist == "fixed":
        assert dist.value is not None
        return np.full(n, dist.value)
    if dist.dist == "normal":
        assert dist.mean is not None and dist.sd is not None
        return rng.normal(dist.mean, dist.sd, n) if dist.sd > 0 else np.full(n, dist.mean)
    if dist.dist == "lognormal":
        assert dist.median is not None and dist.sigma is not None
        with np.errstate(over="ignore"):  # inf: refused with the span (monte_carlo)
            return np.asarray(dist.median * np.exp(dist.sigma * rng.standard_normal(n)))
    assert dist.low is not None and dist.high is not None
    if dist.high <= dist.low:
        return np.full(n, dist.low)
    if dist.dist == "uniform":
        return rng.uniform(dist.low, dist.high, n)
    assert dist.mode is not None
    return rng.triangular(dist.low, dist.mode, dist.high, n)


@dataclass(frozen=True)
class Samples:
    """Per run and ground unit (in order of march): the day's deviations."""

    step_off_delay_s: FloatArray  # [runs, units]
    speed_factor: FloatArray  # [runs, units]
    show_stop_overrun_s: FloatArray  # [runs, units]


def check_overrides(plan: Plan) -> None:
    """``simulation.units`` may only name units of the plan."""
    ids = {u.id for u in plan.units}
    problems = [
        Problem(
            f"no unit {uid!r} in this plan",
            line=plan.line_of(("simulation", "units", uid)),
            field=f"simulation.units.{uid}",
            hint="use the id of a unit from the units list",
        )
        for uid in plan.simulation.units
        if uid not in ids
    ]
    if problems:
        raise UserError(problems=problems)


def draw(
    spec: SimulationSpec, unit_ids: Sequence[str], runs: int, rng: np.random.Generator
) -> Samples:
    """Sample every run's step-off delays, speed factors and show-stop overruns."""
    out = []
    for name in ("step_off_delay_s", "speed_factor", "show_stop_overrun_s"):
        cols = []
        for uid in unit_ids:
            override = spec.units.get(uid)
            dist = getattr(override, name, None) if override is not None else None
            cols.append(sample(dist or getattr(spec, name), rng, runs))
        out.append(np.stack(cols, axis=1) if cols else np.zeros((runs, 0)))
    delay, factor, overrun = out
    return Samples(delay, np.clip(factor, *SPEED_FACTOR_BOUNDS), overrun)


def without_noise(spec: SimulationSpec) -> SimulationSpec:
    """The same model with every distribution fixed at its no-surprise value."""
    return spec.model_copy(
        update={
            "step_off_delay_s": Distribution.fixed(0.0),
            "speed_factor": Distribution.fixed(1.0),
            "show_stop_overrun_s": Distribution.fixed(0.0),
            "units": {},
        }
    )
