"""Status of a plan now: load the plan and its check-ins, hand them to the live core.

Every time leaves here through :func:`_iso`, which never raises: a page or a
stream must not fail because some time is beyond the calendar (the actuals
are bounded already; this is the last line).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from paradeops.live import Actual, LiveStatus, Thresholds, holds, project, running_order
from paradeops.live.model import Alert, UnitStatus
from paradeops.live.orders import merged, order_holds
from paradeops.reports.schedule_json import iso_clock
from paradeops.service.checkins.service import checkins
from paradeops.service.context import ServiceContext
from paradeops.service.control.actuals import point
from paradeops.service.control.models import (
    AheadOut,
    AlertOut,
    LastOut,
    OpenIncidentOut,
    PassOut,
    ScriptLineOut,
    StatusOut,
    UnitOut,
)
from paradeops.service.incidents.documents import open_incidents
from paradeops.service.incidents.service import PlanIncidents, for_projection
from paradeops.service.orders import service as orders
from paradeops.service.orders.models import OrderOut
from paradeops.service.plans import service as plans
from paradeops.timing.schedule import Schedule, Trajectory

#: A status is reused for this long when nothing was checked in meanwhile [s].
FRESH_S = 1.0
#: What a time beyond the calendar is shown as (instead of failing the page).
OUT_OF_RANGE = "out of range"
#: Skipped check-ins named in the control room's alert (the count is complete).
NAMED_SKIPPED = 5
logger = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    loaded: plans.Loaded
    live: LiveStatus
    actuals: tuple[Actual, ...]
    count: int
    #: The graph's point of each actual, if kept with them (else built here).
    points: tuple[dict[str, Any], ...] | None = None
    #: Stored check-ins left out: their time or part cannot be used.
    skipped: tuple[str, ...] = ()
    #: The plan's incidents (open ones hold their units in ``live``).
    incidents: PlanIncidents = PlanIncidents()
    #: The plan's orders as issued (their holds are in ``live``).
    orders: tuple[OrderOut, ...] = ()


def snapshot(ctx: ServiceContext, session: Session, plan_id: int) -> Snapshot:
    """The live status, computed at most once per check-in or :data:`FRESH_S`."""
    loaded = plans.load(ctx, session, plan_id)  # first: a made-up id leaves no trace
    version = ctx.broadcaster.version(plan_id)
    key = (plan_id, loaded.revision, version)
    hit = ctx.live.get(plan_id)
    if hit is not None and hit[0] == key and time.monotonic() - hit[1] < FRESH_S:
        return hit[2]
    with _lock:  # one computation at a time; the others wait and reuse it
        hit = ctx.live.get(plan_id)
        if hit is not None and hit[0] == key and time.monotonic() - hit[1] < FRESH_S:
            return hit[2]
        snap = _compute(ctx, session, loaded)
        ctx.live[plan_id] = (key, time.monotonic(), snap)
        return snap


def _compute(ctx: ServiceContext, session: Session, loaded: plans.Loaded) -> Snapshot:
    """From the plan's actuals in memory (read in full only when cold or revised).

    Projected from the first report per (unit, checkpoint, part) only: that is
    all :func:`paradeops.live.project` looks at, so the status is the same.
    """
    s = loaded.schedule
    view = ctx.actuals.view(
        lambda: checkins(session, loaded.plan_id), loaded.plan_id, loaded.revision, s
    )
    now = (ctx.now() - s.reference).total_seconds()
    th = Thresholds(late_s=ctx.late_s, max_gap_m=loaded.plan.defaults.max_gap_m)
    found = for_projection(session, loaded)
    # An open incident is expected to last its code's median in the plan (or the default).
    medians = loaded.plan.simulation.incident_duration_s.medians()
    gap, held = loaded.plan.defaults.min_gap_m, holds(found.core, now, medians)
    live = project(s, view.first, now, min_gap_m=gap, thresholds=th, holds=held)
    listed = tuple(orders.listing(session, loaded.plan_id))
    if listed:  # issued holds delay their units where they stand them (live/orders.py)
        held = merged(held, order_holds(live, orders.core(listed, loaded), now))
        live = project(s, view.first, now, min_gap_m=gap, thresholds=th, holds=held)
    return Snapshot(
        loaded, live, view.actuals, len(view.actuals), view.points, view.skipped, found, listed
    )


def _iso(s: Schedule, t: float) -> str:
    try:
        return iso_clock(s, t)
    except (OverflowError, ValueError):  # beyond year 1 or 9999, or not a number
        logger.warning("a control room time %r s from the reference is out of range", t)
        return OUT_OF_RANGE


def iso_time(snap: Snapshot, t: float) -> str:
    """``t`` [s from the reference] as an ISO time on the parade's clock (never raises)."""
    return _iso(snap.loaded.schedule, t)


def _skipped_alert(skipped: tuple[str, ...]) -> AlertOut:
    named = ", ".join(skipped[:NAMED_SKIPPED]) + (", …" if len(skipped) > NAMED_SKIPPED else "")
    return AlertOut(
        kind="data",
        severity="warning",
        unit=None,
        checkpoint=None,
        message=f"{len(skipped)} stored check-in(s) have a time out of range or unreadable "
        f"and are ignored ({named}): void them and check in again",
        amount=float(len(skipped)),
    )


def status(snap: Snapshot) -> StatusOut:
    s, live = snap.loaded.schedule, snap.live

    def iso(t: float) -> str:
        return _iso(s, t)

    alerts = [_alert_out(a) for a in live.alerts]
    if snap.skipped:
        alerts.append(_skipped_alert(snap.skipped))
    return StatusOut(
        plan=snap.loaded.plan_id,
        revision=snap.loaded.revision,
        now=iso(live.now),
        reference=s.reference.isoformat(),
        checkins=snap.count,
        skipped_checkins=len(snap.skipped),
        units=[_unit_out(u, iso) for u in live.units],
        alerts=alerts,
        reviewing_last_tail=None
        if live.reviewing_last_tail is None
        else iso(live.reviewing_last_tail),
        window_end=None if s.window_end is None else iso(s.window_end),
        incidents={
            k: OpenIncidentOut(**v)
            for k, v in open_incidents(snap.loaded.plan, s, live, snap.incidents).items()
        },
    )


def _unit_out(u: UnitStatus, iso: Callable[[float], str]) -> UnitOut:
    """A unit's state, its last check-in, what is still ahead of it and every pass."""
    return UnitOut(
        id=u.id,
        name=u.name,
        kind=u.kind,
        state=u.state,
        delay_s=round(u.delay_s, 1),
        last=None
        if u.last is None
        else LastOut(checkpoint=u.last.checkpoint, part=u.last.part, at=iso(u.last.t)),
        ahead=[
            AheadOut(
                checkpoint=p.checkpoint,
                head=iso(p.head) if p.head_ahead else None,
                tail=iso(p.tail) if p.tail_ahead else None,
            )
            for p in u.passes
            if p.head_ahead or p.tail_ahead
        ],
        passes=[
            PassOut(
                checkpoint=p.checkpoint,
                planned_head=iso(p.planned_head),
                planned_tail=iso(p.planned_tail),
                head=iso(p.head),
                tail=iso(p.tail),
                head_observed=p.head_observed,
                tail_observed=p.tail_observed,
            )
            for p in u.passes
        ],
    )


def _alert_out(a: Alert) -> AlertOut:
    return AlertOut(
        kind=a.kind,
        severity=a.severity,
        unit=a.unit,
        checkpoint=a.checkpoint,
        message=a.message,
        amount=round(a.amount, 1),
    )


def script(snap: Snapshot) -> list[ScriptLineOut]:
    s = snap.loaded.schedule
    return [
        ScriptLineOut(
            unit=x.unit,
            name=x.name,
            kind=x.kind,
            description=x.description,
            at=_iso(s, x.at),
            observed=x.observed,
            debut=x.debut,
        )
        for x in running_order(s, snap.live)
    ]


def _points(tr: Trajectory, shift: float = 0.0) -> list[list[float]]:
    """(t, x) corners of a trajectory, rounded for the wire."""
    t = np.empty(2 * len(tr.x))
    t[0::2], t[1::2] = tr.t_left, tr.t_right
    x = np.repeat(tr.x, 2) - shift
    return [[round(float(a), 1), round(float(b), 1)] for a, b in zip(t, x, strict=True)]


def graph(snap: Snapshot) -> dict[str, Any]:
    """What the control room draws: planned bands, projected heads, actual points."""
    s, live = snap.loaded.schedule, snap.live
    pos = {c.id: c.at_m for c in s.checkpoints}
    length = {u.id: u.length_m for u in s.units}
    end = s.checkpoints[-1].at_m
    return {
        "now_s": round(live.now, 1),
        "checkpoints": [
            {"id": c.id, "name": c.name, "at_m": c.at_m, "reviewing": c.reviewing}
            for c in s.checkpoints
        ],
        "window_end_s": s.window_end,
        "units": [
            {
                "id": u.id,
                "length_m": u.length_m,
                "planned": _points(u.trajectory) if u.trajectory is not None else None,
                "projected": _points(st.trajectory) if st.trajectory is not None else None,
                "passes": [[p.head, pos.get(p.checkpoint, 0.0)] for p in u.passes],
            }
            for u, st in zip(s.units, live.units, strict=True)
        ],
        "actuals": list(snap.points)
        if snap.points is not None
        else [point(a, pos, length) for a in snap.actuals],
        "x_max": end,
    }
