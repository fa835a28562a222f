"""Monte Carlo over a microscopic model of the parade (pure core; see docs/simulation.md).

``simulate(plan, schedule, runs, rng)`` is the entry point; the results are
the value objects of :mod:`paradeops.simulation.results`.
"""

from __future__ import annotations

from paradeops.simulation.monte_carlo import simulate
from paradeops.simulation.results import SimulationResult

__all__ = ["SimulationResult", "simulate"]
