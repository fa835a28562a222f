"""The whole column at once: Newell's envelope unit after unit, as scalar loops.

This is :mod:`paradeops.timing.envelope` written as loops over all units in
one call. Run as plain Python it schedules a parade of a hundred units in a
few tens of milliseconds; compiled by numba (the ``sim`` extra) a parade of
10,000 units takes a fraction of a second instead of the minutes the plain
loops would. ``envelope`` stays the readable reference; the tests check that
the plain, the compiled and the reference agree on random plans.

numba is never imported here until :func:`compiled` is called: importing it
and loading (or, on a fresh install, compiling) the kernel costs from half a
second to many seconds, more than a small parade takes in plain Python.
:func:`paradeops.timing.engine.schedule` decides which one runs.

Layout: unit ``i``'s trajectory breakpoints are ``x[offsets[i]:offsets[i+1]]``
(with ``t_arrive``, ``t_leave``), as in :class:`~paradeops.timing.schedule.Trajectory`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import FunctionType, SimpleNamespace
from typing import Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
F = TypeVar("F", bound=Callable[..., Any])

#: How a unit steps off (``ColumnUnits.step_off_rule``).
STEP_GAP, STEP_FIXED, STEP_TARGET_HEAD, STEP_TARGET_TAIL = 0, 1, 2, 3
_EPS = 1e-7


class ColumnUnits(NamedTuple):
    """The ground units of a column, one array element per unit in order of march."""

    length_m: FloatArray
    speed_ms: FloatArray
    #: Planned gap to the unit ahead at step-off.
    gap_m: FloatArray
    #: ``STEP_GAP``, ``STEP_FIXED``, ``STEP_TARGET_HEAD`` or ``STEP_TARGET_TAIL``.
    step_off_rule: IntArray
    #: The fixed step-off, or the target time, of that rule [s].
    rule_time_s: FloatArray
    #: Where a target is to be met [m].
    target_at_m: FloatArray
    #: Where the unit's show stop is [m], and how long it lasts [s] (0: none).
    stop_at_m: FloatArray
    stop_s: FloatArray


class RouteLimits(NamedTuple):
    """The route as the kernel needs it: checkpoints, speed limits, spacing."""

    #: Distance of every checkpoint from the start [m]; the last is the release point.
    checkpoints_m: FloatArray
    #: Index of the reviewing stand in ``checkpoints_m``.
    reviewing: int
    #: Far enough past the release point for every tail to pass it [m].
    end_m: float
    #: Closest a unit may come to the tail of the one ahead [m].
    min_gap_m: float
    #: Speed limit ``i`` caps ``[limit_from_m[i], limit_to_m[i])`` at ``limit_ms[i]``.
    limit_from_m: FloatArray
    limit_to_m: FloatArray
    limit_ms: FloatArray


class Breakpoints(NamedTuple):
    """A piecewise-linear trajectory: the head arrives at ``x[j]`` at ``t_arrive[j]``."""

    x: FloatArray
    t_arrive: FloatArray
    #: When the head leaves ``x[j]`` (later than arriving where it stops or is held).
    t_leave: FloatArray


class ColumnTimes(NamedTuple):
    """What :func:`schedule_column` returns; ``[i]`` is unit ``i``, ``[i, k]`` checkpoint ``k``."""

    #: Unit ``i``'s breakpoints are ``path.x[offsets[i]:offsets[i + 1]]``.
    offsets: IntArray
    path: Breakpoints
    step_off: FloatArray
    #: Where the unit was first held back (NaN: never).
    hold_from_m: FloatArray
    #: When its head reached that place (NaN: never held).
    hold_time: FloatArray
    #: When its tail would pass the release point had no one held it.
    free_end: FloatArray
    head: FloatArray
    head_leaves: FloatArray
    tail: FloatArray
    #: Empty road from the reviewing stand to the leader's tail as the head reaches the stand.
    gap_at_reviewing: FloatArray


_KERNEL_FUNCTIONS: list[str] = []


def kernel_function(function: F) -> F:
    """Mark ``function`` as part of the kernel that :func:`compiled` compiles.

    The function itself stays plain Python: that is the kernel without numba.
    """
    _KERNEL_FUNCTIONS.append(function.__name__)
    return function


@functools.cache
def compiled() -> SimpleNamespace:
    """The kernel compiled by numba (imported here, on first call); ImportError without it.

    Each kernel function is copied with a namespace in which the other
    kernel functions are numba's, so compiled code calls compiled code. The
    compiled machine code is cached on disk next to this file.
    """
    import numba

    namespace = dict(globals())
    for name in _KERNEL_FUNCTIONS:
        plain = namespace[name]
        copy = FunctionType(plain.__code__, namespace, name, plain.__defaults__)
        copy.__qualname__, copy.__doc__ = plain.__qualname__, plain.__doc__
        namespace[name] = numba.njit(cache=True)(copy)
    return SimpleNamespace(**{name: namespace[name] for name in _KERNEL_FUNCTIONS})


def is_compiled() -> bool:
    """Whether this process has already loaded the compiled kernel."""
    return compiled.cache_info().currsize > 0


@kernel_function
def _evaluate(path: Breakpoints, q: float, arriving: bool) -> float:
    """When the head arrives at (or leaves) position ``q``; past the end, at its last pace."""
    x, t_arrive, t_leave = path
    n = x.shape[0]
    if q >= x[n - 1] - _EPS:
        if abs(q - x[n - 1]) <= _EPS:
            return float(t_arrive[n - 1] if arriving else t_leave[n - 1])
        pace = (t_arrive[n - 1] - t_leave[n - 2]) / (x[n - 1] - x[n - 2])
        return float(t_leave[n - 1] + (q - x[n - 1]) * pace)
    j = max(int(np.searchsorted(x, q, side="right")) - 1, 0)
    if abs(q - x[j]) <= _EPS:
        return float(t_arrive[j] if arriving else t_leave[j])
    if j + 1 < n and abs(q - x[j + 1]) <= _EPS:
        return float(t_arrive[j + 1] if arriving else t_leave[j + 1])
    frac = (q - x[j]) / (x[j + 1] - x[j])
    return float(t_leave[j] + frac * (t_arrive[j + 1] - t_leave[j]))


@kernel_function
def _position(path: Breakpoints, t: float) -> float:
    """Head position at time ``t`` (the inverse of the trajectory)."""
    x, t_arrive, t_leave = path
    n = x.shape[0]
    if t <= t_arrive[0]:
        return float(x[0])
    for j in range(n):
        if t <= t_leave[j]:
            if t >= t_arrive[j]:
                return float(x[j])
            # Moving between breakpoints j-1 and j.
            frac = (t - t_leave[j - 1]) / (t_arrive[j] - t_leave[j - 1])
            return float(x[j - 1] + frac * (x[j] - x[j - 1]))
    return float(x[n - 1])


@kernel_function
def _free_flow(units: ColumnUnits, i: int, route: RouteLimits) -> Breakpoints:
    """Unit ``i``'s free travel time from the start, by head position (``envelope.free_flow``).

    A rigid unit is capped by a limit from when its head enters the stretch
    until its tail leaves it: for the head, each stretch ends ``length`` later
    (``envelope.limits_on_head``).
    """
    speed, length = units.speed_ms[i], units.length_m[i]
    stop_at, stop_s = units.stop_at_m[i], units.stop_s[i]
    xs = _free_flow_breaks(length, stop_at, stop_s, route)
    n = xs.shape[0]
    t_arrive = np.zeros(n)
    t_leave = np.zeros(n)
    t = 0.0
    for j in range(n):
        if j > 0:
            mid = 0.5 * (xs[j - 1] + xs[j])
            v = speed
            for k in range(route.limit_ms.shape[0]):
                inside = route.limit_from_m[k] <= mid < route.limit_to_m[k] + length
                if inside and route.limit_ms[k] < v:
                    v = route.limit_ms[k]
            t += (xs[j] - xs[j - 1]) / v
        t_arrive[j] = t
        if stop_s > 0.0 and abs(xs[j] - stop_at) <= _EPS:
            t += stop_s
        t_leave[j] = t
    return Breakpoints(xs, t_arrive, t_leave)


@kernel_function
def _free_flow_breaks(length: float, stop_at: float, stop_s: float, route: RouteLimits) -> Any:
    """Where a free-flowing head changes speed or stops: sorted, each once."""
    end = route.end_m
    m = route.limit_ms.shape[0]
    cuts = np.empty(2 * m + 3)
    cuts[0] = 0.0
    cuts[1] = end
    k = 2
    for i in range(m):
        cuts[k] = min(max(route.limit_from_m[i], 0.0), end)
        cuts[k + 1] = min(max(route.limit_to_m[i] + length, 0.0), end)
        k += 2
    if stop_s > 0.0:
        cuts[k] = min(max(stop_at, 0.0), end)
        k += 1
    # Sorted and deduplicated by hand: np.unique imports numpy.ma (NumPy 2.3),
    # a quarter of the kernel's cost in a one-shot `paradeops validate`.
    cuts = np.sort(cuts[:k])
    keep = np.empty(k, dtype=np.bool_)
    keep[0] = True
    keep[1:] = cuts[1:] != cuts[:-1]
    return cuts[keep]


@kernel_function
def _hold_candidates(
    free: Breakpoints, leader: Breakpoints, shift: float, end: float, released: float
) -> Any:
    """Positions where the held envelope may bend: the unit's own breakpoints,
    the leader's shifted back by ``shift``, and ``released``; sorted, each once."""
    cand = np.empty(free.x.shape[0] + leader.x.shape[0] + 2)
    k = 0
    if 0.0 < released < end:
        cand[k] = released
        k += 1
    for j in range(free.x.shape[0]):
        cand[k] = free.x[j]
        k += 1
    for j in range(leader.x.shape[0]):
        y = leader.x[j] - shift
        if _EPS < y < end - _EPS:
            cand[k] = y
            k += 1
    cand = np.sort(cand[:k])
    xs = np.empty(k)
    n = 0
    for j in range(k):
        if n == 0 or cand[j] - xs[n - 1] > _EPS:
            xs[n] = cand[j]
            n += 1
    return xs[:n]


@kernel_function
def _hold(
    free: Breakpoints,
    leader: Breakpoints,
    shift: float,
    step_off: float,
    end: float,
    released: float,
) -> tuple[Breakpoints, float]:
    """Envelope of a unit (``free`` flow from ``step_off``) behind ``leader``.

    ``T(x) = F(x) + max(T0, max_{y <= x} (C(y) - F(y)))``: the running
    maximum ``delay`` is carried along the candidate positions. Past
    ``released`` (the follower's head position when the leader's tail leaves
    the last checkpoint) the leader has dispersed and holds no one. Returns
    the trajectory and where the hold began (NaN: never held).
    """
    xs = _hold_candidates(free, leader, shift, end, released)
    n = xs.shape[0]
    cap = 2 * n + 2
    out_x = np.empty(cap)
    out_arrive = np.empty(cap)
    out_leave = np.empty(cap)
    m = 0
    delay = step_off
    first_held = np.nan
    prev_leave_gap = 0.0
    prev_free_leave = 0.0
    for j in range(n):
        y = xs[j]
        free_arrive, free_leave, arrive_gap, leave_gap = _held_back_by(
            free, leader, y, shift, released
        )
        if j > 0 and prev_leave_gap < delay - 1e-9 and arrive_gap > delay + 1e-9:
            # The gap climbs through the running maximum inside this stretch.
            frac = (delay - prev_leave_gap) / (arrive_gap - prev_leave_gap)
            out_x[m] = xs[j - 1] + frac * (y - xs[j - 1])
            out_arrive[m] = delay + prev_free_leave + frac * (free_arrive - prev_free_leave)
            out_leave[m] = out_arrive[m]
            m += 1
        if arrive_gap > delay:
            delay = arrive_gap
        delay_arriving = delay
        if leave_gap > delay:
            delay = leave_gap
        if np.isnan(first_held):
            last_x = out_x[m - 1] if m > 0 else y
            first_held = _hold_began(delay_arriving, delay, step_off, last_x, y)
        out_x[m] = y
        out_arrive[m] = delay_arriving + free_arrive
        out_leave[m] = delay + free_leave
        m += 1
        prev_leave_gap = leave_gap
        prev_free_leave = free_leave
    return _prune(Breakpoints(out_x[:m], out_arrive[:m], out_leave[:m])), first_held


@kernel_function
def _held_back_by(
    free: Breakpoints, leader: Breakpoints, y: float, shift: float, released: float
) -> tuple[float, float, float, float]:
    """At position ``y``: when the free-flowing head arrives and leaves, and how much
    later the leader lets it arrive and leave (-inf past ``released``: no one held)."""
    free_arrive = _evaluate(free, y, True)
    free_leave = _evaluate(free, y, False)
    if y <= released + _EPS:
        earliest_arrive = _evaluate(leader, y + shift, True)
        earliest_leave = _evaluate(leader, y + shift, False)
    else:
        earliest_arrive = -np.inf
        earliest_leave = -np.inf
    return free_arrive, free_leave, earliest_arrive - free_arrive, earliest_leave - free_leave


@kernel_function
def _hold_began(
    delay_arriving: float, delay: float, step_off: float, last_x: float, y: float
) -> float:
    """Where the hold began if the running delay now exceeds the step-off (else NaN):
    at ``last_x`` if it rose while arriving (since the last breakpoint), else at ``y``."""
    if delay_arriving > step_off + 1e-6:
        return last_x
    if delay > step_off + 1e-6:
        return y
    return np.nan


@kernel_function
def _prune(path: Breakpoints) -> Breakpoints:
    """Without the breakpoints where the pace does not change and the head does not stop."""
    x, t_arrive, t_leave = path
    n = x.shape[0]
    keep = np.ones(n, dtype=np.bool_)
    for j in range(1, n - 1):
        before = (t_arrive[j] - t_leave[j - 1]) / (x[j] - x[j - 1])
        after = (t_arrive[j + 1] - t_leave[j]) / (x[j + 1] - x[j])
        if abs(before - after) <= 1e-9 and t_leave[j] - t_arrive[j] <= 1e-9:
            keep[j] = False
    return Breakpoints(x[keep], t_arrive[keep], t_leave[keep])


@kernel_function
def _step_off(units: ColumnUnits, i: int, free: Breakpoints, leader: Breakpoints) -> float:
    """When unit ``i`` steps off by its rule (time zero for the first unit)."""
    rule, at = units.step_off_rule[i], units.target_at_m[i]
    if i == 0:
        return 0.0
    if rule == STEP_FIXED:
        return float(units.rule_time_s[i])
    if rule == STEP_TARGET_HEAD:
        return float(units.rule_time_s[i] - _evaluate(free, at, True))
    if rule == STEP_TARGET_TAIL:
        return float(units.rule_time_s[i] - _evaluate(free, at + units.length_m[i], True))
    # When the leader's head is its length and the planned gap past the start.
    return _evaluate(leader, units.length_m[i - 1] + units.gap_m[i], True)


@kernel_function
def _slice(store: Breakpoints, offsets: IntArray, i: int) -> Breakpoints:
    """Unit ``i``'s trajectory in the column's store."""
    a, b = offsets[i], offsets[i + 1]
    return Breakpoints(store.x[a:b], store.t_arrive[a:b], store.t_leave[a:b])


@kernel_function
def _stored(store: Breakpoints, offsets: IntArray, i: int, path: Breakpoints) -> Breakpoints:
    """``store`` with unit ``i``'s ``path`` appended (a new, doubled store when full)."""
    m = path.x.shape[0]
    start = offsets[i]
    size = store.x.shape[0]
    while start + m > size:
        size *= 2
    if size > store.x.shape[0]:
        store = Breakpoints(
            _grown(store.x, size), _grown(store.t_arrive, size), _grown(store.t_leave, size)
        )
    store.x[start : start + m] = path.x
    store.t_arrive[start : start + m] = path.t_arrive
    store.t_leave[start : start + m] = path.t_leave
    offsets[i + 1] = start + m
    return store


@kernel_function
def _grown(a: FloatArray, size: int) -> FloatArray:
    out = np.empty(size)
    out[: a.shape[0]] = a
    return out


@kernel_function
def _empty_times(n: int, k: int) -> ColumnTimes:
    cap = max(16, 8 * n)
    store = Breakpoints(np.empty(cap), np.empty(cap), np.empty(cap))
    return ColumnTimes(
        np.zeros(n + 1, dtype=np.int64), store, np.zeros(n), np.full(n, np.nan),
        np.full(n, np.nan), np.zeros(n), np.zeros((n, k)), np.zeros((n, k)),
        np.zeros((n, k)), np.full(n, np.nan),
    )  # fmt: skip


@kernel_function
def _record_passes(
    times: ColumnTimes, i: int, path: Breakpoints, length: float, route: RouteLimits
) -> None:
    """When unit ``i``'s head arrives at, and leaves, every checkpoint, and its tail passes."""
    for c in range(route.checkpoints_m.shape[0]):
        at = route.checkpoints_m[c]
        times.head[i, c] = _evaluate(path, at, True)
        times.head_leaves[i, c] = _evaluate(path, at, False)
        times.tail[i, c] = _evaluate(path, at + length, True)


@kernel_function
def _gap_at_reviewing(
    times: ColumnTimes, i: int, leader: Breakpoints, leader_length: float, route: RouteLimits
) -> float:
    """Empty road in front of the reviewing stand as unit ``i``'s head reaches it."""
    release = route.checkpoints_m[route.checkpoints_m.shape[0] - 1]
    lead_head = _position(leader, times.head[i, route.reviewing])
    # Only the route counts: a leader whose tail has passed the release
    # point has dispersed, and the empty road ends there.
    lead_tail = min(lead_head - leader_length, release)
    return float(lead_tail - route.checkpoints_m[route.reviewing])


@kernel_function
def schedule_column(units: ColumnUnits, route: RouteLimits) -> ColumnTimes:
    """Schedule every ground unit of a column, in order of march.

    Each unit steps off by its rule, then is held behind the one ahead;
    ``head[i, k]`` is when unit ``i``'s head reaches checkpoint ``k``.
    """
    n = units.length_m.shape[0]
    times = _empty_times(n, route.checkpoints_m.shape[0])
    store = times.path
    release = route.checkpoints_m[route.checkpoints_m.shape[0] - 1]
    for i in range(n):
        free = _free_flow(units, i, route)
        leader = _slice(store, times.offsets, max(i - 1, 0))
        t0 = _step_off(units, i, free, leader)
        times.step_off[i] = t0
        if i == 0:
            path = Breakpoints(free.x, free.t_arrive + t0, free.t_leave + t0)
        else:
            shift = units.length_m[i - 1] + route.min_gap_m
            path, first_held = _hold(
                free, leader, shift, t0, route.end_m, release - route.min_gap_m
            )
            # ``_hold`` works on free flow from 0; its times already include t0.
            times.hold_from_m[i] = first_held
            if not np.isnan(first_held):
                times.hold_time[i] = _evaluate(path, first_held, True)
        store = _stored(store, times.offsets, i, path)
        _record_passes(times, i, path, units.length_m[i], route)
        times.free_end[i] = t0 + _evaluate(free, release + units.length_m[i], True)
        if i > 0:
            times.gap_at_reviewing[i] = _gap_at_reviewing(
                times, i, leader, units.length_m[i - 1], route
            )
    end = times.offsets[n]
    used = Breakpoints(store.x[:end], store.t_arrive[:end], store.t_leave[:end])
    return ColumnTimes(
        times.offsets, used, times.step_off, times.hold_from_m, times.hold_time,
        times.free_end, times.head, times.head_leaves, times.tail, times.gap_at_reviewing,
    )  # fmt: skip
