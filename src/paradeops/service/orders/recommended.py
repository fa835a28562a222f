"""The orders recommended now, from the control room's snapshot, for the API and streams."""

from __future__ import annotations

from paradeops.live.gridday import day_from
from paradeops.live.orders import ActiveHold, IssuedOrder, Policy, Recommendation, recommend
from paradeops.service.control.service import Snapshot, iso_time
from paradeops.service.orders import service
from paradeops.service.orders.models import RecommendationOut

#: When a plan has no max_gap_m, gaps are steered to this at most [m].
DEFAULT_MAX_GAP_M = 100.0


def _holds(snap: Snapshot) -> list[IssuedOrder]:
    """Hold orders not released, not missed (passed undone) and not over."""
    issued = service.core(snap.orders, snap.loaded)
    released = {(o.unit, o.checkpoint) for o in issued if o.action == "release"}
    units = {u.id: u for u in snap.live.units}
    out = []
    for o in issued:
        u = units.get(o.unit)
        p = None if u is None else u.at(o.checkpoint)
        if o.action != "hold" or (o.unit, o.checkpoint) in released or p is None:
            continue
        if o.executed is None and not p.head_ahead:
            continue
        if o.executed is not None and o.executed + (o.seconds or 0.0) <= snap.live.now:
            continue
        out.append(o)
    return out


def compute(snap: Snapshot) -> list[Recommendation]:
    plan, s = snap.loaded.plan, snap.loaded.schedule
    policy = Policy(max_gap_m=plan.defaults.max_gap_m or DEFAULT_MAX_GAP_M)
    holds = _holds(snap)
    ahead = [(o.unit, o.checkpoint, o.seconds or 0.0) for o in holds if o.executed is None]
    day = day_from(s, snap.live, plan.defaults.min_gap_m, ahead)
    return recommend(s, day, policy, [ActiveHold(o.unit, o.checkpoint) for o in holds])


def now(snap: Snapshot) -> list[RecommendationOut]:
    return [
        RecommendationOut(
            unit=r.unit,
            checkpoint=r.checkpoint,
            action=r.action,
            seconds=r.seconds,
            due=iso_time(snap, r.at),
            why=r.why,
        )
        for r in compute(snap)
    ]
