"""Local search on the real timing: moves and swaps that keep every rule.

From CP-SAT's order, a unit is moved to another place or swapped with
another unit (near ones more often: most far moves break a rule or the
timing); the candidate is kept when every order rule still holds and the
timing engine scores it better (:meth:`Scorer.key`). Fixed units never
move. It stops at the time limit, after ``max_evaluations``, or when
``patience`` candidates in a row brought nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from paradeops.lineup.constraints import IntArray, broken
from paradeops.lineup.scoring import Figures, Scorer

#: How far a near move reaches [places].
NEAR = 3


@dataclass(frozen=True)
class Searched:
    order: IntArray
    figures: Figures
    evaluations: int
    improvements: int
    #: Why it stopped: "time", "evaluations" or "no improvement".
    stopped: str


def improve(
    scorer: Scorer,
    start: IntArray,
    *,
    time_limit_s: float,
    seed: int = 0,
    max_evaluations: int | None = None,
    patience: int | None = None,
) -> Searched:
    """The best order found from ``start`` (which must keep every order rule)."""
    c = scorer.constraints
    rng = np.random.default_rng(seed)
    lo, hi = len(c.first), c.n - len(c.last)  # the places that may change
    best = start.copy()
    best_fig = scorer.figures(best)
    best_key = scorer.key(best_fig)
    evaluations, improvements, idle = 1, 0, 0
    patience = patience if patience is not None else max(200, 20 * c.n)
    deadline = time.perf_counter() + time_limit_s
    stopped = "no improvement"
    while hi - lo >= 2 and idle < patience:
        if time.perf_counter() >= deadline:
            stopped = "time"
            break
        if max_evaluations is not None and evaluations >= max_evaluations:
            stopped = "evaluations"
            break
        candidate = _moved(best, lo, hi, rng)
        idle += 1
        if candidate is None or broken(c, candidate):
            continue
        fig = scorer.figures(candidate)
        evaluations += 1
        key = scorer.key(fig)
        if key < best_key:
            best, best_fig, best_key = candidate, fig, key
            improvements += 1
            idle = 0
    return Searched(best, best_fig, evaluations, improvements, stopped)


def _moved(order: IntArray, lo: int, hi: int, rng: np.random.Generator) -> IntArray | None:
    """``order`` with one unit moved or two swapped, within places ``lo``..``hi - 1``."""
    i = int(rng.integers(lo, hi))
    if rng.random() < 0.6:
        j = i + int(rng.integers(1, NEAR + 1)) * (1 if rng.random() < 0.5 else -1)
    else:
        j = int(rng.integers(lo, hi))
    if j == i or not lo <= j < hi:
        return None
    out = order.copy()
    if rng.random() < 0.5:
        out[i], out[j] = order[j], order[i]
    elif i < j:  # unit at i moves back to j
        out[i:j] = order[i + 1 : j + 1]
        out[j] = order[i]
    else:  # unit at i moves up to j
        out[j + 1 : i + 1] = order[j:i]
        out[j] = order[i]
    return out
