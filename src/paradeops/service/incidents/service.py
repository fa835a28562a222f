"""Posting, clearing and listing incidents; what the projection needs of them.

Who may do what (``docs/service.md``, Incidents):

* organisers post incidents in any plan and clear any incident;
* a marshal posts incidents in a plan where they are assigned at least one
  checkpoint (anywhere on its route: a breakdown is seen from where they
  stand, not always at it), and clears the incidents they posted themselves
  (anyone else's: an organiser);
* viewers read them.

Every post and every clearing is audited in the transaction that stores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.live.incidents import Incident
from paradeops.service.checkins import window as windows
from paradeops.service.incidents.models import (
    ClearOut,
    ClearRow,
    IncidentIn,
    IncidentOut,
    IncidentRow,
)
from paradeops.service.plans.service import Loaded
from paradeops.service.users.service import audit
from paradeops.service.users.tokens import Principal
from paradeops.store.base import stored_instant, utcnow_iso

#: A phone's clock may run ahead of the service's by this much [s]; later is refused.
MAX_AHEAD_S = 300.0
_CLEAR_INSERT = insert(ClearRow.__table__)  # type: ignore[arg-type]  # a Table at runtime


class Refused(Exception):
    """(status, detail): why this is not done."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


class Invalid(Exception):
    """A field that does not fit the plan: a 422 naming it, as a body that fails its schema."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message

    def errors(self) -> list[dict[str, Any]]:
        return [{"loc": ["body", self.field], "msg": self.message, "type": "value_error"}]


def may_post(who: Principal, plan_id: int) -> str | None:
    """Why ``who`` may not post an incident in plan ``plan_id``, or None."""
    if who.role == "organiser":
        return None
    if who.role != "marshal":
        return f"{who.role}s cannot post incidents"
    if not who.checkpoints_for(plan_id):
        return f"{who.name} is not assigned to a checkpoint of plan {plan_id}"
    return None


def check(loaded: Loaded, body: IncidentIn, window: windows.Window, now: dt.datetime) -> None:
    """The unit is the plan's, the place on its route, the time in its window and not ahead."""
    s = loaded.schedule
    if body.unit is not None and body.unit not in {u.id for u in s.units}:
        raise Invalid(
            "unit",
            f"plan {loaded.plan_id} has no unit {body.unit}: give one of its unit ids "
            f"(GET /api/plans/{loaded.plan_id}/schedule), or leave the unit out",
        )
    end = s.checkpoints[-1].at_m
    if body.at_m is not None and body.at_m > end:
        raise Invalid(
            "at_m", f"is beyond the end of the route ({end:g} m): give a place on the route"
        )
    # Without ``at`` the incident began when received: that too must be on the day.
    windows.check(window, body.at if body.at is not None else now, loaded.plan_id)
    if body.at is not None and (body.at - now).total_seconds() > MAX_AHEAD_S:
        raise UserError(
            f"{body.at.isoformat()} is later than now ({now.isoformat()})",
            field="at",
            hint="check the phone's date, time and time zone",
        )


def _out(row: IncidentRow, clear: ClearRow | None) -> IncidentOut:
    return IncidentOut(
        id=row.id,
        code=row.code,
        text=row.text,
        unit=row.unit,
        at_m=row.at_m,
        at=row.at,
        received_at=row.received_at,
        recorded_by=row.recorded_by,
        cleared=None
        if clear is None
        else ClearOut(
            incident_id=clear.incident_id, cleared_by=clear.cleared_by, cleared_at=clear.cleared_at
        ),
    )


def _same(row: IncidentRow, plan_id: int, body: IncidentIn) -> bool:
    """The stored incident is this one (a retry): same plan and values, same instant."""
    same = (row.plan_id, row.code, row.text, row.unit, row.at_m) == (
        plan_id,
        body.code,
        body.text,
        body.unit,
        body.at_m,
    )
    return same and (body.at is None or stored_instant(row.at) == body.at)


def record(
    session: Session, loaded: Loaded, body: IncidentIn, who: Principal, now: dt.datetime
) -> tuple[IncidentOut, bool]:
    """Store the incident and its audit entry (the caller's transaction); (it, whether new)."""
    stored = session.get(IncidentRow, body.id)
    if stored is not None:
        if not _same(stored, loaded.plan_id, body):
            raise Refused(409, f"incident {body.id} is already stored with different values")
        return _out(stored, session.get(ClearRow, body.id)), False
    row = IncidentRow(
        id=body.id,
        plan_id=loaded.plan_id,
        code=body.code,
        text=body.text,
        unit=body.unit,
        at_m=body.at_m,
        at=body.at.isoformat() if body.at is not None else utcnow_iso(now),
        received_at=utcnow_iso(now),
        recorded_by=who.name,
    )
    session.add(row)
    session.flush()
    detail = {"plan_id": loaded.plan_id, "code": body.code, "unit": body.unit, "at_m": body.at_m}
    audit(session, now=now, actor=who.name, action="incident.post", target=body.id, detail=detail)
    return _out(row, None), True


def clear(
    session: Session, plan_id: int, incident_id: str, who: Principal, now: dt.datetime
) -> IncidentOut:
    """Append the clearing and its audit entry (the caller's transaction: both or neither)."""
    row = session.get(IncidentRow, incident_id)
    if row is None or row.plan_id != plan_id:
        raise Refused(404, f"no incident {incident_id} in plan {plan_id}")
    if not who.can_write:
        raise Refused(403, f"{who.role}s cannot clear incidents")
    if who.role == "marshal" and row.recorded_by != who.name:
        raise Refused(403, f"{who.name} may clear only the incidents they posted; ask an organiser")
    had = session.get(ClearRow, incident_id)
    if had is not None:
        raise Refused(409, f"incident {incident_id} was cleared already by {had.cleared_by}")
    done = ClearOut(incident_id=incident_id, cleared_by=who.name, cleared_at=utcnow_iso(now))
    session.execute(_CLEAR_INSERT, {"plan_id": plan_id, **done.model_dump()})
    detail = {"plan_id": plan_id, "code": row.code, "recorded_by": row.recorded_by}
    audit(
        session, now=now, actor=who.name, action="incident.clear", target=incident_id, detail=detail
    )
    return _out(row, None).model_copy(update={"cleared": done})


def listing(session: Session, plan_id: int) -> list[IncidentOut]:
    """The plan's incidents, open and cleared, in the order they were received."""
    rows = session.scalars(
        select(IncidentRow)
        .where(IncidentRow.plan_id == plan_id)
        .order_by(IncidentRow.received_at, IncidentRow.id)
    ).all()
    clears = {
        c.incident_id: c
        for c in session.scalars(select(ClearRow).where(ClearRow.plan_id == plan_id))
    }
    return [_out(r, clears.get(r.id)) for r in rows]


@dataclass(frozen=True)
class PlanIncidents:
    """A plan's incidents as listed, and as the projection takes them (same order)."""

    listed: tuple[IncidentOut, ...] = ()
    core: tuple[Incident, ...] = ()


def for_projection(session: Session, loaded: Loaded) -> PlanIncidents:
    """The plan's incidents, with their times in s from the schedule's reference.

    One whose time cannot be read (a row stored by hand) is listed but holds nobody.
    """
    listed = listing(session, loaded.plan_id)
    return PlanIncidents(tuple(listed), tuple(_core(i, loaded) for i in listed))


def _seconds(text: str | None, loaded: Loaded) -> float | None:
    t = None if text is None else stored_instant(text)
    return None if t is None else (t - loaded.schedule.reference).total_seconds()


def _core(i: IncidentOut, loaded: Loaded) -> Incident:
    opened = _seconds(i.at, loaded)
    cleared = None if i.cleared is None else _seconds(i.cleared.cleared_at, loaded)
    return Incident(
        code=i.code,
        unit=i.unit if opened is not None else None,
        opened=opened if opened is not None else float("nan"),
        cleared=cleared,
    )


def open_ones(found: PlanIncidents) -> Sequence[tuple[IncidentOut, Incident]]:
    """The incidents not cleared yet, each with its core form."""
    return [(o, c) for o, c in zip(found.listed, found.core, strict=True) if o.cleared is None]
