"""Incidents in the projection: a unit stops where it is until its incident is cleared.

An incident on a unit (a float broken down, a marcher taken ill) holds the
unit's head where it is from the moment the incident was opened. While the
incident is open nobody knows when it will be cleared, so the projection
expects it to last its code's median duration (the plan's
``simulation.incident_duration_s``; :data:`DEFAULT_DURATION_S` without one);
one open longer than that is expected to clear now (it cannot have cleared
in the past, or it would be cleared). A cleared incident held the unit
from its opening to its clearing. The units behind are held behind it by
the timing engine's own envelope, as behind any late leader. The public ETA
ranges draw an open incident's duration instead (:func:`drawn_durations`),
given how long it has lasted already.

An actual of the unit later than a hold's start says where it really was:
the hold then starts there and then, and one that ended before it is over.

An incident with no unit (a crowd on the route at some place) is shown to
the control room and the announcer but holds nobody: which unit it stops
is not known until a marshal says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from paradeops.model.simulation_spec import (
    INCIDENT_CODES,
    IncidentCode,
    IncidentDuration,
    IncidentDurations,
)
from paradeops.timing.schedule import Trajectory

__all__ = [
    "CODES",
    "DEFAULT_DURATION_S",
    "Hold",
    "Incident",
    "IncidentCode",
    "Onward",
    "apply_holds",
    "drawn_durations",
    "expected_until",
    "holds",
]

CODES: tuple[IncidentCode, ...] = INCIDENT_CODES
#: How long an open incident is expected to hold its unit, by code [s]: the medians of
#: the plan format's defaults (``simulation.incident_duration_s``, docs/plan-format.md).
DEFAULT_DURATION_S: Mapping[str, float] = IncidentDurations().medians()
_EPS = 1e-6
_NORMAL = NormalDist()
#: The largest probability below 1 (``NormalDist.inv_cdf`` refuses 1 itself).
_P_BELOW_ONE = math.nextafter(1.0, 0.0)
#: Below this upper-tail probability U·Q(a) may underflow: the asymptotic form is used.
_TINY_TAIL = 1e-280
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Incident:
    """An incident as the projection needs it; times in s from the schedule's reference."""

    code: str
    unit: str | None
    opened: float
    #: When it was cleared; None while it is open.
    cleared: float | None = None


@dataclass(frozen=True)
class Hold:
    """``unit``'s head stands still from ``since`` until ``until`` [s]."""

    unit: str
    since: float
    until: float


def expected_until(
    incident: Incident, now: float, durations: Mapping[str, float] = DEFAULT_DURATION_S
) -> float:
    """When the incident is (expected to be) over: cleared, or opened + its code's duration."""
    if incident.cleared is not None:
        return incident.cleared
    # Still open: it lasts its code's duration, or (overdue) it is expected to end now.
    duration = durations.get(incident.code, DEFAULT_DURATION_S["other"])
    return max(incident.opened + duration, now)


def drawn_durations(
    duration: IncidentDuration, elapsed: float, rng: np.random.Generator, runs: int
) -> FloatArray:
    """``runs`` durations [s] of an incident open ``elapsed`` s, none shorter than that.

    The code's lognormal conditioned on the incident having lasted ``elapsed``:
    its logarithm's standard normal truncated below at ``a = ln(elapsed /
    median) / σ``, drawn by inverting the upper tail (``z = Q⁻¹(U·Q(a))``, U
    uniform on (0, 1]), which stays exact far in the tail where ``1 − Φ(a)``
    would round to 0. Where even ``U·Q(a)`` could underflow (``a`` over ~36)
    the truncated normal is ``a`` plus an exponential of mean ``1/a`` (its
    asymptotic form). A fixed duration (σ = 0) overdue ends now.
    """
    median, sigma = duration.median_s, duration.sigma
    if sigma <= 0.0:
        return np.full(runs, max(median, elapsed))
    if elapsed <= 0.0:  # not begun yet (stamped ahead of now): nothing to condition on
        z = rng.standard_normal(runs)
        return np.asarray(median * np.exp(sigma * z), dtype=float)
    a = (math.log(elapsed) - math.log(median)) / sigma  # no underflow of elapsed / median
    tail = 0.5 * math.erfc(a / math.sqrt(2.0))  # Q(a) = P(Z > a)
    u = 1.0 - rng.random(runs)  # (0, 1]: never the point p = 0
    if tail > _TINY_TAIL:
        p = np.minimum(u * tail, _P_BELOW_ONE)  # inv_cdf takes 0 < p < 1 only
        z = np.array([-_NORMAL.inv_cdf(float(x)) for x in p])
    else:
        z = a - np.log(u) / a
    drawn = median * np.exp(sigma * np.maximum(z, a))
    return np.asarray(np.maximum(drawn, elapsed), dtype=float)


def holds(
    incidents: Iterable[Incident],
    now: float,
    durations: Mapping[str, float] = DEFAULT_DURATION_S,
) -> dict[str, tuple[Hold, ...]]:
    """Each unit's holds in order of start; overlapping ones merged into one."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for i in incidents:
        if i.unit is None or not math.isfinite(i.opened):
            continue
        until = expected_until(i, now, durations)
        if math.isfinite(until) and until > i.opened:
            spans.setdefault(i.unit, []).append((i.opened, until))
    return {unit: _merged(unit, sorted(s)) for unit, s in spans.items()}


def _merged(unit: str, spans: list[tuple[float, float]]) -> tuple[Hold, ...]:
    out: list[Hold] = []
    for since, until in spans:
        if out and since <= out[-1].until:
            out[-1] = Hold(unit, out[-1].since, max(out[-1].until, until))
        else:
            out.append(Hold(unit, since, until))
    return tuple(out)


#: Given a head position [m], a time [s] and whether the head has stood there already
#: (a show stop there is then spent), the trajectory onward from there (positions from
#: 0, i.e. relative to the given one), held behind the unit ahead.
Onward = Callable[[float, float, bool], Trajectory]


def apply_holds(
    traj: Trajectory, unit_holds: Iterable[Hold], latest: tuple[float, float], onward: Onward
) -> tuple[Trajectory, float | None]:
    """``traj`` with the head standing still through each hold still in force.

    ``latest`` is where and when the unit was last seen (or its planned
    step-off, unseen): a hold that ended by then is over, and none moves the
    head back behind it. Returns the trajectory and when the last hold
    applied ends (None if none did).
    """
    p, latest_t = latest
    held_until = None
    for h in unit_holds:
        if h.until <= latest_t + _EPS:
            continue
        since = max(h.since, latest_t)
        x = max(float(traj.position(since)), p)
        if x >= float(traj.x[-1]) - _EPS:
            continue  # at the end of the route already: nothing left to hold
        arrived = float(traj.arrive(x))
        if h.until <= float(traj.leave(x)) + _EPS:
            continue  # it stands there that long anyway (a show stop, held behind)
        traj = _stood(traj, x, arrived, onward(x, h.until, True))
        held_until = h.until
    return traj, held_until


def _stood(traj: Trajectory, x: float, arrived: float, ahead: Trajectory) -> Trajectory:
    """``traj`` up to ``x``, the head standing there from ``arrived``, then ``ahead``."""
    keep = traj.x < x - _EPS
    return Trajectory(
        np.concatenate((traj.x[keep], ahead.x + x)),
        np.concatenate((traj.t_left[keep], [arrived], ahead.t_left[1:])),
        np.concatenate((traj.t_right[keep], ahead.t_right)),
    )
