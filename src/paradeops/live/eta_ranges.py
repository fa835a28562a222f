"""ETA ranges at any spot, from a summary of the conditioned runs (pure).

The runs themselves (:mod:`paradeops.live.conditioned`) are tens of MB for a
large parade; what a spot's ETAs need of them is, at every grid point, the
10th, 50th and 90th percentile of each unit's head and tail arrival, and of
the parade's head (the first head there in each run) and tail (the last
tail). :func:`summarise` keeps just that (under 1 MB for 124 units), so the
runs can be made in a process of their own and only the summary sent back.
Between grid points the percentiles are linear (a percentile of a linear
mix is not exactly the mix of the percentiles; on a grid of ~20 m the
difference is a fraction of a second).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.live.conditioned import Ranges

FloatArray = npt.NDArray[np.float64]
QUANTILES = (10, 50, 90)
_EPS = 1e-6


@dataclass(frozen=True)
class Summary:
    now: float
    runs: int
    grid: FloatArray
    unit_ids: tuple[str, ...]
    lengths: FloatArray
    #: Where each unit's head is now [m].
    head_now: FloatArray
    #: P10, P50, P90 of each unit's head (tail) arrival at each grid point: ``[unit, 3, grid]``.
    heads: FloatArray
    tails: FloatArray
    #: The same of the parade's head (first head) and tail (last tail): ``[3, grid]``.
    parade_head: FloatArray
    parade_tail: FloatArray


def _shifted(r: Ranges, unit: int, by: float) -> FloatArray:
    """Every run's head arrival at each grid point + ``by`` [s]: ``[run, grid]``."""
    g = r.grid
    q = g + by
    j = np.clip(np.searchsorted(g, q, side="right") - 1, 0, len(g) - 2)
    frac = np.clip((q - g[j]) / (g[j + 1] - g[j]), 0.0, 1.0)
    h = r.heads[unit]
    return np.asarray(h[:, j] + frac * (h[:, j + 1] - h[:, j]), dtype=float)


def summarise(r: Ranges) -> Summary:
    n, m = len(r.unit_ids), len(r.grid)
    heads, tails = np.empty((n, 3, m)), np.empty((n, 3, m))
    first = np.full((r.runs, m), np.inf)
    last = np.full((r.runs, m), -np.inf)
    for k in range(n):
        tail = _shifted(r, k, float(r.lengths[k]))
        heads[k] = np.percentile(r.heads[k], QUANTILES, axis=0)
        tails[k] = np.percentile(tail, QUANTILES, axis=0)
        np.minimum(first, r.heads[k], out=first)
        np.maximum(last, tail, out=last)
    empty = np.full((3, m), np.nan)
    return Summary(
        now=r.now,
        runs=r.runs,
        grid=r.grid,
        unit_ids=r.unit_ids,
        lengths=r.lengths,
        head_now=r.head_now,
        heads=heads,
        tails=tails,
        parade_head=np.percentile(first, QUANTILES, axis=0) if n else empty,
        parade_tail=np.percentile(last, QUANTILES, axis=0) if n else empty,
    )


@dataclass(frozen=True)
class Estimate:
    """A time at a spot [s]: ``actual`` once passed, else the runs' 10th, 50th, 90th percentile."""

    actual: float | None = None
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None


@dataclass(frozen=True)
class SpotEta:
    """Head and tail of the parade and of each ground unit at one spot."""

    head: Estimate
    tail: Estimate
    units: tuple[tuple[str, Estimate, Estimate], ...]


def _at(s: Summary, q: FloatArray, pos: float) -> FloatArray:
    """``q[..., grid]`` at ``pos``, linear between grid points."""
    g = s.grid
    j = int(np.clip(np.searchsorted(g, pos, side="right") - 1, 0, len(g) - 2))
    frac = min(max((pos - g[j]) / (g[j + 1] - g[j]), 0.0), 1.0)
    return np.asarray(q[..., j] + frac * (q[..., j + 1] - q[..., j]), dtype=float)


def _estimate(s: Summary, p: FloatArray, passed: bool) -> Estimate:
    if passed:
        return Estimate(actual=float(p[1]))  # the past: the same in every run
    # Still to come, so not before now (between a past and a future grid point,
    # the line between them would say otherwise).
    p10, p50, p90 = (max(float(x), s.now) for x in p)
    return Estimate(p10=p10, p50=p50, p90=p90)


def _passed(s: Summary, unit: int, pos: float, p: FloatArray) -> bool:
    """Whether the unit's head is past ``pos`` now (or reached it by now in every run)."""
    x0 = float(s.head_now[unit])
    return x0 > pos + _EPS or (x0 >= pos - _EPS and float(p[2]) <= s.now + _EPS)


def eta_at(
    s: Summary, pos: float, observed: Mapping[tuple[str, str], float] | None = None
) -> SpotEta:
    """The ETAs at ``pos`` [m]; ``observed`` (unit, part) → time: what was seen there."""
    observed = observed or {}
    units = []
    for k, uid in enumerate(s.unit_ids):
        length = float(s.lengths[k])
        h, t = _at(s, s.heads[k], pos), _at(s, s.tails[k], pos)
        he = _estimate(s, h, _passed(s, k, pos, h))
        te = _estimate(s, t, _passed(s, k, pos + length, t))
        if (uid, "head") in observed:
            he = Estimate(actual=observed[(uid, "head")])
        if (uid, "tail") in observed:
            te = Estimate(actual=observed[(uid, "tail")])
        units.append((uid, he, te))
    if not units:
        return SpotEta(Estimate(), Estimate(), ())
    first = units[0][1]
    head = first if first.actual is not None else _estimate(s, _at(s, s.parade_head, pos), False)
    all_passed = all(te.actual is not None for _, _, te in units)
    tail = _estimate(s, _at(s, s.parade_tail, pos), all_passed)
    return SpotEta(head, tail, tuple(units))
