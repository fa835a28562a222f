"""Newell's lower envelope on piecewise-linear trajectories (pure NumPy).

A trajectory is written as the time its head reaches each position, T(x)
(see :class:`~paradeops.timing.schedule.Trajectory`). A unit moving freely
from step-off time T0 follows ``T0 + F(x)``, where ``F`` is its free travel
time from the start, which depends on position only (its speed, the speed
limits of each stretch while any part of it is inside, its own show stop).
Once held behind the unit ahead, it moves on freely from wherever it was
released, so

    T(x) = F(x) + max(T0, max_{y <= x} (C(y) - F(y)))

with ``C(y)`` the earliest time the head may be at ``y``: when the leader's
head reaches ``y + leader length + min_gap``. The inner maximum is a running
maximum: that is the whole of Newell's car-following (2002) for rigid units,
exact for piecewise-linear inputs, and linear in the number of breakpoints.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from paradeops.timing.schedule import FloatArray, Trajectory

_EPS = 1e-9


def limits_on_head(
    limits: Sequence[tuple[float, float, float]], length: float
) -> tuple[tuple[float, float, float], ...]:
    """Where a rigid unit ``length`` m long is capped, by its head's position.

    A formation keeps its dress at every speed, so the whole unit moves at a
    stretch's limit while any part of it is inside: from when the head
    enters (``from_m``) until the tail leaves (head at ``to_m + length``).
    The head's speed at ``x`` is its own capped by every limit over
    ``[x - length, x]``.
    """
    return tuple((a, b + length, v) for a, b, v in limits)


def free_flow(
    speed: float,
    x_end: float,
    limits: Sequence[tuple[float, float, float]] = (),
    stop: tuple[float, float] | None = None,
) -> Trajectory:
    """``F(x)``: free travel time from the start point [s], from T=0.

    ``limits`` are ``(from_m, to_m, max_speed)`` stretches capping the speed
    while the head is in them (for a route's limits, pass
    :func:`limits_on_head`); ``stop`` is ``(at_m, duration_s)``.
    """
    cuts = [0.0, x_end]
    for a, b, _ in limits:
        cuts += [a, b]
    if stop is not None:
        cuts.append(stop[0])
    x = np.unique(np.clip(np.asarray(cuts, dtype=float), 0.0, x_end))
    mid = (x[:-1] + x[1:]) / 2
    v = np.full(len(mid), speed)
    for a, b, vmax in limits:
        v = np.where((mid >= a) & (mid < b), np.minimum(v, vmax), v)
    t = np.concatenate(([0.0], np.cumsum(np.diff(x) / v)))
    t_right = t.copy()
    if stop is not None:
        k = int(np.searchsorted(x, stop[0]))
        t_right[k:] += stop[1]
        t[k + 1 :] += stop[1]
    return Trajectory(x, t, t_right)


def constraint(leader: Trajectory, shift: float, x_end: float) -> Trajectory:
    """``C(y)``: when the leader's head reaches ``y + shift``, for ``y`` in [0, x_end].

    Pass as ``x_end`` the follower's head position when the leader's tail
    leaves the last checkpoint: past the release point the leader has
    dispersed and holds no one, so :func:`hold_behind` ignores ``C`` beyond.
    """
    lx = leader.x - shift
    inside = (lx > _EPS) & (lx < x_end - _EPS)
    ends = np.array([0.0, x_end])
    x = np.concatenate(([0.0], lx[inside], [x_end]))
    tl = np.concatenate(([0.0], leader.t_left[inside], [0.0]))
    tr = np.concatenate(([0.0], leader.t_right[inside], [0.0]))
    tl[[0, -1]] = leader.arrive(ends + shift)
    tr[[0, -1]] = leader.leave(ends + shift)
    return Trajectory(x, tl, tr)


def hold_behind(free: Trajectory, t0: float, cons: Trajectory) -> tuple[Trajectory, float]:
    """The envelope ``T`` of a unit with free travel ``free`` stepping off at ``t0``.

    Returns the trajectory and the position where it is first held (``nan``
    if never).
    """
    x = _union(free.x, cons.x)
    fl, fr = free.arrive(x), free.leave(x)
    bound = x <= cons.x[-1] + 1e-7
    cl = np.where(bound, cons.arrive(np.minimum(x, cons.x[-1])), -np.inf)
    cr = np.where(bound, cons.leave(np.minimum(x, cons.x[-1])), -np.inf)
    # Running maximum over left and right limits in position order.
    d = np.empty(2 * len(x))
    d[0::2] = cl - fl
    d[1::2] = cr - fr
    g = np.maximum(np.maximum.accumulate(d), t0)
    gl, gr = g[0::2], g[1::2]

    # Where D climbs through the running maximum inside a stretch, the
    # envelope turns from flat to rising: that point becomes a breakpoint.
    d_start, d_end = d[1:-1:2], d[2::2]
    level = gr[:-1]
    cross = (d_start < level - _EPS) & (d_end > level + _EPS)
    if cross.any():
        j = np.nonzero(cross)[0]
        frac = (level[j] - d_start[j]) / (d_end[j] - d_start[j])
        xc = x[j] + frac * (x[j + 1] - x[j])
        order = np.argsort(np.concatenate((x, xc)), kind="stable")
        x = np.concatenate((x, xc))[order]
        gl = np.concatenate((gl, level[j]))[order]
        gr = np.concatenate((gr, level[j]))[order]
        fl, fr = free.arrive(x), free.leave(x)
    first_held = _hold_start(x, gl, gr, t0)
    return _prune(Trajectory(x, gl + fl, gr + fr)), first_held


def _hold_start(x: FloatArray, gl: FloatArray, gr: FloatArray, t0: float) -> float:
    """Position where the envelope first leaves ``t0``: the unit is caught there."""
    above = np.nonzero((gl > t0 + 1e-6) | (gr > t0 + 1e-6))[0]
    if not len(above):
        return float("nan")
    k = int(above[0])
    # Rising inside the stretch before k means the hold began at its start.
    return float(x[k - 1] if gl[k] > t0 + 1e-6 and k > 0 else x[k])


def _union(a: FloatArray, b: FloatArray) -> FloatArray:
    x = np.union1d(a, b)
    keep = np.concatenate(([True], np.diff(x) > 1e-7))
    return x[keep]


def _prune(tr: Trajectory) -> Trajectory:
    """Drop breakpoints where the trajectory neither stops nor changes pace."""
    x, tl, tr_ = tr.x, tr.t_left, tr.t_right
    if len(x) <= 2:
        return tr
    pace = (tl[1:] - tr_[:-1]) / np.diff(x)
    inner_keep = (np.abs(pace[1:] - pace[:-1]) > 1e-9) | (tr_[1:-1] - tl[1:-1] > 1e-9)
    keep = np.concatenate(([True], inner_keep, [True]))
    return Trajectory(x[keep], tl[keep], tr_[keep])
