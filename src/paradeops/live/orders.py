"""Hold-and-release orders: keep the gaps before the reviewing stand even (pure).

The rule (its reasoning is in ``docs/service.md``, Hold-and-release orders),
on the projection laid on a grid (:mod:`paradeops.live.gridday`):

1. *Close wide gaps from the front.* A unit cannot go faster than its pace,
   so a gap opening in front of a late unit ``F`` is closed by holding the
   unit ahead, ``L``, at its next control point (a checkpoint before the
   stand it has not reached, with :attr:`Policy.lead_s` for the marshal to
   act): for ``(gap - aim) / v_L`` seconds, ``v_L`` its pace before the
   stand. That opens ``L``'s own gap by ``v`` of the unit ahead of it times
   the hold; what exceeds that gap's aim is held further ahead, and so on
   (one sweep from the back). ``aim`` is the planned gap plus
   :attr:`Policy.slack_m`, never above ``max_gap_m``. No unit is held to be
   later (against the plan) than the unit behind it: it would hold that one up.
2. *Stop the accordion.* A unit projected to close up on the unit ahead and
   stand behind it before the stand is held at its control point for the
   time it would stand: it then marches without stopping and reaches the
   stand no later.
3. *Keep the window.* The holds are tried on the grid; while the last tail at
   the stand comes later than without them, the hold furthest back is dropped.
   None is kept that widens the widest gap either.
4. *Release.* A unit held by an order whose gap ahead has grown beyond its
   aim is released now.

Holds are whole multiples of :attr:`Policy.step_s`, at least
:attr:`Policy.min_hold_s` and at most :attr:`Policy.max_hold_s`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from paradeops.live.gridday import (
    Day,
    FloatArray,
    gaps_at_stand,
    propagate,
    tails_at_stand,
)
from paradeops.live.incidents import Hold
from paradeops.live.model import LiveStatus
from paradeops.timing.schedule import Schedule

Action = Literal["hold", "release"]
#: The window counts as kept if the last tail comes no later than this [s].
WINDOW_TOLERANCE_S = 0.5


@dataclass(frozen=True)
class Policy:
    max_gap_m: float
    #: Aim for the planned gap plus this [m] (within ``max_gap_m``).
    slack_m: float = 5.0
    #: A marshal needs this long to reach a unit before it reaches the control point [s].
    lead_s: float = 60.0
    min_hold_s: float = 5.0
    max_hold_s: float = 600.0
    #: No hold longer than the time to spare before window_end less this [s]: a hold
    #: can pass down the parade to its last tail when the projection is wrong.
    window_margin_s: float = 300.0
    #: And this many seconds more per second the planned last tail is still to come
    #: at the stand: what the projection cannot see yet (late step-offs, slow units,
    #: incidents) weighs more the more of the parade is still to pass.
    window_margin_rate: float = 0.02
    step_s: float = 5.0
    #: Rule 2 (stop the accordion). Off: on disturbed days its holds cost the window
    #: more than they win (docs/service.md, Hold-and-release orders).
    accordion: bool = False


@dataclass(frozen=True)
class Recommendation:
    unit: str
    checkpoint: str
    action: Action
    #: How long to hold [s]; None for a release.
    seconds: float | None
    #: When the unit's head is projected to reach the control point [s from the reference].
    at: float
    why: str


@dataclass(frozen=True)
class ActiveHold:
    """A hold order in force (issued and not yet over): ``unit`` held at ``checkpoint``."""

    unit: str
    checkpoint: str
    until: float | None = None


@dataclass
class _Plan:
    """The holds being worked out: seconds per unit and the control point chosen for each."""

    seconds: FloatArray
    point: dict[int, tuple[str, int]] = field(default_factory=dict)
    why: dict[int, str] = field(default_factory=dict)


def control_point(schedule: Schedule, day: Day, k: int, lead_s: float) -> tuple[str, int] | None:
    """Unit ``k``'s next checkpoint before the stand, reached after ``now + lead_s``."""
    for c in schedule.checkpoints:
        if c.at_m >= day.stand_m - 1e-6:
            return None
        j = int(np.searchsorted(day.grid, c.at_m - 1e-6))
        if j >= day.past[k] and day.heads[k, j] >= day.now + lead_s:
            return c.id, j
    return None


def aims(schedule: Schedule, day: Day, policy: Policy) -> FloatArray:
    """The gap each unit is steered to at the stand [m]: planned + slack, within max_gap_m."""
    planned = {u.id: u.gap_ahead_m for u in schedule.units}
    out = []
    for uid in day.ids:
        p = planned.get(uid)
        out.append(min(policy.max_gap_m, (p if p is not None else 0.0) + policy.slack_m))
    return np.array(out)


def _pace(day: Day) -> FloatArray:
    """Each unit's free speed on the segment before the stand [m/s]."""
    st = day.stand
    return np.asarray((day.grid[st] - day.grid[st - 1]) / day.free[:, st - 1], dtype=float)


def _whole(s: float, policy: Policy) -> float:
    s = np.floor(min(s, policy.max_hold_s) / policy.step_s) * policy.step_s
    return float(s) if s >= policy.min_hold_s else 0.0


def _ahead_of_stand(day: Day, heads: FloatArray) -> np.ndarray:
    return np.asarray(heads[:, day.stand] > day.now, dtype=bool)


def _late_at_stand(schedule: Schedule, day: Day) -> FloatArray:
    """How late each unit's head reaches the stand, against the plan [s]."""
    rev = schedule.reviewing.id
    planned = {u.id: p.head for u in schedule.units if (p := u.at(rev)) is not None}
    return np.array([day.heads[k, day.stand] - planned[u] for k, u in enumerate(day.ids)])


def _spread(schedule: Schedule, day: Day, policy: Policy, aim: FloatArray) -> _Plan:
    """Rule 1: one sweep from the back, each wide gap held shut by the units ahead."""
    n, v = len(day.ids), _pace(day)
    gaps, coming = gaps_at_stand(day, day.heads), _ahead_of_stand(day, day.heads)
    late, budget = _late_at_stand(schedule, day), late_budget(schedule, day, policy)
    plan = _Plan(np.zeros(n))
    for k in range(n - 1, 0, -1):
        if not coming[k]:
            break  # it and every unit ahead of it have passed the stand
        g = gaps[k] + v[k - 1] * plan.seconds[k]
        point = control_point(schedule, day, k - 1, policy.lead_s)
        if g - aim[k] < v[k - 1] * policy.min_hold_s or point is None:
            continue
        # Never later than the unit behind it (against the plan): it would hold it up.
        # Nor later than the window allows (rule 3).
        room = min(late[k] + plan.seconds[k], budget) - late[k - 1]
        h = _whole(min((g - aim[k]) / v[k - 1], room), policy)
        if h > 0:
            plan.seconds[k - 1], plan.point[k - 1] = h, point
            plan.why[k - 1] = (
                f"closes the {g:.0f} m gap ahead of {day.ids[k]} at the stand (aim {aim[k]:.0f} m)"
            )
    return plan


def _accordion(schedule: Schedule, day: Day, policy: Policy, plan: _Plan) -> None:
    """Rule 2: a unit that would stand behind the one ahead stands at its control point."""
    spread = set(plan.point)
    for k in range(1, len(day.ids)):
        # Next to a unit held in this push it would stand elsewhere: wait for the next.
        point = control_point(schedule, day, k, policy.lead_s)
        if point is None or k in spread or k - 1 in spread:
            continue
        lost = _stood_behind(day, day.heads, k, point[1], day.stand)
        h = _whole(lost, policy)
        if h > 0:
            plan.seconds[k], plan.point[k] = h, point
            plan.why[k] = (
                f"stops the accordion: it would stand {lost:.0f} s behind {day.ids[k - 1]}"
            )


def _stood_behind(day: Day, heads: FloatArray, k: int, j: int, st: int) -> float:
    """Seconds unit ``k`` loses between grid points ``j`` and ``st`` held by the unit ahead.

    Only where it is closed up on the unit ahead (within a grid step, the grid
    being coarser than a stop): time lost to an incident of its own is not won
    back by holding it earlier.
    """
    t = heads[k, j : st + 1]
    slow = np.diff(t) - day.free[k, j:st]
    ahead = np.interp(t[1:], heads[k - 1], day.grid)  # the head ahead, then
    reach = day.grid[j + 1 : st + 1] + float(day.lengths[k - 1]) + day.min_gap_m
    close = ahead <= reach + float(np.max(np.diff(day.grid))) + 1.0
    return float(np.sum(np.where(close & (slow > 0), slow, 0.0)))


def _grid_holds(day: Day, plan: _Plan) -> FloatArray:
    hold = np.zeros_like(day.heads)
    for k, (_, j) in plan.point.items():
        hold[k, j] = plan.seconds[k]
    return hold


def _keep_window(schedule: Schedule, day: Day, policy: Policy, plan: _Plan) -> None:
    """Rule 3: drop holds while they make a unit too late, the window or the widest gap worse.

    Too late: later at the stand (against the plan) than :func:`late_budget`, or, for
    a unit already that late, later than it was. The hold dropped is the one furthest
    back among those at or ahead of the first unit made too late (only those delay it).
    """
    late0 = _late_at_stand(schedule, day)
    on_plan = day.heads[:, day.stand] - late0  # each head's planned time at the stand
    allowed = np.maximum(late0, late_budget(schedule, day, policy)) + WINDOW_TOLERANCE_S
    base_tail = float(np.max(tails_at_stand(day, day.heads)))
    coming = _ahead_of_stand(day, day.heads)
    base_gap = float(np.nanmax(np.where(coming, gaps_at_stand(day, day.heads), -np.inf)))
    while plan.point:
        heads = propagate(day, _grid_holds(day, plan), first=min(plan.point))
        over = np.flatnonzero(coming & (heads[:, day.stand] - on_plan > allowed))
        tail = float(np.max(tails_at_stand(day, heads)))
        gap = float(np.nanmax(np.where(coming, gaps_at_stand(day, heads), -np.inf)))
        if not len(over) and tail <= base_tail + WINDOW_TOLERANCE_S and gap <= base_gap + 1.0:
            return
        ahead = [k for k in plan.point if len(over) and k <= over[0]]
        k = max(ahead or plan.point)
        del plan.point[k]
        plan.seconds[k] = 0.0


def late_budget(schedule: Schedule, day: Day, policy: Policy) -> float:
    """How late (against the plan) a hold may make any unit at the stand [s]; inf without
    a window.

    The time the plan leaves between the last tail and window_end, less the margin,
    less how late the last tail is projected already. The projection lets a delay
    fade down the column in the planned gaps behind the unit; on the day some of
    those gaps are gone (units walk at their own speeds), so the delay may pass on to
    the last tail whole: with this bound the window still holds when it does.
    """
    if schedule.window_end is None:
        return float("inf")
    planned = _planned_last_tail(schedule, day)
    late_tail = max(float(np.max(tails_at_stand(day, day.heads))) - planned, 0.0)
    return schedule.window_end - margin(planned, day, policy) - planned - late_tail


def margin(planned_tail: float, day: Day, policy: Policy) -> float:
    """Seconds kept before window_end, with the planned last tail at the stand at
    ``planned_tail`` [s]."""
    return policy.window_margin_s + policy.window_margin_rate * max(planned_tail - day.now, 0.0)


def _planned_last_tail(schedule: Schedule, day: Day) -> float:
    rev, ids = schedule.reviewing.id, set(day.ids)
    return max(p.tail for u in schedule.units if u.id in ids and (p := u.at(rev)) is not None)


def _releases(
    day: Day, policy: Policy, aim: FloatArray, active: Sequence[ActiveHold]
) -> list[Recommendation]:
    """Rule 4: a held unit whose gap ahead is wider than its aim goes now."""
    index = {u: k for k, u in enumerate(day.ids)}
    gaps, out = gaps_at_stand(day, day.heads), []
    for a in active:
        k = index.get(a.unit)
        if k is None or k == 0 or (a.until is not None and a.until <= day.now):
            continue
        if gaps[k] > aim[k] + 1.0 and day.heads[k, day.stand] > day.now:
            why = f"the gap ahead of it at the stand is {gaps[k]:.0f} m (aim {aim[k]:.0f} m)"
            out.append(Recommendation(a.unit, a.checkpoint, "release", None, day.now, why))
    return out


def spare(schedule: Schedule, day: Day, policy: Policy) -> float:
    """Seconds to spare before window_end (less the margin), by the projection; inf without."""
    if schedule.window_end is None:
        return float("inf")
    last = float(np.max(tails_at_stand(day, day.heads)))
    return schedule.window_end - margin(_planned_last_tail(schedule, day), day, policy) - last


def recommend(
    schedule: Schedule,
    day: Day,
    policy: Policy,
    active: Sequence[ActiveHold] = (),
) -> list[Recommendation]:
    """Releases if any are due (new holds wait for the next push), else holds by when due."""
    aim = aims(schedule, day, policy)
    policy = dataclasses.replace(
        policy, max_hold_s=min(policy.max_hold_s, spare(schedule, day, policy))
    )
    released = _releases(day, policy, aim, active)
    if released:  # the projection changes once they go: new holds wait for the next push
        return released
    plan = _spread(schedule, day, policy, aim)
    if policy.accordion:
        _accordion(schedule, day, policy, plan)
    _keep_window(schedule, day, policy, plan)
    holds = [
        Recommendation(
            day.ids[k], cp, "hold", float(plan.seconds[k]), float(day.heads[k, j]), plan.why[k]
        )
        for k, (cp, j) in plan.point.items()
    ]
    return sorted(holds, key=lambda r: (r.at, r.unit))


def apply(day: Day, recs: Sequence[Recommendation], schedule: Schedule) -> FloatArray:
    """The grid arrivals with the recommended holds followed (releases change nothing here)."""
    hold = np.zeros_like(day.heads)
    index = {u: k for k, u in enumerate(day.ids)}
    at = {c.id: c.at_m for c in schedule.checkpoints}
    for r in recs:
        if r.action == "hold" and r.seconds:
            j = int(np.searchsorted(day.grid, at[r.checkpoint] - 1e-6))
            hold[index[r.unit], j] += r.seconds
    return propagate(day, hold)


@dataclass(frozen=True)
class IssuedOrder:
    """An order given (times in s from the reference); ``executed`` once the marshal did it."""

    unit: str
    checkpoint: str
    action: Action
    seconds: float | None
    issued: float
    executed: float | None = None


def order_holds(
    live: LiveStatus, issued: Sequence[IssuedOrder], now: float
) -> dict[str, tuple[Hold, ...]]:
    """The holds the issued orders put on their units, for :func:`paradeops.live.project`.

    A hold done by the marshal holds the unit at the checkpoint (from when it is
    projected there, or from then if earlier) until then + its seconds; one not done yet
    from when the unit's head is projected to reach the checkpoint (``live``,
    without order holds), and none if the head is past it, or due there
    before now (missed).
    A release ends the unit's holds at that checkpoint when it was done, or
    now if not done yet.
    """
    units = {u.id: u for u in live.units}
    spans: dict[tuple[str, str], list[list[float]]] = {}
    for o in issued:
        u = units.get(o.unit)
        p = None if u is None else u.at(o.checkpoint)
        if o.action != "hold" or not o.seconds or p is None:
            continue
        if o.executed is not None:  # it stands at the checkpoint until then + seconds
            since, until = min(o.executed, p.head), o.executed + o.seconds
            spans.setdefault((o.unit, o.checkpoint), []).append([since, until])
            continue
        if p.head_ahead and p.head >= now:
            since = p.head
        else:
            continue
        spans.setdefault((o.unit, o.checkpoint), []).append([since, since + o.seconds])
    for o in issued:
        if o.action == "release" and (o.unit, o.checkpoint) in spans:
            t = o.executed if o.executed is not None else max(o.issued, now)
            for span in spans[(o.unit, o.checkpoint)]:
                span[1] = max(span[0], min(span[1], t))
    out: dict[str, list[Hold]] = {}
    for (unit, _), found in spans.items():
        out.setdefault(unit, []).extend(Hold(unit, a, b) for a, b in found if b > a)
    return {u: tuple(sorted(h, key=lambda x: x.since)) for u, h in out.items() if h}


def merged(*maps: Mapping[str, tuple[Hold, ...]]) -> dict[str, tuple[Hold, ...]]:
    """Several units' holds in one map, each unit's in order of start."""
    out: dict[str, list[Hold]] = {}
    for m in maps:
        for unit, hs in m.items():
            out.setdefault(unit, []).extend(hs)
    return {u: tuple(sorted(hs, key=lambda h: (h.since, h.until))) for u, hs in out.items()}
