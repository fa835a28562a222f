"""The compiled kernel: every agent of every run, step by step (Numba).

One call advances a chunk of Monte Carlo runs from the first step-off to the
last tail. It takes the named groups of :mod:`paradeops.simulation.kernel_data`
(agents, units, route, clock; per run: draws, motion, record) and fills the
record and outcomes in place. Inside, the per-run loop takes the arrays one
by one: Numba counts a reference each time an array is read out of a tuple,
and inside the agent loop that made the kernel 25 times slower (measured,
numba 0.68.1), so the groups are opened once per chunk.

Runs are independent, so they are spread over the cores (``prange``);
inside a run the loop goes over time steps, then over the agents on the
road, in place, with no temporaries: a run's state (a few hundred positions
and speeds) stays in the CPU cache.

The update is synchronous, as in SUMO: every agent decides its new speed
from the state at the start of the step. Agents are stored in order of march
(a leader always has a smaller index than its follower), so walking them from
the back to the front reads each leader before it is moved.

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


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _limit(tail, head, lim_a, lim_b, lim_v):  # type: ignore[no-untyped-def]
    """The lowest speed limit over ``[tail, head]`` (inf where there is none).

    A formation keeps its dress at every speed: it keeps to a limit while any
    part of it is inside the stretch.
    """
    vmax = np.inf
    for k in range(lim_a.shape[0]):
        if lim_a[k] <= head and tail < lim_b[k] and lim_v[k] < vmax:
            vmax = lim_v[k]
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
def _record(u, back, xo, xn, vo, vn, t, dt, probes, out, nxt):  # type: ignore[no-untyped-def]
    """Times at which the point ``back`` metres behind the front passes each probe."""
    k = nxt[u]
    n = probes.shape[0]
    while k < n and xn - back >= probes[k]:
        out[u, k] = t + _tau(probes[k] + back, xo, xn, vo, vn, dt)
        k += 1
    nxt[u] = k


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


@njit(cache=True, fastmath=False, error_model="numpy")
def _run(  # type: ignore[no-untyped-def]
    x, v,  # [A] state, in place
    a_unit, a_leader, a_len, a_model, a_ratio, a_accel, a_decel, a_tau, a_delta, a_s0,
    u_first, u_last, u_rule, u_prev, u_next, u_gap, u_ghost, u_stop_x, u_retire_x, u_len,
    u_free_x, t_rel, vdes, delay, stop_dur,  # [U] this run's release times and samples
    lim_a, lim_b, lim_v, probes, p_stand,
    t0, dt, n_steps,
    head_t, tail_t, gap_m,  # [U, P], [U, P], [U] outputs
):  # fmt: skip
    n_units = u_first.shape[0]
    n_probes = probes.shape[0]
    a_inv2sab = 0.5 / np.sqrt(a_accel * a_decel)  # 1 / (2·sqrt(a·b)), per agent
    has_limits = lim_a.shape[0] > 0
    state = np.zeros(n_units, np.int64)
    stop_state = np.zeros(n_units, np.int64)
    stop_until = np.zeros(n_units)
    head_nxt = np.zeros(n_units, np.int64)
    tail_nxt = np.zeros(n_units, np.int64)
    next_rel = np.inf  # earliest release among the waiting units
    for u in range(n_units):
        if t_rel[u] < next_rel:
            next_rel = t_rel[u]
    lo = 0  # units below lo are retired
    hi = -1  # no unit above hi has stepped off
    retired = 0
    updates = 0
    for step in range(n_steps):
        t = t0 + step * dt
        t_end = t + dt - EVENT_EPS_S  # a step-off before this moves in this step
        if next_rel < t_end:
            next_rel = np.inf
            for u in range(n_units):
                if state[u] == WAITING:
                    if t_rel[u] < t_end:
                        state[u] = STARTING
                        if u > hi:
                            hi = u
                    elif t_rel[u] < next_rel:
                        next_rel = t_rel[u]
        for u in range(hi, lo - 1, -1):
            # The step of a unit runs from tu for hu seconds: its first one from
            # its exact step-off, so a step-off off the grid is not rounded to
            # it (a gap that opened during the last step: a longer one).
            tu = t
            hu = dt
            if state[u] == STARTING:
                state[u] = ACTIVE
                if abs(t_rel[u] - t) > EVENT_EPS_S:
                    tu = t_rel[u]
                    hu = t + dt - tu
            elif state[u] != ACTIVE:
                continue
            first = u_first[u]
            last = u_last[u]
            vd = vdes[u]
            if has_limits:
                # One desired speed for the whole unit, capped by every limit
                # over its planned road space (the engine's rule).
                lim = _limit(x[first] - u_len[u], x[first], lim_a, lim_b, lim_v)
                if lim < vd:
                    vd = lim
            for a in range(last, first - 1, -1):
                ta = tu
                ha = hu
                xa = x[a]
                va = v[a]
                v0 = a_ratio[a] * vd
                lead = a_leader[a]
                gap = np.inf
                vl = 0.0
                if lead >= 0 and state[a_unit[lead]] != RETIRED:
                    gap = x[lead] - a_len[lead] - xa
                    vl = v[lead]
                    if a == first and gap + xa >= u_free_x[a_unit[lead]]:
                        # The unit ahead's tail has passed the release point:
                        # it has dispersed and holds no one (the engine's rule).
                        gap = np.inf
                        vl = 0.0
                model = a_model[a]
                if model == MODEL_RANK:
                    vn = _rank_speed(va, vl, gap, v0, a_s0[a], a_tau[a], a_accel[a], a_decel[a], ha)
                    gap -= RANK_MIN_M
                else:
                    is_head = a == first
                    if is_head and stop_state[u] == STOP_STOPPED:
                        if stop_until[u] >= t + dt - EVENT_EPS_S:
                            v[a] = 0.0
                            updates += 1
                            continue
                        stop_state[u] = STOP_DONE
                        # It moves off at the stop's exact end, not the next step's start.
                        if abs(stop_until[u] - t) > EVENT_EPS_S:
                            ta = stop_until[u]
                            ha = t + dt - ta
                    bcomf = a_decel[a]
                    acc = _idm_accel(
                        model, va, vl, gap, v0,
                        a_accel[a], bcomf, a_tau[a], a_delta[a], a_s0[a], a_inv2sab[a],
                    )  # fmt: skip
                    vn = va + acc * ha
                    if is_head:
                        # Braking curves at b: the head gets to its show stop
                        # at rest and to a speed limit at the limit, as the
                        # engine's unit does (the engine without braking).
                        vm = vn if vn > va else va
                        reach = vm * (ha + 0.5 * vm / bcomf)  # further off, no curve binds
                        if stop_state[u] == STOP_NONE and u_stop_x[u] - xa < reach:
                            vs = _brake_speed(u_stop_x[u] - xa, va, bcomf, ha, 0.0)
                            if vs < vn:
                                vn = vs
                        if has_limits:
                            for k in range(lim_a.shape[0]):
                                g = lim_a[k] - xa
                                if 0.0 < g < reach and lim_v[k] < vn:
                                    vs = _brake_speed(g, va, bcomf, ha, lim_v[k])
                                    if vs < vn:
                                        vn = vs
                if vn < 0.0:
                    vn = 0.0
                dx = 0.5 * (va + vn) * ha
                if dx > gap:  # never into the leader
                    dx = gap if gap > 0.0 else 0.0
                    if vn > dx / ha:
                        vn = dx / ha
                xn = xa + dx
                updates += 1
                hr = ha  # the move's duration for timing passes
                if a == first:
                    if (
                        u_stop_x[u] < np.inf
                        and stop_state[u] == STOP_NONE
                        and xn >= u_stop_x[u] - STOP_SNAP_M
                    ):
                        stop_state[u] = STOP_STOPPED
                        g = u_stop_x[u] - xa
                        if vn == 0.0 and va > 0.0 and g > 0.0:
                            # Braked to rest: at a constant deceleration it
                            # is there after 2g/va (the step's parabola,
                            # snapped to the stop point, would not say when).
                            hr = 2.0 * g / va
                            if hr > ha:
                                hr = ha
                        else:
                            hr = _tau(u_stop_x[u], xa, xn, va, vn, ha)
                        stop_until[u] = ta + hr + stop_dur[u]
                        xn = u_stop_x[u] if xa < u_stop_x[u] else xa
                        vn = 0.0
                    k0 = head_nxt[u]
                    _record(u, 0.0, xa, xn, va, vn, ta, hr, probes, head_t, head_nxt)
                    if k0 <= p_stand < head_nxt[u]:
                        w = u_prev[u]
                        if w >= 0:
                            tl = u_last[w]
                            tc = head_t[u, p_stand] - t
                            tail_x = x[tl] - a_len[tl] + v[tl] * tc
                            # Only the route counts (the engine's rule).
                            if tail_x > u_free_x[w]:
                                tail_x = u_free_x[w]
                            gap_m[u] = tail_x - probes[p_stand]
                if a == last:
                    rear = a_len[a]
                    _record(u, rear, xa, xn, va, vn, ta, hr, probes, tail_t, tail_nxt)
                    f = u_next[u]
                    if f >= 0 and u_rule[f] == RULE_GAP and t_rel[f] == np.inf:
                        p = u_gap[f] + rear
                        if xn >= p:
                            tc = ta + _tau(p, xa, xn, va, vn, hr)
                            t_rel[f] = tc + (delay[f] if delay[f] > 0.0 else 0.0)
                            gh = u_ghost[f]
                            if gh >= 0:
                                t_rel[gh] = t_rel[f]
                            if t_rel[f] < next_rel:
                                next_rel = t_rel[f]
                x[a] = xn
                v[a] = vn
            # Off the road: stop moving this unit once nobody needs it any more.
            if u_rule[u] == RULE_GHOST:
                done = head_nxt[u] > p_stand
            else:
                done = tail_nxt[u] >= n_probes and x[last] - a_len[last] >= u_retire_x[u]
                f = u_next[u]
                if done and f >= 0:
                    done = head_nxt[f] > p_stand
            if done:
                state[u] = RETIRED
                retired += 1
        while lo < n_units and state[lo] == RETIRED:
            lo += 1
        if retired == n_units:
            break
    return updates, retired == n_units


@njit(cache=True, fastmath=False, parallel=True)
def run_chunk(
    ag: Agents, un: Units, route: Route, clock: Clock,
    motion: Motion, draws: Draws, record: Record, outcomes: Outcomes,
) -> None:  # fmt: skip
    """Run every run of the chunk (``[runs, …]`` arrays), in place, runs spread over the cores."""
    # Opened once here (see the module's docstring); also, Numba's parallel
    # loop dropped stores into an array read from a tuple (numba 0.68.1).
    x, v = motion.x, motion.v
    release_t, speed, delay, stop_s = draws.release_t, draws.speed, draws.delay, draws.stop_s
    head_t, tail_t, gap_m = record.head_t, record.tail_t, record.gap_m
    updates, finished = outcomes.updates, outcomes.finished
    a_unit, a_leader, a_len, a_model = ag.unit, ag.leader, ag.length, ag.model
    a_ratio, a_accel, a_decel = ag.speed_ratio, ag.accel, ag.decel
    a_tau, a_delta, a_s0 = ag.tau, ag.delta, ag.s0
    u_first, u_last, u_rule, u_prev, u_next = un.first, un.last, un.rule, un.prev, un.next
    u_gap, u_ghost, u_stop_x, u_retire_x = un.gap, un.ghost, un.stop_x, un.retire_x
    u_len, u_free_x = un.length, un.free_x
    lim_a, lim_b, lim_v = route.limit_from, route.limit_to, route.limit_speed
    probes, p_stand = route.probes, route.stand
    t0, dt, n_steps = clock.t0, clock.dt, clock.n_steps
    for r in prange(x.shape[0]):
        n, ok = _run(
            x[r], v[r],
            a_unit, a_leader, a_len, a_model, a_ratio, a_accel, a_decel, a_tau, a_delta, a_s0,
            u_first, u_last, u_rule, u_prev, u_next, u_gap, u_ghost, u_stop_x, u_retire_x,
            u_len, u_free_x, release_t[r], speed[r], delay[r], stop_s[r],
            lim_a, lim_b, lim_v, probes, p_stand,
            t0, dt, n_steps,
            head_t[r], tail_t[r], gap_m[r],
        )  # fmt: skip
        updates[r] = n
        finished[r] = ok
