"""Issuing orders, moving them on, listing them; what the projection needs of them.

Who may do what (``docs/service.md``, Hold-and-release orders):

* organisers issue orders (a hold or a release of a unit at a checkpoint
  before the reviewing stand), and may do any step of any order;
* the marshal assigned to an order's checkpoint confirms it (seen), then
  acknowledges it (the unit told), then executes it (the unit stopped, or
  sent on): in that order, each once;
* viewers read them.

Every issue and every step is audited in the transaction that stores it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from paradeops.live.orders import IssuedOrder
from paradeops.service.incidents.service import Invalid, Refused
from paradeops.service.orders.models import (
    AFTER,
    OrderIn,
    OrderOut,
    OrderRow,
    StepIn,
    StepOut,
    StepRow,
)
from paradeops.service.plans.service import Loaded
from paradeops.service.users.service import audit
from paradeops.service.users.tokens import Principal
from paradeops.store.base import stored_instant, utcnow_iso

#: A phone's clock may run ahead of the service's by this much [s]; later is refused.
MAX_AHEAD_S = 300.0
#: A step done longer ago than this is refused (a queue held for days is not news) [s].
MAX_BEHIND_S = 6 * 3600.0


def check(loaded: Loaded, body: OrderIn) -> None:
    """The unit marches, the checkpoint is before the stand, a hold has seconds."""
    s = loaded.schedule
    ground = {u.id for u in s.units if u.trajectory is not None}
    if body.unit not in ground:
        raise Invalid(
            "unit",
            f"plan {loaded.plan_id} has no unit {body.unit} on the route: give one of its "
            f"marching units' ids (GET /api/plans/{loaded.plan_id}/schedule)",
        )
    stand = s.reviewing.at_m
    points = [c.id for c in s.checkpoints if c.at_m < stand]
    if body.checkpoint not in points:
        raise Invalid(
            "checkpoint",
            f"{body.checkpoint} is not a checkpoint before the reviewing stand of plan "
            f"{loaded.plan_id}: give one of {', '.join(points)}",
        )
    if body.action == "hold" and body.seconds is None:
        raise Invalid(
            "seconds", "a hold needs seconds: how long to hold, a whole number from 1 to 1800"
        )
    if body.action == "release" and body.seconds is not None:
        raise Invalid("seconds", "a release goes now: leave seconds out")


def _steps(session: Session, order_ids: Sequence[str]) -> dict[str, list[StepRow]]:
    out: dict[str, list[StepRow]] = {i: [] for i in order_ids}
    if order_ids:
        for r in session.scalars(select(StepRow).where(StepRow.order_id.in_(order_ids))):
            out[r.order_id].append(r)
    return out


def _out(row: OrderRow, steps: list[StepRow]) -> OrderOut:
    done = {s.step: s for s in steps}
    state = next((st for st in ("executed", "acknowledged", "confirmed") if st in done), "issued")
    order = ("confirmed", "acknowledged", "executed")
    return OrderOut(
        id=row.id,
        unit=row.unit,
        checkpoint=row.checkpoint,
        action=row.action,
        seconds=row.seconds,
        issued_by=row.issued_by,
        issued_at=row.issued_at,
        state=state,
        steps=[
            StepOut(id=done[st].id, step=st, by=done[st].by, at=done[st].at)
            for st in order
            if st in done
        ],
    )


def _same(row: OrderRow, plan_id: int, body: OrderIn) -> bool:
    return (row.plan_id, row.unit, row.checkpoint, row.action, row.seconds) == (
        plan_id,
        body.unit,
        body.checkpoint,
        body.action,
        body.seconds,
    )


def issue(
    session: Session, loaded: Loaded, body: OrderIn, who: Principal, now: dt.datetime
) -> tuple[OrderOut, bool]:
    """Store the order and its audit entry (the caller's transaction); (it, whether new)."""
    if who.role != "organiser":
        raise Refused(403, "only organisers issue orders")
    oid = body.id or uuid.uuid4().hex
    stored = session.get(OrderRow, oid)
    if stored is not None:
        if not _same(stored, loaded.plan_id, body):
            raise Refused(409, f"order {oid} is already stored with different values")
        return _out(stored, _steps(session, [oid])[oid]), False
    row = OrderRow(
        id=oid,
        plan_id=loaded.plan_id,
        unit=body.unit,
        checkpoint=body.checkpoint,
        action=body.action,
        seconds=body.seconds,
        issued_by=who.name,
        issued_at=utcnow_iso(now),
    )
    session.add(row)
    session.flush()
    detail = {
        "plan_id": loaded.plan_id,
        "unit": body.unit,
        "checkpoint": body.checkpoint,
        "action": body.action,
        "seconds": body.seconds,
    }
    audit(session, now=now, actor=who.name, action="order.issue", target=oid, detail=detail)
    return _out(row, []), True


def _may_step(row: OrderRow, who: Principal) -> None:
    if not who.can_write:
        raise Refused(403, f"{who.role}s cannot move orders on")
    if not who.may_check_in(row.plan_id, row.checkpoint):
        raise Refused(
            403, f"{who.name} is not assigned to {row.checkpoint}, where order {row.id} is"
        )


def _when(body: StepIn, now: dt.datetime) -> dt.datetime:
    if body.at is None:
        return now
    ahead = (body.at - now).total_seconds()
    if ahead > MAX_AHEAD_S or -ahead > MAX_BEHIND_S:
        raise Invalid(
            "at",
            f"{body.at.isoformat()} is too far from now ({now.isoformat()}): check the "
            "phone's date, time and time zone",
        )
    return body.at


def step(
    session: Session,
    plan_id: int,
    order_id: str,
    name: str,
    body: StepIn,
    who: Principal,
    now: dt.datetime,
) -> tuple[OrderOut, bool]:
    """Append the step and its audit entry (both or neither); (the order, whether new)."""
    row = session.get(OrderRow, order_id)
    if row is None or row.plan_id != plan_id:
        raise Refused(404, f"no order {order_id} in plan {plan_id}")
    _may_step(row, who)
    steps = _steps(session, [order_id])[order_id]
    had = session.get(StepRow, body.id)
    if had is not None:
        if (had.order_id, had.step) != (order_id, name):
            raise Refused(409, f"step {body.id} is already stored for another order or step")
        return _out(row, steps), False  # a retry from the queue: harmless
    state = _out(row, steps).state
    done = {s.step: s for s in steps}
    if name in done:
        raise Refused(409, f"order {order_id} was {name} already by {done[name].by}")
    if state != AFTER[name]:
        raise Refused(
            409, f"order {order_id} is {state}: it must be {AFTER[name]} before it is {name}"
        )
    at = _when(body, now)
    new = StepRow(id=body.id, order_id=order_id, plan_id=plan_id, step=name, by=who.name)
    new.at = utcnow_iso(at)
    session.add(new)
    session.flush()
    detail = {"plan_id": plan_id, "order": order_id, "unit": row.unit, "at": new.at}
    audit(session, now=now, actor=who.name, action=f"order.{name}", target=body.id, detail=detail)
    return _out(row, [*steps, new]), True


def listing(session: Session, plan_id: int) -> list[OrderOut]:
    """The plan's orders in the order they were issued, each with its steps."""
    rows = session.scalars(
        select(OrderRow)
        .where(OrderRow.plan_id == plan_id)
        .order_by(OrderRow.issued_at, OrderRow.id)
    ).all()
    steps = _steps(session, [r.id for r in rows])
    return [_out(r, steps[r.id]) for r in rows]


def _seconds(text: str | None, loaded: Loaded) -> float | None:
    t = None if text is None else stored_instant(text)
    return None if t is None else (t - loaded.schedule.reference).total_seconds()


def core(listed: Sequence[OrderOut], loaded: Loaded) -> list[IssuedOrder]:
    """The orders as the projection takes them (times in s from the schedule's reference)."""
    out = []
    for o in listed:
        issued = _seconds(o.issued_at, loaded)
        if issued is None or o.action not in ("hold", "release"):
            continue  # a row stored by hand that cannot be read holds nobody
        executed = next((_seconds(s.at, loaded) for s in o.steps if s.step == "executed"), None)
        out.append(
            IssuedOrder(o.unit, o.checkpoint, o.action, o.seconds, issued, executed)  # type: ignore[arg-type]
        )
    return out
