"""Recording a check-in exactly once, however often the phone sends it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.service.checkins.models import CheckinIn, CheckinOut, CheckinRow
from paradeops.service.plans.service import Loaded
from paradeops.service.users.service import audit
from paradeops.service.users.tokens import Principal
from paradeops.store.base import utcnow_iso

_table = CheckinRow.__table__
# Built once, with bound parameters, so SQLAlchemy compiles them once (hot path).
_INSERT = {
    name: d.insert(_table).on_conflict_do_nothing(index_elements=["id"]).returning(_table.c.id)
    for name, d in (("sqlite", sqlite), ("postgresql", postgresql))
}


class Conflict(Exception):
    """The id is taken by a different check-in."""


def out(row: CheckinRow) -> CheckinOut:
    return CheckinOut(
        id=row.id,
        unit=row.unit,
        checkpoint=row.checkpoint,
        part=row.part,  # type: ignore[arg-type]
        at=row.at,
        received_at=row.received_at,
        recorded_by=row.recorded_by,
    )


def validate(loaded: Loaded, c: CheckinIn) -> None:
    """The unit and checkpoint must be in the plan's latest revision."""
    unit = next((u for u in loaded.schedule.units if u.id == c.unit), None)
    if unit is None:
        raise UserError(f"no unit {c.unit!r} in the plan", field="unit")
    if unit.at(c.checkpoint) is None:
        known = any(cp.id == c.checkpoint for cp in loaded.schedule.checkpoints)
        raise UserError(
            f"{c.unit} does not pass {c.checkpoint}"
            if known
            else f"no checkpoint {c.checkpoint!r}",
            field="checkpoint",
        )


def record(
    session: Session, plan_id: int, c: CheckinIn, *, who: Principal, now: dt.datetime
) -> tuple[CheckinOut, bool]:
    """Store ``c`` unless its id is already there; (stored row, created?)."""
    values = {
        "id": c.id,
        "plan_id": plan_id,
        "unit": c.unit,
        "checkpoint": c.checkpoint,
        "part": c.part,
        "at": c.at.isoformat(),
        "received_at": utcnow_iso(now),
        "recorded_by": who.name,
    }
    dialect = session.get_bind().dialect.name
    # A row comes back only if this statement inserted it: the one atomic test.
    if session.execute(_INSERT[dialect], values).first() is not None:
        audit(
            session,
            now=now,
            actor=who.name,
            action="checkin.add",
            target=c.id,
            detail={k: values[k] for k in ("plan_id", "unit", "checkpoint", "part", "at")},
        )
        return CheckinOut(**{k: v for k, v in values.items() if k != "plan_id"}), True
    stored = session.get(CheckinRow, c.id)
    assert stored is not None  # rows are never deleted
    same = (
        stored.plan_id == plan_id
        and stored.unit == c.unit
        and stored.checkpoint == c.checkpoint
        and stored.part == c.part
        and dt.datetime.fromisoformat(stored.at) == c.at
    )
    if not same:
        raise Conflict(c.id)
    return out(stored), False


def checkins(session: Session, plan_id: int) -> list[CheckinRow]:
    return list(
        session.scalars(
            select(CheckinRow)
            .where(CheckinRow.plan_id == plan_id)
            .order_by(CheckinRow.received_at, CheckinRow.id)
        )
    )
