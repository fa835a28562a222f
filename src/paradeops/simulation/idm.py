"""The compiled kernel: every agent of every run, step by step (Numba).

One call advances a chunk of Monte Carlo runs from the first step-off to the
last tail. It takes the named groups of :mod:`paradeops.simulation.kernel_data`
(agents, units, route, clock; per run: draws, motion, record) and fills the
record and outcomes in place. Inside, the per-run loop takes the arrays one
by one: Numba counts a reference each time an array is read out of a tuple,
and inside the agent loop that made the kernel 25 times slower (measured,
numba 0.68.1), so the groups are opened once per chunk.

The per-run loop is compiled without Numba's reference counting
(``_nrt=False``): it only reads and writes arrays it is given (a run's
scratch rows are allocated by the caller). With counting on, every array
handed to an inlined helper was counted in and out atomically, per agent and
step: 45 % of the time of a run and ten times slower than without
(measured with perf, numba 0.68.1: 5 M against 42 M vehicle-updates per
CPU-second on the column of ``benchmarks/bench_kernel.py``).

Runs are independent, so they are spread over the cores (``prange``);
inside a run the loop goes over time steps, then over the agents on the
road, in place, with no temporaries: a run's state (a few hundred positions
and speeds) stays in the CPU cache.

The update is synchronous, as in SUMO: every agent decides its new speed
from the state at the start of the step. Agents are stored in order of march
(a leader always has a smaller index than its follower), so walking them from
the back to the front reads each leader before it is moved.

Most unit-steps of a run are plain marching: no step-off, no show stop, no
braking curve within reach, the same speed limit over the unit's road space,
the unit ahead neither cruising nor retired. Those take the fast step
(``_fast_unit_step``): the same arithmetic, without those checks, each
follower reading the agent in front of it directly. Where a unit's head may
march that way is worked out once, at its last full step (``_fast_until``),
as a position; a step short of it is fast. The results are the same to the
bit as the full step's (checked on every example); on the validation column
the kernel is 1.7 times as fast as with the full step everywhere
(``benchmarks/vs_sumo.py``, 54 against 91 M vehicle-updates/s on one thread).

Integration is SUMO's *ballistic* scheme (``--step-method.ballistic true``):
the new speed is ``v' = max(0, v + a(v, s, Δv)·dt)``, the position advances by
``(v + v')/2·dt`` (constant acceleration within the step). Passing a point is
timed inside the step by solving that parabola, as SUMO's
``MSCFModel::passingTime`` does for its detectors.

Agent models (see docs/simulation.md):

``MODEL_IDM``
    Treiber, Hennecke & Helbing (2000), written as SUMO's ``MSCFModel_IDM``
    with one iteration per step::

        s* = s0 + max(0, v·T + v·Δv / (2·sqrt(a·b)))
        acc = a · (1 − (v/v0)^δ − (s*/s)²)

    ``s`` is the bumper-to-bumper gap to the leader (clamped at 1 mm). Braking
    is bounded by :data:`EMERGENCY_DECEL`. Before its show stop and before a
    limited stretch the agent brakes at ``b`` onto a braking curve
    (:func:`_brake_speed`), so it arrives at rest / at the limit as the
    engine's unit does; once its front is on the stop point it stands for the
    sampled duration.
``MODEL_RANK``
    A rank of a formation keeps its distance ``d0`` to the rank ahead at a
    fixed cadence by adjusting its pace: it aims for
    ``v_ahead + (d − d0) / τ_r``, between 0 (marking time) and
    ``v0 = max_pace_factor × march speed``, speeding up at most at ``a_r``
    (``accel``) and slowing down at most at ``decel``.

Both models finally cap the move so that the front never passes the back of
the leader as it was at the start of the step: nobody overtakes or overlaps.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit, prange

from paradeops.simulation.kernel_data import (
    ACTIVE,
    MODEL_IDM,
    MODEL_IIDM,
    MODEL_RANK,
    RETIRED,
    RULE_GAP,
    RULE_GHOST,
    RULE_TIME,
    STARTING,
    STOP_DONE,
    STOP_NONE,
    STOP_STOPPED,
    WAITING,
    Agents,
    Clock,
    Draws,
    Motion,
    Outcomes,
    Record,
    Route,
    Units,
)

__all__ = [
    "EMERGENCY_DECEL", "MODEL_IDM", "MODEL_IIDM", "MODEL_RANK", "RULE_GAP", "RULE_GHOST",
    "RULE_TIME", "run_chunk",
]  # fmt: skip

#: Hardest braking allowed [m/s²] (SUMO's emergencyDecel for the benchmark too).
EMERGENCY_DECEL = 9.0
#: SUMO's NUMERICAL_EPS: the smallest gap the IDM formula sees [m].
MIN_GAP_EPS = 1e-3
#: A head braking for its show stop has arrived once its front is this close [m]
#: (on the braking curve it is then slower than sqrt(2·b·1 mm) < 0.15 m/s).
STOP_SNAP_M = 1e-3
#: A rank never comes closer than this to the rank ahead [m].
RANK_MIN_M = 0.4
#: An event (step-off, end of a show stop) this close to a step boundary is on it [s]:
#: ``t0 + k·dt`` is not exact in floating point.
EVENT_EPS_S = 1e-9
#: A unit cruises (moves in one piece, docs/simulation.md) once every agent is
#: this close to the unit's desired speed [m/s] ...
CRUISE_EPS_V = 1e-5
#: ... and every rank or vehicle this close to its distance from the one ahead [m] ...
CRUISE_EPS_X = 1e-4
#: Behind a cruising unit: its head this close to the gap of equilibrium [m].
CRUISE_EPS_X_EQ = 1e-3
#: ... and it would cruise for at least this many steps.
CRUISE_MIN_STEPS = 3.0
#: A cruising unit wakes this many steps before its next event (the full model meets it).
WAKE_STEPS_EARLY = 2.0
#: Units on the road check whether they may cruise once every this many steps,
#: all at the same step (the steps between need no pass over the units).
#: Checking at every step cost a dense column where nothing cruises 15 % of
#: its time; every 4th step 10 % with the fast step, every 8th 5 %, while a
#: large parade, whose units start cruising a little later, took the same
#: time with 8 as with 4 (bench_kernel, bench_large_parade).
SLEEP_TRY_STEPS = 8
#: Road [m] a cruising head keeps in hand beyond its car-following's reach.
CRUISE_GAP_MARGIN_M = 0.5
#: A tail's watch position lies this far short of its events [m]: the events
#: compare ``x − length`` or ``x`` with sums, rounded otherwise (about 1e-12 m).
TAIL_WATCH_MARGIN_M = 1e-6

#: Numba's private switch (see the module's docstring); not in its type stubs.
_NO_REFCOUNTS: dict[str, Any] = {"_nrt": False}

# Columns of the packed per-agent and per-unit arrays the run loop reads
# (one row per agent or unit: its fields share a cache line, and the helpers
# take a few arrays rather than forty; see _pack).
AI_UNIT, AI_LEADER, AI_MODEL, AI_LEAD_UNIT = range(4)  # AI_LEAD_UNIT: the unit of the agent ahead
AF_LEN, AF_RATIO, AF_ACCEL, AF_DECEL, AF_TAU, AF_DELTA, AF_S0, AF_INV2SAB = range(8)
# ... and about the agent ahead (static): its length, where its unit releases the column.
AF_LEAD_LEN, AF_LEAD_FREE = 8, 9
# UI_BEHIND: the unit whose head follows this unit's tail, -1 for none.
UI_FIRST, UI_LAST, UI_RULE, UI_PREV, UI_NEXT, UI_GHOST, UI_BEHIND = range(7)
UF_GAP, UF_STOP_X, UF_RETIRE_X, UF_LEN, UF_FREE_X = range(5)
# A run's per-unit state: mode (WAITING…), show stop (STOP_*), next probe of
# head and tail, cruising (0/1); end of the stop, and while cruising: since
# when, at what speed, until when; where the head and the tail reach their
# next event (see _head_watch).
SI_MODE, SI_STOP, SI_HEAD_NXT, SI_TAIL_NXT, SI_CRUISE = range(5)
SF_STOP_UNTIL, SF_SINCE, SF_SPEED, SF_WAKE, SF_HEAD_WATCH, SF_TAIL_WATCH = range(6)
# The fast step (_fast_unit_step): how far the head may go in it, the unit's
# desired speed there.
SF_FAST_UNTIL, SF_VD = 6, 7


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _limit(tail, head, lim):  # type: ignore[no-untyped-def]
    """The lowest speed limit over ``[tail, head]`` (inf where there is none).

    A formation keeps its dress at every speed: it keeps to a limit while any
    part of it is inside the stretch. ``lim`` is ``[k, (from, to, speed)]``.
    """
    vmax = np.inf
    for k in range(lim.shape[0]):
        if lim[k, 0] <= head and tail < lim[k, 1] and lim[k, 2] < vmax:
            vmax = lim[k, 2]
    return vmax


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _brake_speed(g, v, b, dt, v_end):  # type: ignore[no-untyped-def]
    """The highest speed at the end of this step from which braking at ``b``
    is down to ``v_end`` within ``g`` metres of the start of the step.

    Ballistic move, then braking: ``(v + vn)/2·dt + (vn² − v_end²)/(2b) <= g``,
    i.e. ``vn² + b·dt·vn + b·v·dt − 2·b·g − v_end² <= 0``. On the braking curve
    ``g = (v² − v_end²)/(2b)`` this gives ``vn = v − b·dt``: an agent braking
    for a show stop (``v_end = 0``) or a speed limit decelerates at exactly
    ``b`` and gets there at ``v_end`` (SUMO's ``maximumSafeStopSpeedBallistic``
    for a stop). Never below ``v_end``; 0 when even stopping now overshoots.
    """
    bdt = b * dt
    disc = bdt * bdt - 4.0 * (b * v * dt - 2.0 * b * g - v_end * v_end)
    if disc <= 0.0:
        return v_end
    vn = 0.5 * (math.sqrt(disc) - bdt)
    return vn if vn > v_end else v_end


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _tau(p, xo, xn, vo, vn, dt):  # type: ignore[no-untyped-def]
    """Time into the step at which a point moving xo→xn passes ``p``."""
    d = p - xo
    dx = xn - xo
    if d <= 0.0:
        return 0.0
    if dx <= 0.0:
        return dt
    acc = (vn - vo) / dt
    if abs(0.5 * (vo + vn) * dt - dx) > 1e-9 or abs(acc) < 1e-12:
        tau = d / dx * dt  # the move was capped: linear
    else:
        disc = vo * vo + 2.0 * acc * d
        root = math.sqrt(disc) if disc > 0.0 else 0.0
        tau = 2.0 * d / (vo + root) if vo + root > 0.0 else d / dx * dt
    if tau < 0.0:
        return 0.0
    return tau if tau < dt else dt


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _record(u, back, xo, xn, vo, vn, t, dt, probes, out, k):  # type: ignore[no-untyped-def]
    """Times at which the point ``back`` metres behind the front passes each
    probe from the ``k``-th on; returns the next probe it will pass."""
    n = probes.shape[0]
    while k < n and xn - back >= probes[k]:
        out[u, k] = t + _tau(probes[k] + back, xo, xn, vo, vn, dt)
        k += 1
    return k


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _rank_speed(  # type: ignore[no-untyped-def]
    va, vl, gap, v0, s0, relax, accel, decel, dt
):
    """Rank keeping: aim for the speed ahead plus the distance error closed in
    ``relax`` seconds, at most ``v0``, changing speed at most at ``accel`` / ``decel``."""
    target = vl + (gap - s0) / relax
    if target > v0:
        target = v0
    vn = target
    if vn > va + accel * dt:
        vn = va + accel * dt
    elif vn < va - decel * dt:
        vn = va - decel * dt
    return vn


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _idm_accel(  # type: ignore[no-untyped-def]
    model, va, vl, gap, v0, amax, bcomf, tau, delta, s0, inv_2sab
):
    """The IDM's (``MODEL_IDM``) or improved IDM's acceleration towards ``v0``
    behind a leader ``gap`` metres ahead at ``vl`` (inf: none), at least
    ``-EMERGENCY_DECEL``; ``inv_2sab`` is ``1 / (2·sqrt(a·b))``."""
    r = va / v0 if v0 > 0.0 else 1e3
    if delta == 4.0:
        r2 = r * r
        free = r2 * r2
    else:
        free = r**delta
    z = 0.0
    if gap < np.inf:
        s_star = va * (tau + (va - vl) * inv_2sab)
        if s_star < 0.0:
            s_star = 0.0
        s_star += s0
        z = s_star / (gap if gap > MIN_GAP_EPS else MIN_GAP_EPS)
    if model == MODEL_IDM:
        acc = amax * (1.0 - free - z * z)
    elif va <= v0:  # improved IDM (Treiber & Kesting 2013, 11.3.6)
        a_free = amax * (1.0 - free)
        if z >= 1.0:
            acc = amax * (1.0 - z * z)
        elif z > 0.0 and a_free > 1e-9:
            acc = a_free * (1.0 - math.exp(2.0 * amax / a_free * math.log(z)))
        else:
            acc = a_free
    else:
        acc = -bcomf * (1.0 - (v0 / va) ** (amax * delta / bcomf))
        if z >= 1.0:
            acc += amax * (1.0 - z * z)
    if acc < -EMERGENCY_DECEL:
        acc = -EMERGENCY_DECEL
    return acc


# --- the parts of a unit's step -------------------------------------------------


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _releases(t_end, si, t_rel, act, n_act):  # type: ignore[no-untyped-def]
    """Units whose step-off falls before ``t_end`` start and join the units
    computed this step (``act[:n_act]``); returns the earliest step-off still
    to come and the new count."""
    next_rel = np.inf
    for u in range(si.shape[0]):
        if si[u, SI_MODE] == WAITING:
            if t_rel[u] < t_end:
                si[u, SI_MODE] = STARTING
                act[n_act] = u
                n_act += 1
            elif t_rel[u] < next_rel:
                next_rel = t_rel[u]
    return next_rel, n_act


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _back(a, t, x, v, ai, af, si, sf):  # type: ignore[no-untyped-def]
    """Where the back of agent ``a`` is at ``t``, and its speed (see _back_of)."""
    return _back_of(a, ai[a, AI_UNIT], af[a, AF_LEN], t, x, v, si, sf)


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _back_of(a, w, length, t, x, v, si, sf):  # type: ignore[no-untyped-def]
    """Where the back of agent ``a`` (of unit ``w``, ``length`` long) is at
    ``t``, and its speed: a cruising unit's agents are where its motion has
    taken them."""
    if si[w, SI_CRUISE]:
        return x[a] - length + sf[w, SF_SPEED] * (t - sf[w, SF_SINCE]), sf[w, SF_SPEED]
    return x[a] - length, v[a]


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _ahead(a, head, t, x, v, ai, af, si, sf):  # type: ignore[no-untyped-def]
    """The gap from agent ``a`` to the back of the agent ahead at ``t``, and its
    speed; (inf, 0) for nobody. A unit whose tail has passed its release
    point has dispersed and holds no head (the engine's rule)."""
    lead = ai[a, AI_LEADER]
    if lead < 0:
        return np.inf, 0.0
    # Its unit, length and release point are rows known in advance (_pack).
    w = ai[a, AI_LEAD_UNIT]
    if si[w, SI_MODE] == RETIRED:
        return np.inf, 0.0
    back, vl = _back_of(lead, w, af[a, AF_LEAD_LEN], t, x, v, si, sf)
    if head and back >= af[a, AF_LEAD_FREE]:
        return np.inf, 0.0
    return back - x[a], vl


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _reach(vm, b, h):  # type: ignore[no-untyped-def]
    """How far a head at up to ``vm`` may be from a point it must brake for at
    ``b`` before that braking binds: a step at ``vm``, then braking to rest."""
    return vm * (h + 0.5 * vm / b)


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _head_brakes(vn, va, xa, b, h, stop_x, lim):  # type: ignore[no-untyped-def]
    """The head's new speed capped by its braking curves at ``b``: to rest at its
    show stop (``stop_x``, inf for none or done), to each limit ahead; the
    engine's unit changes speed there without braking."""
    vm = vn if vn > va else va
    # Beyond its reach no curve binds. A head is almost always further off,
    # and the division of the reach sat on every head's step: ``b·reach`` with
    # a margin says "further off" without it, safely (every term is >= 0, so
    # rounding cannot eat the margin); only nearer does the exact reach
    # decide, as before (6 % faster on bench_kernel's column).
    b_reach = (vm * h * b + 0.5 * vm * vm) * (1.0 + 1e-9)
    reach = -1.0  # not worked out yet
    g = stop_x - xa
    if g * b <= b_reach:
        reach = _reach(vm, b, h)
        if g < reach:
            vs = _brake_speed(g, va, b, h, 0.0)
            if vs < vn:
                vn = vs
    for k in range(lim.shape[0]):
        g = lim[k, 0] - xa
        if g > 0.0 and g * b <= b_reach and lim[k, 2] < vn:
            if reach < 0.0:
                reach = _reach(vm, b, h)
            if g < reach:
                vs = _brake_speed(g, va, b, h, lim[k, 2])
                if vs < vn:
                    vn = vs
    return vn


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _fast_until(u, dt, x, v, ai, af, ui, uf, si, vdes, lim):  # type: ignore[no-untyped-def]
    """Where unit ``u``'s head may go on in the fast step (_fast_unit_step)
    from where it is now: short of where a braking curve could bind (its
    speed never exceeds the larger of its speed now and its highest desired
    speed by more than a step's acceleration, so its reach never exceeds that
    speed's) and of where a limit starts or ends over its road space. -inf
    while it does not march (starting, standing at its show stop)."""
    if si[u, SI_MODE] != ACTIVE or si[u, SI_STOP] == STOP_STOPPED:
        return -np.inf
    a = ui[u, UI_FIRST]
    # It reads the agent ahead as it stands (see _fast_unit_step); a unit
    # ahead that cruises or retires sends this one back to _unit_step.
    w = ai[a, AI_LEAD_UNIT]
    if ai[a, AI_LEADER] >= 0 and (si[w, SI_MODE] == RETIRED or si[w, SI_CRUISE]):
        return -np.inf
    xh, length = x[a], uf[u, UF_LEN]
    v0max = af[a, AF_RATIO] * vdes[u]
    vm = (v[a] if v[a] > v0max else v0max) + af[a, AF_ACCEL] * 2.0 * dt
    reach = _reach(vm, af[a, AF_DECEL], 2.0 * dt) * (1.0 + 1e-9) + TAIL_WATCH_MARGIN_M
    w = uf[u, UF_STOP_X] - reach if si[u, SI_STOP] == STOP_NONE else np.inf
    for k in range(lim.shape[0]):
        if lim[k, 0] > xh and lim[k, 0] - reach < w:
            w = lim[k, 0] - reach
        if xh - length < lim[k, 1] and lim[k, 1] + length - TAIL_WATCH_MARGIN_M < w:
            w = lim[k, 1] + length - TAIL_WATCH_MARGIN_M
    return w


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _capped_move(va, vn, gap, h):  # type: ignore[no-untyped-def]
    """The ballistic move and the new speed, never into the leader."""
    if vn < 0.0:
        vn = 0.0
    dx = 0.5 * (va + vn) * h
    if dx > gap:
        dx = gap if gap > 0.0 else 0.0
        if vn > dx / h:
            vn = dx / h
    return dx, vn


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _arrive(u, xa, xn, va, vn, ta, h, stop_x, stop_s, si, sf):  # type: ignore[no-untyped-def]
    """The head reaches its show stop in this step and stands from its arrival
    for ``stop_s``; returns its position, speed (0) and the time into the step
    of its arrival (the passes of this step are timed on it)."""
    si[u, SI_STOP] = STOP_STOPPED
    g = stop_x - xa
    if vn == 0.0 and va > 0.0 and g > 0.0:
        # Braked to rest: at a constant deceleration it is there after 2g/va
        # (the step's parabola, snapped to the stop point, would not say when).
        hr = 2.0 * g / va
        if hr > h:
            hr = h
    else:
        hr = _tau(stop_x, xa, xn, va, vn, h)
    sf[u, SF_STOP_UNTIL] = ta + hr + stop_s
    return (stop_x if xa < stop_x else xa), 0.0, hr


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _gap_at_stand(u, w, t, x, v, ai, af, ui, uf, si, sf, probes, p_stand, head_t):  # type: ignore[no-untyped-def]
    """Road empty ahead of unit ``u``'s head as it passes the stand: to the back
    of unit ``w`` ahead, on the route only (the engine's rule)."""
    back, vl = _back(ui[w, UI_LAST], t, x, v, ai, af, si, sf)
    tail_x = back + vl * (head_t[u, p_stand] - t)
    if tail_x > uf[w, UF_FREE_X]:
        tail_x = uf[w, UF_FREE_X]
    return tail_x - probes[p_stand]


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _open_gap(u, rear, xa, xn, va, vn, ta, h, ui, uf, t_rel, delay, next_rel):  # type: ignore[no-untyped-def]
    """Release the unit behind (and its ghost) at the instant this unit's tail
    is its ``gap_m`` past the start; returns the earliest step-off to come."""
    f = ui[u, UI_NEXT]
    if f >= 0 and ui[f, UI_RULE] == RULE_GAP and t_rel[f] == np.inf:
        p = uf[f, UF_GAP] + rear
        if xn >= p:
            t_rel[f] = ta + _tau(p, xa, xn, va, vn, h) + (delay[f] if delay[f] > 0.0 else 0.0)
            gh = ui[f, UI_GHOST]
            if gh >= 0:
                t_rel[gh] = t_rel[f]
            if t_rel[f] < next_rel:
                next_rel = t_rel[f]
    return next_rel


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _done(u, x, af, ui, uf, si, n_probes, p_stand):  # type: ignore[no-untyped-def]
    """Nobody needs unit ``u`` any more: a ghost past the stand; a unit past
    every probe and its retirement point once the unit behind has passed the
    stand (its gap there is measured to this unit's tail)."""
    if ui[u, UI_RULE] == RULE_GHOST:
        return si[u, SI_HEAD_NXT] > p_stand
    last = ui[u, UI_LAST]
    if si[u, SI_TAIL_NXT] < n_probes or x[last] - af[last, AF_LEN] < uf[u, UF_RETIRE_X]:
        return False
    f = ui[u, UI_NEXT]
    return f < 0 or si[f, SI_HEAD_NXT] > p_stand


# --- one unit's step ------------------------------------------------------------


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _agent_speed(a, head, u, ha, vd, gap, vl, x, v, ai, af, uf, si, lim):  # type: ignore[no-untyped-def]
    """Agent ``a``'s speed at the end of its move of ``ha`` seconds, behind a
    leader ``gap`` metres ahead at ``vl``; the unit's desired speed is ``vd``."""
    va = v[a]
    v0 = af[a, AF_RATIO] * vd
    if ai[a, AI_MODEL] == MODEL_RANK:
        return _rank_speed(va, vl, gap, v0, af[a, AF_S0], af[a, AF_TAU], af[a, AF_ACCEL],
                           af[a, AF_DECEL], ha)  # fmt: skip
    model = ai[a, AI_MODEL]
    acc = _idm_accel(model, va, vl, gap, v0, af[a, AF_ACCEL], af[a, AF_DECEL],
                     af[a, AF_TAU], af[a, AF_DELTA], af[a, AF_S0], af[a, AF_INV2SAB])  # fmt: skip
    if model == MODEL_IIDM:
        # Heun: the mean of the acceleration now and at the predicted end of
        # the step (the leader assumed to keep its speed). Second order: a
        # head starting from rest no longer arrives early by about a·h/2 per
        # step of its start (docs/simulation.md, accuracy of the time step).
        vp = va + acc * ha
        if vp < 0.0:
            vp = 0.0
        gp = gap - 0.5 * (va + vp) * ha + vl * ha
        acc = 0.5 * (acc + _idm_accel(model, vp, vl, gp, v0, af[a, AF_ACCEL], af[a, AF_DECEL],
                                      af[a, AF_TAU], af[a, AF_DELTA], af[a, AF_S0],
                                      af[a, AF_INV2SAB]))  # fmt: skip
    vn = va + acc * ha
    if head:
        stop_x = uf[u, UF_STOP_X] if si[u, SI_STOP] == STOP_NONE else np.inf
        vn = _head_brakes(vn, va, x[a], af[a, AF_DECEL], ha, stop_x, lim)
    return vn


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _agent_move(a, head, u, ha, vd, gap, vl, x, v, ai, af, uf, si, lim):  # type: ignore[no-untyped-def]
    """Agent ``a``'s position and speed after its move of ``ha`` seconds
    (_agent_speed), the move capped short of the leader (a rank keeps its
    closest distance too)."""
    vn = _agent_speed(a, head, u, ha, vd, gap, vl, x, v, ai, af, uf, si, lim)
    if ai[a, AI_MODEL] == MODEL_RANK:
        gap -= RANK_MIN_M
    dx, vn = _capped_move(v[a], vn, gap, ha)
    return x[a] + dx, vn


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _first_move(u, t, dt, t_rel, si):  # type: ignore[no-untyped-def]
    """When unit ``u``'s move in this step starts and how long it lasts: its
    first one from its exact step-off, so a step-off off the grid is not
    rounded to it (a gap that opened during the last step: a longer one)."""
    if si[u, SI_MODE] == STARTING:
        si[u, SI_MODE] = ACTIVE
        if abs(t_rel[u] - t) > EVENT_EPS_S:
            return t_rel[u], t + dt - t_rel[u]
    return t, dt


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _stop_ended(u, t, tu, dt, si, sf):  # type: ignore[no-untyped-def]
    """For a head standing at its show stop: (False, …) while it stands through
    this step, else (True, when it moves off): at the stop's exact end."""
    until = sf[u, SF_STOP_UNTIL]
    if until >= t + dt - EVENT_EPS_S:
        return False, t
    si[u, SI_STOP] = STOP_DONE
    return True, (until if abs(until - t) > EVENT_EPS_S else tu)


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _head_moved(  # type: ignore[no-untyped-def]
    u, t, xa, xn, va, vn, ta, ha, x, v, ai, af, ui, uf, si, sf, stop_s, probes, p_stand,
    head_t, gap_m,
):  # fmt: skip
    """The head's arrival at its show stop and its passes in this step (and
    the gap ahead as it passes the stand); returns its position, speed and
    the duration of the move for the tail's timing."""
    hr = ha
    if si[u, SI_STOP] == STOP_NONE and xn >= uf[u, UF_STOP_X] - STOP_SNAP_M:
        xn, vn, hr = _arrive(u, xa, xn, va, vn, ta, ha, uf[u, UF_STOP_X], stop_s, si, sf)
    k0 = si[u, SI_HEAD_NXT]
    si[u, SI_HEAD_NXT] = _record(u, 0.0, xa, xn, va, vn, ta, hr, probes, head_t, k0)
    if k0 <= p_stand < si[u, SI_HEAD_NXT] and ui[u, UI_PREV] >= 0:
        gap_m[u] = _gap_at_stand(u, ui[u, UI_PREV], t, x, v, ai, af, ui, uf, si, sf, probes,
                                 p_stand, head_t)  # fmt: skip
    return xn, vn, hr


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _head_watch(u, uf, si, probes):  # type: ignore[no-untyped-def]
    """Where the head's next event is (its show stop, its next probe): short of
    it, _head_moved has nothing to do, and a step tests its front against this
    one number. Events only move forward, so an old watch is early, never late."""
    w = uf[u, UF_STOP_X] - STOP_SNAP_M if si[u, SI_STOP] == STOP_NONE else np.inf
    k = si[u, SI_HEAD_NXT]
    if k < probes.shape[0] and probes[k] < w:
        w = probes[k]
    return w


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _tail_watch(u, rear, ui, uf, si, t_rel, probes):  # type: ignore[no-untyped-def]
    """Where the tail's front is at its next event (its next probe, the gap of
    the unit behind opening), less a margin for rounding (see _head_watch)."""
    w = np.inf
    k = si[u, SI_TAIL_NXT]
    if k < probes.shape[0]:
        w = probes[k] + rear
    f = ui[u, UI_NEXT]
    if f >= 0 and ui[f, UI_RULE] == RULE_GAP and t_rel[f] == np.inf and uf[f, UF_GAP] + rear < w:
        w = uf[f, UF_GAP] + rear
    return w - TAIL_WATCH_MARGIN_M


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _tail_moved(  # type: ignore[no-untyped-def]
    u, rear, xa, xn, va, vn, ta, h, ui, uf, si, sf, t_rel, delay, probes, tail_t, next_rel
):  # fmt: skip
    """The tail has reached its watch: its passes in this step, the gap of the
    unit behind opening, its next watch; returns the earliest step-off to come."""
    si[u, SI_TAIL_NXT] = _record(u, rear, xa, xn, va, vn, ta, h, probes, tail_t, si[u, SI_TAIL_NXT])
    next_rel = _open_gap(u, rear, xa, xn, va, vn, ta, h, ui, uf, t_rel, delay, next_rel)
    sf[u, SF_TAIL_WATCH] = _tail_watch(u, rear, ui, uf, si, t_rel, probes)
    return next_rel


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _unit_step(  # type: ignore[no-untyped-def]
    u, t, dt, x, v, ai, af, ui, uf, lim, probes, p_stand, si, sf, t_rel, vdes, delay,
    stop_dur, head_t, tail_t, gap_m, next_rel,
):  # fmt: skip
    """Advance unit ``u``'s agents (back to front) by one step from ``t``;
    returns the agent-updates and the earliest step-off to come."""
    tu, hu = _first_move(u, t, dt, t_rel, si)
    first = ui[u, UI_FIRST]
    last = ui[u, UI_LAST]
    # One desired speed for the whole unit, capped by every limit over its
    # planned road space (the engine's rule).
    vd = min(vdes[u], _limit(x[first] - uf[u, UF_LEN], x[first], lim))
    updates = 0
    for a in range(last, first - 1, -1):
        ta, ha = tu, hu
        if a == first and si[u, SI_STOP] == STOP_STOPPED:
            moving, ta = _stop_ended(u, t, tu, dt, si, sf)
            if not moving:
                v[a] = 0.0
                updates += 1
                continue
            ha = t + dt - ta
        xa, va = x[a], v[a]
        gap, vl = _ahead(a, a == first, t, x, v, ai, af, si, sf)
        xn, vn = _agent_move(a, a == first, u, ha, vd, gap, vl, x, v, ai, af, uf, si, lim)
        updates += 1
        hr = ha
        if a == first and xn >= sf[u, SF_HEAD_WATCH]:
            xn, vn, hr = _head_moved(u, t, xa, xn, va, vn, ta, ha, x, v, ai, af, ui, uf, si, sf,
                                     stop_dur[u], probes, p_stand, head_t, gap_m)  # fmt: skip
            sf[u, SF_HEAD_WATCH] = _head_watch(u, uf, si, probes)
        if a == last and xn >= sf[u, SF_TAIL_WATCH]:
            next_rel = _tail_moved(u, af[a, AF_LEN], xa, xn, va, vn, ta, hr, ui, uf, si, sf,
                                   t_rel, delay, probes, tail_t, next_rel)  # fmt: skip
        x[a] = xn
        v[a] = vn
    sf[u, SF_VD] = min(vdes[u], _limit(x[first] - uf[u, UF_LEN], x[first], lim))
    sf[u, SF_FAST_UNTIL] = _fast_until(u, dt, x, v, ai, af, ui, uf, si, vdes, lim)
    return updates, next_rel


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _fast_unit_step(  # type: ignore[no-untyped-def]
    u, t, dt, x, v, ai, af, ui, uf, lim, probes, p_stand, si, sf, t_rel, delay,
    stop_dur, head_t, tail_t, gap_m, next_rel,
):  # fmt: skip
    """_unit_step of a marching unit whose head is short of its fast limit
    (_fast_until): the same arithmetic without what cannot happen there (a
    first move, a show stop, a braking curve, a new speed limit), and each
    follower reads the agent in front of it directly."""
    first = ui[u, UI_FIRST]
    last = ui[u, UI_LAST]
    vd = sf[u, SF_VD]
    for a in range(last, first, -1):
        xa, va = x[a], v[a]
        gap = x[a - 1] - af[a - 1, AF_LEN] - xa
        vl = v[a - 1]
        xn, vn = _agent_move(a, False, u, dt, vd, gap, vl, x, v, ai, af, uf, si, lim)
        if a == last and xn >= sf[u, SF_TAIL_WATCH]:
            next_rel = _tail_moved(u, af[a, AF_LEN], xa, xn, va, vn, t, dt, ui, uf, si, sf,
                                   t_rel, delay, probes, tail_t, next_rel)  # fmt: skip
        x[a] = xn
        v[a] = vn
    a = first
    xa, va = x[a], v[a]
    lead = ai[a, AI_LEADER]
    gap, vl = np.inf, 0.0
    if lead >= 0:
        back = x[lead] - af[a, AF_LEAD_LEN]
        if back < af[a, AF_LEAD_FREE]:
            gap, vl = back - xa, v[lead]
    xn, vn = _agent_move(a, False, u, dt, vd, gap, vl, x, v, ai, af, uf, si, lim)
    hr = dt
    if xn >= sf[u, SF_HEAD_WATCH]:
        xn, vn, hr = _head_moved(u, t, xa, xn, va, vn, t, dt, x, v, ai, af, ui, uf, si, sf,
                                 stop_dur[u], probes, p_stand, head_t, gap_m)  # fmt: skip
        sf[u, SF_HEAD_WATCH] = _head_watch(u, uf, si, probes)
        sf[u, SF_FAST_UNTIL] = -np.inf  # it may have arrived at its show stop
    if a == last and xn >= sf[u, SF_TAIL_WATCH]:
        next_rel = _tail_moved(u, af[a, AF_LEN], xa, xn, va, vn, t, hr, ui, uf, si, sf,
                               t_rel, delay, probes, tail_t, next_rel)  # fmt: skip
    x[a] = xn
    v[a] = vn
    return last - first + 1, next_rel


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _recheck_behind(u, ui, sf):  # type: ignore[no-untyped-def]
    """Unit ``u`` starts to cruise or retires: the unit following it reads it
    differently now, so its next step is a full one (_fast_until)."""
    if ui[u, UI_BEHIND] >= 0:
        sf[ui[u, UI_BEHIND], SF_FAST_UNTIL] = -np.inf


# --- cruising: a unit in free flow advanced in one move --------------------------


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _steady(first, last, vd, x, v, ai, af):  # type: ignore[no-untyped-def]
    """Every agent of the unit at ``vd``, every rank or vehicle at its distance."""
    for a in range(first, last + 1):
        if abs(v[a] - vd) > CRUISE_EPS_V:
            return False
        if a > first:
            lead = ai[a, AI_LEADER]
            if abs(x[lead] - af[lead, AF_LEN] - x[a] - af[a, AF_S0]) > CRUISE_EPS_X:
                return False
    return True


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _event_distance(u, c, dt, x, af, ui, uf, si, t_rel, lim, probes, p_stand):  # type: ignore[no-untyped-def]
    """How far the unit can go at ``c`` before anything of its own changes: its
    head at the stand (the gap is measured there) or where it must brake for
    its show stop or a limit; its road space leaving a limited stretch; its
    tail opening the gap of the unit behind, at the release point (the unit
    behind is free from then on) or at its retirement point."""
    first, last = ui[u, UI_FIRST], ui[u, UI_LAST]
    xh = x[first]
    back = x[last] - af[last, AF_LEN]
    d = uf[u, UF_RETIRE_X] - back
    if back < uf[u, UF_FREE_X]:
        d = min(d, uf[u, UF_FREE_X] - back)
    if si[u, SI_HEAD_NXT] <= p_stand:
        d = min(d, probes[p_stand] - xh)
    brake = c * dt + 0.5 * c * c / af[first, AF_DECEL]  # to rest, and a step to see it
    if si[u, SI_STOP] == STOP_NONE:
        d = min(d, uf[u, UF_STOP_X] - xh - brake)
    for k in range(lim.shape[0]):
        if lim[k, 0] > xh:
            d = min(d, lim[k, 0] - xh - brake)
        if lim[k, 1] > xh - uf[u, UF_LEN]:
            d = min(d, lim[k, 1] - (xh - uf[u, UF_LEN]))
    f = ui[u, UI_NEXT]
    if f >= 0 and ui[f, UI_RULE] == RULE_GAP and t_rel[f] == np.inf:
        d = min(d, uf[f, UF_GAP] + af[last, AF_LEN] - x[last])
    return d


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _leader_clear_until(first, t1, c, dt, x, v, ai, af, uf, si, sf):  # type: ignore[no-untyped-def]
    """Until when the head, at its desired speed ``c``, cannot feel the unit
    ahead (inf: never; -inf: it feels it now).

    The improved IDM at its desired speed does not accelerate at all while
    the gap exceeds ``s*``. While the unit ahead cruises, its speed is known
    and so is ``s*``; after that (or if it does not cruise) only that its back
    never moves backwards: the gap shrinks at most at ``c``, and ``s*`` is
    largest behind a standing leader. The plain IDM feels every leader.
    """
    lead = ai[first, AI_LEADER]
    if lead < 0 or si[ai[lead, AI_UNIT], SI_MODE] == RETIRED:
        return np.inf
    w = ai[lead, AI_UNIT]
    back, vl = _back(lead, t1, x, v, ai, af, si, sf)
    if back >= uf[w, UF_FREE_X]:
        return np.inf
    if ai[first, AI_MODEL] != MODEL_IIDM:
        return -np.inf
    gap = back - x[first]
    # s* behind the leader at its speed (plus a millimetre), and behind it
    # standing (plus two steps' travel and a margin).
    s_known = af[first, AF_S0] + c * (af[first, AF_TAU] + max(0.0, c - vl) * af[first, AF_INV2SAB])
    s_known += CRUISE_EPS_X_EQ
    s_worst = af[first, AF_S0] + c * (af[first, AF_TAU] + c * af[first, AF_INV2SAB])
    s_worst += 2.0 * c * dt + CRUISE_GAP_MARGIN_M
    tl = t1
    if si[w, SI_CRUISE] and sf[w, SF_WAKE] > t1:
        tl = sf[w, SF_WAKE]  # until then the leader keeps its speed vl
        if gap <= s_known:
            return -np.inf
        if vl < c and t1 + (gap - s_known) / (c - vl) <= tl:
            return t1 + (gap - s_known) / (c - vl)
        gap += (vl - c) * (tl - t1)
    if gap <= s_worst:
        return tl if tl > t1 else -np.inf
    return tl + (gap - s_worst) / c


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _platoon_speed(first, last, t1, vd, x, v, ai, af, uf, si, sf):  # type: ignore[no-untyped-def]
    """The speed of the cruising unit ahead if this unit follows it in
    equilibrium (every agent at that speed, the head at the gap where its
    car-following is at rest, its ranks at their distances), else -1."""
    lead = ai[first, AI_LEADER]
    if lead < 0:
        return -1.0
    w = ai[lead, AI_UNIT]
    if not si[w, SI_CRUISE] or si[w, SI_MODE] == RETIRED:
        return -1.0
    c = sf[w, SF_SPEED]
    if c > vd or not _steady(first, last, c, x, v, ai, af):
        return -1.0
    back, _ = _back(lead, t1, x, v, ai, af, si, sf)
    if back >= uf[w, UF_FREE_X]:
        return -1.0  # it holds no one any more
    # The gap at which the head's acceleration at c behind a leader at c is nil:
    # s* (z = 1) for the improved IDM, s*/sqrt(1 − (c/vd)^δ) for the plain one.
    s_eq = af[first, AF_S0] + c * af[first, AF_TAU]
    if ai[first, AI_MODEL] == MODEL_IDM:
        r = 1.0 - (c / vd) ** af[first, AF_DELTA]
        s_eq = s_eq / math.sqrt(r) if r > 0.0 else np.inf
    return c if abs(back - x[first] - s_eq) <= CRUISE_EPS_X_EQ else -1.0


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _try_sleep(u, t1, dt, x, v, ai, af, ui, uf, si, sf, t_rel, vdes, lim, probes, p_stand):  # type: ignore[no-untyped-def]
    """Let a unit cruise from ``t1`` (the end of this step) until the earliest
    moment anything can change for it, less two steps (the full model meets
    the event): in free flow at its desired speed, in equilibrium behind a
    cruising unit at that one's speed (0 in a queue behind a show stop) until
    that one wakes, or standing at its show stop until it ends. False if none
    holds or that moment is too close."""
    first, last = ui[u, UI_FIRST], ui[u, UI_LAST]
    if si[u, SI_STOP] == STOP_STOPPED:  # it rests (speed 0) until its stop ends
        if not _steady(first, last, 0.0, x, v, ai, af):
            return False
        c = 0.0
        tw = sf[u, SF_STOP_UNTIL] - WAKE_STEPS_EARLY * dt
    else:
        c = min(vdes[u], _limit(x[first] - uf[u, UF_LEN], x[first], lim))
        lead = ai[first, AI_LEADER]
        if abs(v[first] - c) > CRUISE_EPS_V and (lead < 0 or not si[ai[lead, AI_UNIT], SI_CRUISE]):
            return False  # neither at its speed nor behind a cruising unit
        if c <= 0.0:
            return False
        tl = _leader_clear_until(first, t1, c, dt, x, v, ai, af, uf, si, sf)
        if tl > t1 and _steady(first, last, c, x, v, ai, af):
            until = tl - WAKE_STEPS_EARLY * dt
        else:
            c = _platoon_speed(first, last, t1, c, x, v, ai, af, uf, si, sf)
            if c < 0.0:
                return False
            until = sf[ai[ai[first, AI_LEADER], AI_UNIT], SF_WAKE]
        tw = until  # standing behind a standing unit, nothing of its own can happen
        if c > 0.0:
            d = _event_distance(u, c, dt, x, af, ui, uf, si, t_rel, lim, probes, p_stand)
            tw = min(t1 + d / c - WAKE_STEPS_EARLY * dt, until)
    if tw < t1 + CRUISE_MIN_STEPS * dt:
        return False
    si[u, SI_CRUISE] = 1
    sf[u, SF_SINCE] = t1
    sf[u, SF_SPEED] = c
    sf[u, SF_WAKE] = tw
    for a in range(first, last + 1):
        v[a] = c
    return True


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _may_sleep(u, x, v, ai, ui, si, sf):  # type: ignore[no-untyped-def]
    """False where _try_sleep would be: the head neither at its desired speed
    nor behind a cruising unit nor at its show stop. Cheaper: the desired
    speed of the fast step, where its head is short of its fast limit."""
    first = ui[u, UI_FIRST]
    if si[u, SI_STOP] == STOP_STOPPED:
        return True
    if ai[first, AI_LEADER] >= 0 and si[ai[first, AI_LEAD_UNIT], SI_CRUISE]:
        return True
    if x[first] >= sf[u, SF_FAST_UNTIL]:
        return True  # its cached desired speed may not hold there
    return abs(v[first] - sf[u, SF_VD]) <= CRUISE_EPS_V


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _record_cruise(u, back, xn, t, c, probes, out, k):  # type: ignore[no-untyped-def]
    """Passes of the point ``back`` metres behind a front now at ``xn`` that has
    come at the constant speed ``c``, from the ``k``-th probe on: timed
    exactly on the straight line. Returns the next probe it will pass."""
    n = probes.shape[0]
    while k < n and xn - back >= probes[k]:
        out[u, k] = t - (xn - back - probes[k]) / c
        k += 1
    return k


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _wake(u, t, dt, x, v, af, ui, si, sf, probes, head_t, tail_t):  # type: ignore[no-untyped-def]
    """Put a cruising unit's agents where its motion has taken them by ``t``
    and time its passes on the way; returns the agent-updates it stood for."""
    first, last = ui[u, UI_FIRST], ui[u, UI_LAST]
    c = sf[u, SF_SPEED]
    h = t - sf[u, SF_SINCE]
    for a in range(first, last + 1):
        x[a] += c * h
        v[a] = c
    si[u, SI_HEAD_NXT] = _record_cruise(u, 0.0, x[first], t, c, probes, head_t,
                                        si[u, SI_HEAD_NXT])  # fmt: skip
    si[u, SI_TAIL_NXT] = _record_cruise(u, af[last, AF_LEN], x[last], t, c, probes, tail_t,
                                        si[u, SI_TAIL_NXT])  # fmt: skip
    si[u, SI_CRUISE] = 0
    return (last - first + 1) * int(round(h / dt))


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _heap_push(ht, hu, n, t, u):  # type: ignore[no-untyped-def]
    """Add unit ``u`` waking at ``t`` to the binary min-heap ``ht``/``hu`` of ``n``."""
    k = n
    while k > 0 and ht[(k - 1) // 2] > t:
        ht[k], hu[k] = ht[(k - 1) // 2], hu[(k - 1) // 2]
        k = (k - 1) // 2
    ht[k], hu[k] = t, u
    return n + 1


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _heap_pop(ht, hu, n):  # type: ignore[no-untyped-def]
    """Remove the earliest waker from the heap of ``n``; returns it and the new size."""
    u = hu[0]
    n -= 1
    t, w = ht[n], hu[n]
    k = 0
    while 2 * k + 1 < n:
        c = 2 * k + 1
        if c + 1 < n and ht[c + 1] < ht[c]:
            c += 1
        if ht[c] >= t:
            break
        ht[k], hu[k] = ht[c], hu[c]
        k = c
    ht[k], hu[k] = t, w
    return u, n


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _sort(act, n):  # type: ignore[no-untyped-def]
    """Insertion sort of ``act[:n]``: in order of march (nearly so already)."""
    for i in range(1, n):
        u = act[i]
        k = i - 1
        while k >= 0 and act[k] > u:
            act[k + 1] = act[k]
            k -= 1
        act[k + 1] = u


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _next_step(step, t0, dt, n_act, next_rel, next_wake):  # type: ignore[no-untyped-def]
    """The next step to compute: when every unit on the road cruises, the step
    before the first wakes or steps off (the steps between change nothing)."""
    nxt = next_rel if next_rel < next_wake else next_wake
    if n_act > 0 or nxt == np.inf:
        return step + 1
    k = int(math.floor((nxt - t0) / dt)) - 1
    return k if k > step + 1 else step + 1


# --- one run, and a chunk of runs ------------------------------------------------


@njit(cache=True, fastmath=False, error_model="numpy", **_NO_REFCOUNTS)
def _run(  # type: ignore[no-untyped-def]
    x, v, ai, af, ui, uf, lim, probes, p_stand, t0, dt, n_steps, cruise, fast,
    t_rel, vdes, delay, stop_dur, head_t, tail_t, gap_m, si, sf, act, ht, hu,
):  # fmt: skip
    """One run, in place: ``x``, ``v`` its agents, ``t_rel`` … ``stop_dur`` its
    draws per unit, ``head_t`` … ``gap_m`` its record; returns the
    agent-updates and whether every unit retired.

    Only the units on the road that do not cruise are visited each step
    (``act``, in order of march); cruising ones wait in a heap by the time
    they wake."""
    n_units = ui.shape[0]
    n_act = n_heap = 0
    next_rel = np.inf  # earliest step-off to come
    for u in range(n_units):
        if t_rel[u] < next_rel:
            next_rel = t_rel[u]
    retired = updates = step = 0
    while step < n_steps and retired < n_units:
        t = t0 + step * dt
        n_kept = n_act
        if next_rel < t + dt - EVENT_EPS_S:  # a step-off before this moves in this step
            next_rel, n_act = _releases(t + dt - EVENT_EPS_S, si, t_rel, act, n_act)
        while n_heap > 0 and ht[0] <= t + dt:
            u, n_heap = _heap_pop(ht, hu, n_heap)
            updates += _wake(u, t, dt, x, v, af, ui, si, sf, probes, head_t, tail_t)
            act[n_act] = u
            n_act += 1
        if n_act > n_kept:  # the units kept are still in order of march
            _sort(act, n_act)
        gone = 0
        for i in range(n_act - 1, -1, -1):  # back to front: each reads its leader unmoved
            u = act[i]
            if fast and x[ui[u, UI_FIRST]] < sf[u, SF_FAST_UNTIL]:
                n, next_rel = _fast_unit_step(u, t, dt, x, v, ai, af, ui, uf, lim, probes,
                                              p_stand, si, sf, t_rel, delay, stop_dur, head_t,
                                              tail_t, gap_m, next_rel)  # fmt: skip
            else:
                n, next_rel = _unit_step(u, t, dt, x, v, ai, af, ui, uf, lim, probes, p_stand,
                                         si, sf, t_rel, vdes, delay, stop_dur, head_t, tail_t,
                                         gap_m, next_rel)  # fmt: skip
            updates += n
            # Its follower has moved already (back to front): whether it is
            # done is known now, the same answer as after the whole step.
            if _done(u, x, af, ui, uf, si, probes.shape[0], p_stand):
                si[u, SI_MODE] = RETIRED
                retired += 1
                gone += 1
                _recheck_behind(u, ui, sf)
        trying = cruise and step % SLEEP_TRY_STEPS == 0
        if trying or gone > 0:
            kept = 0
            for i in range(n_act):  # front to back: each sees its leader's decision
                u = act[i]
                if si[u, SI_MODE] == RETIRED:
                    continue
                if (
                    trying
                    and _may_sleep(u, x, v, ai, ui, si, sf)
                    and _try_sleep(u, t + dt, dt, x, v, ai, af, ui, uf, si, sf, t_rel, vdes, lim,
                                   probes, p_stand)
                ):  # fmt: skip
                    n_heap = _heap_push(ht, hu, n_heap, sf[u, SF_WAKE], u)
                    _recheck_behind(u, ui, sf)
                else:
                    act[kept] = u
                    kept += 1
            n_act = kept
        step = _next_step(step, t0, dt, n_act, next_rel, ht[0] if n_heap > 0 else np.inf)
    return updates, retired == n_units


@njit(cache=True, fastmath=False, error_model="numpy")
def _pack(ag, un, route):  # type: ignore[no-untyped-def]
    """The kernel's rows: per agent its ints and floats, per unit the same, the limits."""
    n_a, n_u = ag.unit.shape[0], un.first.shape[0]
    ai = np.empty((n_a, 4), np.int64)
    af = np.empty((n_a, 10))
    for a in range(n_a):
        ai[a, AI_UNIT], ai[a, AI_LEADER], ai[a, AI_MODEL] = ag.unit[a], ag.leader[a], ag.model[a]
        lead = ag.leader[a]
        ai[a, AI_LEAD_UNIT] = ag.unit[lead] if lead >= 0 else -1
        af[a, AF_LEAD_LEN] = ag.length[lead] if lead >= 0 else 0.0
        af[a, AF_LEAD_FREE] = un.free_x[ag.unit[lead]] if lead >= 0 else np.inf
        af[a, AF_LEN], af[a, AF_RATIO] = ag.length[a], ag.speed_ratio[a]
        af[a, AF_ACCEL], af[a, AF_DECEL], af[a, AF_TAU] = ag.accel[a], ag.decel[a], ag.tau[a]
        af[a, AF_DELTA], af[a, AF_S0], af[a, AF_INV2SAB] = ag.delta[a], ag.s0[a], ag.inv_2sqrt_ab[a]
    ui = np.empty((n_u, 7), np.int64)
    uf = np.empty((n_u, 5))
    for u in range(n_u):
        ui[u, UI_FIRST], ui[u, UI_LAST], ui[u, UI_RULE] = un.first[u], un.last[u], un.rule[u]
        ui[u, UI_PREV], ui[u, UI_NEXT], ui[u, UI_GHOST] = un.prev[u], un.next[u], un.ghost[u]
        uf[u, UF_GAP], uf[u, UF_STOP_X], uf[u, UF_RETIRE_X] = (
            un.gap[u],
            un.stop_x[u],
            un.retire_x[u],
        )
        uf[u, UF_LEN], uf[u, UF_FREE_X] = un.length[u], un.free_x[u]
        ui[u, UI_BEHIND] = -1
        for a in range(un.first[u] + 1, un.last[u] + 1):
            if ag.leader[a] != a - 1:  # the fast step reads the agent in front directly
                raise ValueError("a unit's agents must follow one another in order")
    for u in range(n_u):
        lead = ag.leader[un.first[u]]
        if lead >= 0:
            ui[ag.unit[lead], UI_BEHIND] = u
    n_l = route.limit_from.shape[0]
    lim = np.empty((n_l, 3))
    for k in range(n_l):
        lim[k, 0], lim[k, 1], lim[k, 2] = (
            route.limit_from[k],
            route.limit_to[k],
            route.limit_speed[k],
        )
    return ai, af, ui, uf, lim


@njit(cache=True, fastmath=False, parallel=True)
def run_chunk(
    ag: Agents, un: Units, route: Route, clock: Clock,
    motion: Motion, draws: Draws, record: Record, outcomes: Outcomes,
) -> None:  # fmt: skip
    """Run every run of the chunk (``[runs, …]`` arrays), in place, runs spread over the cores."""
    # Opened once here (see the module's docstring); also, Numba's parallel
    # loop dropped stores into an array read from a tuple (numba 0.68.1).
    ai, af, ui, uf, lim = _pack(ag, un, route)
    x, v = motion.x, motion.v
    release_t, speed, delay, stop_s = draws.release_t, draws.speed, draws.delay, draws.stop_s
    head_t, tail_t, gap_m = record.head_t, record.tail_t, record.gap_m
    updates, finished = outcomes.updates, outcomes.finished
    probes, p_stand = route.probes, route.stand
    t0, dt, n_steps, cruise = clock.t0, clock.dt, clock.n_steps, clock.shortcuts
    fast = clock.fast_step
    n_units = ui.shape[0]
    for r in prange(x.shape[0]):
        # A run's scratch rows: allocated here, as _run may not (see the module's docstring).
        si = np.zeros((n_units, 5), np.int64)
        sf = np.zeros((n_units, 8))
        sf[:, SF_HEAD_WATCH] = -np.inf  # worked out at the first step
        sf[:, SF_TAIL_WATCH] = -np.inf
        sf[:, SF_FAST_UNTIL] = -np.inf
        act = np.empty(n_units, np.int64)
        ht = np.empty(n_units)
        hu = np.empty(n_units, np.int64)
        n, ok = _run(
            x[r], v[r], ai, af, ui, uf, lim, probes, p_stand, t0, dt, n_steps, cruise, fast,
            release_t[r], speed[r], delay[r], stop_s[r], head_t[r], tail_t[r], gap_m[r],
            si, sf, act, ht, hu,
        )  # fmt: skip
        updates[r] = n
        finished[r] = ok
