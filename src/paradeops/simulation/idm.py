"""The compiled kernel: every agent of every run, step by step (Numba).

One call advances a chunk of Monte Carlo runs from the first step-off to the
last tail. It takes the named groups of :mod:`paradeops.simulation.kernel_data`
(agents, units, route, clock; per run: draws, motion, record) and fills the
record and outcomes in place. Runs are independent, so they are spread over the cores
(``prange``); inside a run the loop goes over time steps, then over the
agents on the road, in place, with no temporaries: a run's state (a few
hundred positions and speeds) stays in the CPU cache.

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
from collections.abc import Callable
from typing import Any, TypeVar, cast

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
    STOP_DONE,
    STOP_NONE,
    STOP_STOPPED,
    WAITING,
    Advance,
    Agents,
    Ahead,
    Clock,
    Draws,
    FloatArray,
    IntArray,
    Motion,
    Outcome,
    Outcomes,
    Record,
    Release,
    Route,
    Step,
    Units,
    UnitState,
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

_F = TypeVar("_F", bound=Callable[..., Any])


def _inline(fn: _F) -> _F:
    """Compiled into its caller (a named piece of the step, at no call cost)."""
    compiled = njit(cache=True, fastmath=False, error_model="numpy", inline="always")(fn)
    return cast(_F, compiled)


def _compiled(fn: _F) -> _F:
    compiled = njit(cache=True, fastmath=False, error_model="numpy")(fn)
    return cast(_F, compiled)


@_inline
def _limit(tail: float, head: float, route: Route) -> float:
    """The lowest speed limit over ``[tail, head]`` (inf where there is none).

    A formation keeps its dress at every speed: it keeps to a limit while any
    part of it is inside the stretch.
    """
    vmax = np.inf
    for k in range(route.limit_from.shape[0]):
        if route.limit_from[k] <= head and tail < route.limit_to[k] and route.limit_speed[k] < vmax:
            vmax = route.limit_speed[k]
    return vmax


@_inline
def _brake_speed(g: float, v: float, b: float, dt: float, v_end: float) -> float:
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


@_inline
def _tau(p: float, xo: float, xn: float, vo: float, vn: float, dt: float) -> float:
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


@_inline
def _record(
    u: int, back: float, xa: float, va: float, end: Step, t: float, dt: float,
    probes: FloatArray, times: FloatArray, nxt: IntArray,
) -> None:  # fmt: skip
    """Times at which the point ``back`` metres behind the front passes each probe."""
    k = nxt[u]
    n = probes.shape[0]
    while k < n and end.x - back >= probes[k]:
        times[u, k] = t + _tau(probes[k] + back, xa, end.x, va, end.v, dt)
        k += 1
    nxt[u] = k


@_inline
def _release_due(release_t: FloatArray, mode: IntArray, t_half: float, highest: int) -> Release:
    """Put on the road every waiting unit due by ``t_half`` (mid-step)."""
    next_t = np.inf
    for u in range(release_t.shape[0]):
        if mode[u] == WAITING:
            if release_t[u] <= t_half:
                mode[u] = ACTIVE
                if u > highest:
                    highest = u
            elif release_t[u] < next_t:
                next_t = release_t[u]
    return Release(next_t, highest)


@_inline
def _ahead(a: int, is_head: bool, ag: Agents, un: Units, mode: IntArray, m: Motion) -> Ahead:
    """The gap to the agent's leader and its speed, from the state at the start of the step."""
    lead = ag.leader[a]
    if lead < 0 or mode[ag.unit[lead]] == RETIRED:
        return Ahead(np.inf, 0.0)
    gap = m.x[lead] - ag.length[lead] - m.x[a]
    if is_head and gap + m.x[a] >= un.free_x[ag.unit[lead]]:
        # The unit ahead's tail has passed the release point: it has
        # dispersed and holds no one (the engine's rule).
        return Ahead(np.inf, 0.0)
    return Ahead(gap, m.v[lead])


@_inline
def _rank_speed(a: int, ag: Agents, va: float, ahead: Ahead, v0: float, dt: float) -> float:
    """Rank keeping: close the distance error in ``tau`` at a bounded change of pace."""
    target: float = ahead.speed + (ahead.gap - ag.s0[a]) / ag.tau[a]
    if target > v0:
        target = v0
    vn = target
    if vn > va + ag.accel[a] * dt:
        vn = va + ag.accel[a] * dt
    elif vn < va - ag.decel[a] * dt:
        vn = va - ag.decel[a] * dt
    return vn


@_inline
def _idm_accel(a: int, ag: Agents, model: int, va: float, ahead: Ahead, v0: float) -> float:
    """The IDM's (or improved IDM's) acceleration, bounded by :data:`EMERGENCY_DECEL`."""
    amax = ag.accel[a]
    bcomf = ag.decel[a]
    r = va / v0 if v0 > 0.0 else 1e3
    delta = ag.delta[a]
    if delta == 4.0:
        r2 = r * r
        free = r2 * r2
    else:
        free = r**delta
    z = 0.0
    gap = ahead.gap
    if gap < np.inf:
        s_star = va * (ag.tau[a] + (va - ahead.speed) * ag.inv_2sqrt_ab[a])
        if s_star < 0.0:
            s_star = 0.0
        s_star += ag.s0[a]
        z = s_star / (gap if gap > MIN_GAP_EPS else MIN_GAP_EPS)
    acc: float
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


@_inline
def _head_braking(
    u: int, xa: float, va: float, vn: float, b: float, stop: int, un: Units, route: Route,
    dt: float,
) -> float:  # fmt: skip
    """Braking curves at b: the head gets to its show stop at rest and to a
    speed limit at the limit, as the engine's unit does (the engine without braking)."""
    vm = vn if vn > va else va
    reach = vm * (dt + 0.5 * vm / b)  # further off, no curve binds
    if stop == STOP_NONE and un.stop_x[u] - xa < reach:
        vs = _brake_speed(un.stop_x[u] - xa, va, b, dt, 0.0)
        if vs < vn:
            vn = vs
    for k in range(route.limit_from.shape[0]):
        g = route.limit_from[k] - xa
        if 0.0 < g < reach and route.limit_speed[k] < vn:
            vs = _brake_speed(g, va, b, dt, route.limit_speed[k])
            if vs < vn:
                vn = vs
    return vn


@_inline
def _capped_move(xa: float, va: float, vn: float, gap: float, dt: float) -> Step:
    """The ballistic move, never into the leader."""
    if vn < 0.0:
        vn = 0.0
    dx = 0.5 * (va + vn) * dt
    if dx > gap:
        dx = gap if gap > 0.0 else 0.0
        if vn > dx / dt:
            vn = dx / dt
    return Step(xa + dx, vn)


@_inline
def _head_moved(
    u: int, xa: float, va: float, end: Step, t: float, dt: float,
    ag: Agents, un: Units, route: Route, m: Motion, dr: Draws, rec: Record, st: UnitState,
) -> Step:  # fmt: skip
    """After a head's move: arrive at its show stop, time the probes,
    measure the gap at the stand."""
    stop_x = un.stop_x[u]
    if stop_x < np.inf and st.stop[u] == STOP_NONE and end.x >= stop_x - STOP_SNAP_M:
        st.stop[u] = STOP_STOPPED
        st.stop_until[u] = t + _tau(stop_x, xa, end.x, va, end.v, dt) + dr.stop_s[u]
        end = Step(stop_x if xa < stop_x else xa, 0.0)
    k0 = st.head_next[u]
    _record(u, 0.0, xa, va, end, t, dt, route.probes, rec.head_t, st.head_next)
    stand = route.stand
    if k0 <= stand < st.head_next[u]:
        w = un.prev[u]
        if w >= 0:
            tl = un.last[w]
            tc = rec.head_t[u, stand] - t
            tail_x = m.x[tl] - ag.length[tl] + m.v[tl] * tc
            # Only the route counts (the engine's rule).
            if tail_x > un.free_x[w]:
                tail_x = un.free_x[w]
            rec.gap_m[u] = tail_x - route.probes[stand]
    return end


@_inline
def _tail_moved(
    u: int, rear: float, xa: float, va: float, end: Step, t: float, dt: float,
    un: Units, route: Route, dr: Draws, rec: Record, st: UnitState, next_release: float,
) -> float:  # fmt: skip
    """After a tail's move: time the probes and open the gap of the unit behind.

    Returns the earliest step-off still to come.
    """
    _record(u, rear, xa, va, end, t, dt, route.probes, rec.tail_t, st.tail_next)
    f = un.next[u]
    if f >= 0 and un.rule[f] == RULE_GAP and dr.release_t[f] == np.inf:
        p = un.gap[f] + rear
        if end.x >= p:
            tc = t + _tau(p, xa, end.x, va, end.v, dt)
            dr.release_t[f] = tc + (dr.delay[f] if dr.delay[f] > 0.0 else 0.0)
            gh = un.ghost[f]
            if gh >= 0:
                dr.release_t[gh] = dr.release_t[f]
            if dr.release_t[f] < next_release:
                next_release = dr.release_t[f]
    return next_release


@_inline
def _desired_speed(u: int, ag: Agents, un: Units, route: Route, m: Motion, dr: Draws) -> float:
    """One desired speed for the whole unit, capped by every limit over its
    planned road space (the engine's rule)."""
    vd: float = dr.speed[u]
    if route.limit_from.shape[0] > 0:
        head_x = m.x[un.first[u]]
        lim = _limit(head_x - un.length[u], head_x, route)
        if lim < vd:
            vd = lim
    return vd


@_inline
def _advance_unit(
    u: int, t: float, dt: float, ag: Agents, un: Units, route: Route,
    m: Motion, dr: Draws, rec: Record, st: UnitState, next_release: float,
) -> Advance:  # fmt: skip
    """Move every agent of unit ``u`` one step, from its tail to its head."""
    first = un.first[u]
    last = un.last[u]
    vd = _desired_speed(u, ag, un, route, m, dr)
    updates = 0
    for a in range(last, first - 1, -1):
        is_head = a == first
        xa = m.x[a]
        va = m.v[a]
        v0 = ag.speed_ratio[a] * vd
        ahead = _ahead(a, is_head, ag, un, st.mode, m)
        gap = ahead.gap
        model = ag.model[a]
        if model == MODEL_RANK:
            vn = _rank_speed(a, ag, va, ahead, v0, dt)
            gap -= RANK_MIN_M
        else:
            if is_head and st.stop[u] == STOP_STOPPED:
                if t + 1e-9 < st.stop_until[u]:
                    m.v[a] = 0.0  # standing at its show stop
                    updates += 1
                    continue
                st.stop[u] = STOP_DONE
            vn = va + _idm_accel(a, ag, model, va, ahead, v0) * dt
            if is_head:
                vn = _head_braking(u, xa, va, vn, ag.decel[a], st.stop[u], un, route, dt)
        end = _capped_move(xa, va, vn, gap, dt)
        updates += 1
        if is_head:
            end = _head_moved(u, xa, va, end, t, dt, ag, un, route, m, dr, rec, st)
        if a == last:
            next_release = _tail_moved(
                u, ag.length[a], xa, va, end, t, dt, un, route, dr, rec, st, next_release
            )
        m.x[a] = end.x
        m.v[a] = end.v
    return Advance(updates, next_release)


@_inline
def _off_the_road(u: int, ag: Agents, un: Units, route: Route, m: Motion, st: UnitState) -> bool:
    """Whether nobody needs unit ``u`` any more: it may stop moving."""
    if un.rule[u] == RULE_GHOST:
        return bool(st.head_next[u] > route.stand)
    last = un.last[u]
    done: bool = (
        st.tail_next[u] >= route.probes.shape[0] and m.x[last] - ag.length[last] >= un.retire_x[u]
    )
    f = un.next[u]
    if done and f >= 0:
        done = st.head_next[f] > route.stand
    return done


@_compiled
def _run(
    ag: Agents, un: Units, route: Route, clock: Clock, m: Motion, dr: Draws, rec: Record
) -> Outcome:
    """One run, from the first step-off until every unit is off the road or time is up."""
    n_units = un.first.shape[0]
    st = UnitState(
        np.zeros(n_units, np.int64),
        np.zeros(n_units, np.int64),
        np.zeros(n_units),
        np.zeros(n_units, np.int64),
        np.zeros(n_units, np.int64),
    )
    dt = clock.dt
    next_release = np.inf
    for u in range(n_units):
        if dr.release_t[u] < next_release:
            next_release = dr.release_t[u]
    lo = 0  # units below lo are retired
    hi = -1  # no unit above hi has stepped off
    retired = 0
    updates = 0
    for step in range(clock.n_steps):
        t = clock.t0 + step * dt
        if t + 0.5 * dt >= next_release:
            next_release, hi = _release_due(dr.release_t, st.mode, t + 0.5 * dt, hi)
        for u in range(hi, lo - 1, -1):
            if st.mode[u] != ACTIVE:
                continue
            moved = _advance_unit(u, t, dt, ag, un, route, m, dr, rec, st, next_release)
            updates += moved.updates
            next_release = moved.next_release
            if _off_the_road(u, ag, un, route, m, st):
                st.mode[u] = RETIRED
                retired += 1
        while lo < n_units and st.mode[lo] == RETIRED:
            lo += 1
        if retired == n_units:
            break
    return Outcome(updates, retired == n_units)


@njit(cache=True, fastmath=False, parallel=True)
def run_chunk(
    ag: Agents, un: Units, route: Route, clock: Clock,
    motion: Motion, draws: Draws, record: Record, outcomes: Outcomes,
) -> None:  # fmt: skip
    """Run every run of the chunk (``[runs, …]`` arrays), in place, runs spread over the cores."""
    # Numba's parallel loop dropped stores into an array read from a tuple (numba 0.68.1):
    # write through local names.
    updates = outcomes.updates
    finished = outcomes.finished
    for r in prange(motion.x.shape[0]):
        out = _run(
            ag, un, route, clock,
            Motion(motion.x[r], motion.v[r]),
            Draws(draws.release_t[r], draws.speed[r], draws.delay[r], draws.stop_s[r]),
            Record(record.head_t[r], record.tail_t[r], record.gap_m[r]),
        )  # fmt: skip
        updates[r] = out.updates
        finished[r] = out.finished
