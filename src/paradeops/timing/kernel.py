"""The whole column at once, compiled: Newell's envelope unit after unit.

This is :mod:`paradeops.timing.envelope` written as scalar loops over all
units in one call, so that numba compiles it: a parade of 10,000 units is
then scheduled in milliseconds instead of the seconds that per-unit NumPy
calls would cost. ``envelope`` stays the readable reference; the tests check
that both agree on random plans.

Layout: unit ``i``'s trajectory breakpoints are ``bp_x[off[i]:off[i+1]]``
(with ``bp_tl``, ``bp_tr``), as in :class:`~paradeops.timing.schedule.Trajectory`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

STEP_GAP, STEP_FIXED, STEP_TARGET_HEAD, STEP_TARGET_TAIL = 0, 1, 2, 3
_EPS = 1e-7


@njit(cache=True)
def _evaluate(x, tl, tr, q, left):  # type: ignore[no-untyped-def]
    n = x.shape[0]
    if q >= x[n - 1] - _EPS:
        if abs(q - x[n - 1]) <= _EPS:
            return tl[n - 1] if left else tr[n - 1]
        pace = (tl[n - 1] - tr[n - 2]) / (x[n - 1] - x[n - 2])
        return tr[n - 1] + (q - x[n - 1]) * pace
    j = np.searchsorted(x, q, side="right") - 1
    if j < 0:
        j = 0
    if abs(q - x[j]) <= _EPS:
        return tl[j] if left else tr[j]
    if j + 1 < n and abs(q - x[j + 1]) <= _EPS:
        return tl[j + 1] if left else tr[j + 1]
    frac = (q - x[j]) / (x[j + 1] - x[j])
    return tr[j] + frac * (tl[j + 1] - tr[j])


@njit(cache=True)
def _position(x, tl, tr, t):  # type: ignore[no-untyped-def]
    """Head position at time ``t`` (the inverse of the trajectory)."""
    n = x.shape[0]
    if t <= tl[0]:
        return x[0]
    for j in range(n):
        if t <= tr[j]:
            if t >= tl[j]:
                return x[j]
            # Moving between breakpoints j-1 and j.
            frac = (t - tr[j - 1]) / (tl[j] - tr[j - 1])
            return x[j - 1] + frac * (x[j] - x[j - 1])
    return x[n - 1]


@njit(cache=True)
def _free_flow(speed, length, x_end, lim_from, lim_to, lim_v, stop_at, stop_dur):  # type: ignore[no-untyped-def]
    """Free travel time from the start, by head position (``envelope.free_flow``).

    A rigid unit is capped by a limit from when its head enters the stretch
    until its tail leaves it: for the head, each stretch ends ``length`` later
    (``envelope.limits_on_head``).
    """
    m = lim_from.shape[0]
    cuts = np.empty(2 * m + 3)
    cuts[0] = 0.0
    cuts[1] = x_end
    k = 2
    for i in range(m):
        cuts[k] = min(max(lim_from[i], 0.0), x_end)
        cuts[k + 1] = min(max(lim_to[i] + length, 0.0), x_end)
        k += 2
    if stop_dur > 0.0:
        cuts[k] = min(max(stop_at, 0.0), x_end)
        k += 1
    xs = np.unique(cuts[:k])
    n = xs.shape[0]
    tl = np.zeros(n)
    tr = np.zeros(n)
    t = 0.0
    for j in range(n):
        if j > 0:
            mid = 0.5 * (xs[j - 1] + xs[j])
            v = speed
            for i in range(m):
                if lim_from[i] <= mid < lim_to[i] + length and lim_v[i] < v:
                    v = lim_v[i]
            t += (xs[j] - xs[j - 1]) / v
        tl[j] = t
        if stop_dur > 0.0 and abs(xs[j] - stop_at) <= _EPS:
            t += stop_dur
        tr[j] = t
    return xs, tl, tr


@njit(cache=True)
def _hold(fx, ftl, ftr, lx, ltl, ltr, shift, t0, x_end, released):  # type: ignore[no-untyped-def]
    """Envelope of a unit (free flow ``f*``, step-off ``t0``) behind a leader ``l*``.

    Past ``released`` (the follower's head position when the leader's tail
    leaves the last checkpoint) the leader has dispersed and holds no one.
    """
    # Positions: the unit's own breakpoints and the leader's, shifted back.
    cand = np.empty(fx.shape[0] + lx.shape[0] + 2)
    k = 0
    if 0.0 < released < x_end:
        cand[k] = released
        k += 1
    for j in range(fx.shape[0]):
        cand[k] = fx[j]
        k += 1
    for j in range(lx.shape[0]):
        y = lx[j] - shift
        if _EPS < y < x_end - _EPS:
            cand[k] = y
            k += 1
    cand = np.sort(cand[:k])
    xs = np.empty(k)
    n = 0
    for j in range(k):
        if n == 0 or cand[j] - xs[n - 1] > _EPS:
            xs[n] = cand[j]
            n += 1

    cap = 2 * n + 2
    ox = np.empty(cap)
    otl = np.empty(cap)
    otr = np.empty(cap)
    m = 0
    g = t0
    first_held = np.nan
    prev_dr = 0.0
    prev_fr = 0.0
    for j in range(n):
        y = xs[j]
        fl = _evaluate(fx, ftl, ftr, y, True)
        fr = _evaluate(fx, ftl, ftr, y, False)
        if y <= released + _EPS:
            cl = _evaluate(lx, ltl, ltr, y + shift, True)
            cr = _evaluate(lx, ltl, ltr, y + shift, False)
        else:
            cl = -np.inf
            cr = -np.inf
        dl = cl - fl
        dr = cr - fr
        if j > 0 and prev_dr < g - 1e-9 and dl > g + 1e-9:
            # D climbs through the running maximum inside this stretch.
            frac = (g - prev_dr) / (dl - prev_dr)
            yc = xs[j - 1] + frac * (y - xs[j - 1])
            fc = prev_fr + frac * (fl - prev_fr)
            ox[m] = yc
            otl[m] = g + fc
            otr[m] = g + fc
            m += 1
        if dl > g:
            g = dl
        gl = g
        if dr > g:
            g = dr
        if np.isnan(first_held):
            # Rising since the last breakpoint means the hold began there.
            if gl > t0 + 1e-6:
                first_held = ox[m - 1] if m > 0 else y
            elif g > t0 + 1e-6:
                first_held = y
        ox[m] = y
        otl[m] = gl + fl
        otr[m] = g + fr
        m += 1
        prev_dr = dr
        prev_fr = fr
    return _prune(ox[:m], otl[:m], otr[:m]), first_held


@njit(cache=True)
def _prune(x, tl, tr):  # type: ignore[no-untyped-def]
    n = x.shape[0]
    keep = np.ones(n, dtype=np.bool_)
    for j in range(1, n - 1):
        before = (tl[j] - tr[j - 1]) / (x[j] - x[j - 1])
        after = (tl[j + 1] - tr[j]) / (x[j + 1] - x[j])
        if abs(before - after) <= 1e-9 and tr[j] - tl[j] <= 1e-9:
            keep[j] = False
    return x[keep], tl[keep], tr[keep]


@njit(cache=True)
def schedule_column(  # type: ignore[no-untyped-def]
    length,
    speed,
    gap,
    mode,
    mode_time,
    target_at,
    stop_at,
    stop_dur,
    lim_from,
    lim_to,
    lim_v,
    min_gap,
    x_end,
    cps,
    rev,
):
    """Schedule every ground unit of a column, in order of march.

    Returns ``(off, bp_x, bp_tl, bp_tr, t0, first_held, held_at, free_end,
    head, leave, tail, gap_at_rev)``; ``head[i, k]`` is when unit ``i``'s
    head reaches checkpoint ``k``, ``gap_at_rev[i]`` the empty road from the
    reviewing stand to the leader's tail (or to the release point, once the
    leader has dispersed there) when unit ``i``'s head reaches the stand.
    """
    n = length.shape[0]
    k = cps.shape[0]
    cap = max(16, 8 * n)
    bp_x = np.empty(cap)
    bp_tl = np.empty(cap)
    bp_tr = np.empty(cap)
    off = np.zeros(n + 1, dtype=np.int64)
    t0s = np.zeros(n)
    first_held = np.full(n, np.nan)
    held_at = np.full(n, np.nan)
    free_end = np.zeros(n)
    head = np.zeros((n, k))
    leave = np.zeros((n, k))
    tail = np.zeros((n, k))
    gap_at_rev = np.full(n, np.nan)
    for i in range(n):
        fx, ftl, ftr = _free_flow(
            speed[i], length[i], x_end, lim_from, lim_to, lim_v, stop_at[i], stop_dur[i]
        )
        if i == 0:
            t0 = 0.0
        elif mode[i] == STEP_FIXED:
            t0 = mode_time[i]
        elif mode[i] == STEP_TARGET_HEAD:
            t0 = mode_time[i] - _evaluate(fx, ftl, ftr, target_at[i], True)
        elif mode[i] == STEP_TARGET_TAIL:
            t0 = mode_time[i] - _evaluate(fx, ftl, ftr, target_at[i] + length[i], True)
        else:
            a, b = off[i - 1], off[i]
            t0 = _evaluate(bp_x[a:b], bp_tl[a:b], bp_tr[a:b], length[i - 1] + gap[i], True)
        t0s[i] = t0
        if i == 0:
            x, tl, tr = fx, ftl + t0, ftr + t0
        else:
            a, b = off[i - 1], off[i]
            (x, tl, tr), fh = _hold(
                fx, ftl, ftr, bp_x[a:b], bp_tl[a:b], bp_tr[a:b],
                length[i - 1] + min_gap, t0, x_end, cps[k - 1] - min_gap,
            )
            # ``_hold`` works on free flow from 0; its times already include t0.
            first_held[i] = fh
            if not np.isnan(fh):
                held_at[i] = _evaluate(x, tl, tr, fh, True)
        m = x.shape[0]
        while off[i] + m > bp_x.shape[0]:
            grow = 2 * bp_x.shape[0]
            bp_x = _grow(bp_x, grow)
            bp_tl = _grow(bp_tl, grow)
            bp_tr = _grow(bp_tr, grow)
        s = off[i]
        bp_x[s : s + m] = x
        bp_tl[s : s + m] = tl
        bp_tr[s : s + m] = tr
        off[i + 1] = s + m
        for c in range(k):
            head[i, c] = _evaluate(x, tl, tr, cps[c], True)
            leave[i, c] = _evaluate(x, tl, tr, cps[c], False)
            tail[i, c] = _evaluate(x, tl, tr, cps[c] + length[i], True)
        free_end[i] = t0 + _evaluate(fx, ftl, ftr, cps[k - 1] + length[i], True)
        if i > 0:
            a, b = off[i - 1], off[i]
            lead_head = _position(bp_x[a:b], bp_tl[a:b], bp_tr[a:b], head[i, rev])
            # Only the route counts: a leader whose tail has passed the release
            # point has dispersed, and the empty road ends there.
            lead_tail = min(lead_head - length[i - 1], cps[k - 1])
            gap_at_rev[i] = lead_tail - cps[rev]
    return (
        off, bp_x[: off[n]], bp_tl[: off[n]], bp_tr[: off[n]], t0s, first_held, held_at,
        free_end, head, leave, tail, gap_at_rev,
    )


@njit(cache=True)
def _grow(a, size):  # type: ignore[no-untyped-def]
    out = np.empty(size)
    out[: a.shape[0]] = a
    return out
