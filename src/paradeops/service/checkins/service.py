"""Recording check-ins exactly once, however often the phone sends them.

The writer thread hands over a whole batch: the rows go in with one
multi-row ``INSERT … ON CONFLICT (id) DO NOTHING RETURNING id`` and their
audit entries with one more, so a batch costs a few statements, not two per
check-in (the per-statement overhead of SQLAlchemy dominated the hot path).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.service.checkins import window as windows
from paradeops.service.checkins.models import CheckinIn, CheckinOut, CheckinRow, VoidOut, VoidRow
from paradeops.service.plans.service import Loaded
from paradeops.service.users.models import AuditEntry
from paradeops.service.users.tokens import Principal
from paradeops.store.base import stored_instant, utcnow_iso

_table = CheckinRow.__table__
_c = _table.c
_v = VoidRow.__table__.c
# Built once, with bound parameters, so SQLAlchemy compiles them once (hot path).
_INSERT = {
    name: d.insert(_table).on_conflict_do_nothing(index_elements=["id"]).returning(_c.id)
    for name, d in (("sqlite", sqlite), ("postgresql", postgresql))
}
_AUDIT = insert(AuditEntry.__table__)  # type: ignore[arg-type]  # a Table at runtime
_COLUMNS = (
    _c.id,
    _c.plan_id,
    _c.unit,
    _c.checkpoint,
    _c.part,
    _c.at,
    _c.received_at,
    _c.recorded_by,
)
_OUT = ("id", "unit", "checkpoint", "part", "at", "received_at", "recorded_by")
_DETAIL = ("plan_id", "unit", "checkpoint", "part", "at")


class Conflict(Exception):
    """The id is taken by a different check-in."""


@dataclass(frozen=True)
class Pending:
    """One check-in as the writer stores it: who sent it and when it arrived."""

    plan_id: int
    body: CheckinIn
    who: Principal
    now: dt.datetime


def out(row: CheckinRow | Row[Any], void: VoidOut | None = None) -> CheckinOut:
    return CheckinOut(
        id=row.id,
        unit=row.unit,
        checkpoint=row.checkpoint,
        part=row.part,
        at=row.at,
        received_at=row.received_at,
        recorded_by=row.recorded_by,
        void=void,
    )


def void_out(row: VoidRow | Row[Any]) -> VoidOut:
    return VoidOut(
        checkin_id=row.checkin_id,
        reason=row.reason,
        voided_by=row.voided_by,
        voided_at=row.voided_at,
    )


def validate(loaded: Loaded, c: CheckinIn, window: windows.Window) -> None:
    """``at`` within the plan's window; the unit and checkpoint in its latest revision."""
    windows.check(window, c.at, loaded.plan_id)
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


def _values(p: Pending) -> dict[str, Any]:
    c = p.body
    return {
        "id": c.id,
        "plan_id": p.plan_id,
        "unit": c.unit,
        "checkpoint": c.checkpoint,
        "part": c.part,
        "at": c.at.isoformat(),
        "received_at": utcnow_iso(p.now),
        "recorded_by": p.who.name,
    }


def _same(stored: dict[str, Any], p: Pending) -> bool:
    c = p.body
    return (
        stored["plan_id"] == p.plan_id
        and stored["unit"] == c.unit
        and stored["checkpoint"] == c.checkpoint
        and stored["part"] == c.part
        and stored_instant(stored["at"]) == c.at  # the same instant, any offset
    )


def record_many(
    session: Session, batch: Sequence[Pending]
) -> list[tuple[CheckinOut, bool] | Exception]:
    """Store each check-in unless its id is already there: (stored row, created?) or Conflict.

    Validated beforehand: nothing here fails for one row alone, so one
    transaction holds the batch without savepoints.
    """
    values = [_values(p) for p in batch]
    first: dict[str, dict[str, Any]] = {}
    for v in values:
        first.setdefault(v["id"], v)
    dialect = session.get_bind().dialect.name
    # A row comes back only if this statement inserted it: the one atomic test,
    # also against another process writing the same id.
    # Sorted: concurrent batches lock the ids in the same order (no deadlock).
    inserted = set(session.scalars(_INSERT[dialect], [first[i] for i in sorted(first)]))
    taken = [i for i in first if i not in inserted]
    stored = {v["id"]: v for v in first.values() if v["id"] in inserted}
    voids: dict[str, VoidOut] = {}
    if taken:  # retries (rare): what is stored, and whether it was voided since
        rows = session.execute(select(*_COLUMNS).where(_c.id.in_(taken)))
        stored.update((r.id, r._asdict()) for r in rows)
        voids = {v.checkin_id: void_out(v) for v in _voids(session, taken)}
    audits = []
    results: list[tuple[CheckinOut, bool] | Exception] = []
    for p, v in zip(batch, values, strict=True):
        s = stored[v["id"]]
        if s is v:  # this request's own row went in
            audits.append(
                {
                    "at": v["received_at"],
                    "actor": p.who.name,
                    "action": "checkin.add",
                    "target": p.body.id,
                    # As users.service.audit writes it.
                    "detail": json.dumps({k: v[k] for k in _DETAIL}, ensure_ascii=False),
                }
            )
            results.append((CheckinOut(**{k: v[k] for k in _OUT}), True))
        elif _same(s, p):
            kept = CheckinOut(**{k: s[k] for k in _OUT}, void=voids.get(s["id"]))
            results.append((kept, False))
        else:
            results.append(Conflict(p.body.id))
    if audits:
        session.execute(_AUDIT, audits)
    return results


def _voids(session: Session, ids: Sequence[str]) -> list[Row[Any]]:
    return list(session.execute(select(VoidRow.__table__).where(_v.checkin_id.in_(ids))))


def checkins(session: Session, plan_id: int) -> list[Row[Any]]:
    """The plan's check-ins that count, as plain rows: voided ones left out.

    No ORM objects: the control room reads them all.
    """
    voided = select(_v.checkin_id).where(_v.checkin_id == _c.id).exists()
    return list(
        session.execute(
            select(*_COLUMNS).where(_c.plan_id == plan_id, ~voided).order_by(_c.received_at, _c.id)
        )
    )


def listing(session: Session, plan_id: int) -> list[CheckinOut]:
    """All the plan's check-ins, voided ones included and marked."""
    rows: list[Row[Any]] = list(
        session.execute(
            select(*_COLUMNS).where(_c.plan_id == plan_id).order_by(_c.received_at, _c.id)
        )
    )
    voids = session.execute(select(VoidRow.__table__).where(_v.plan_id == plan_id))
    by_id = {v.checkin_id: void_out(v) for v in voids}
    return [out(r, by_id.get(r.id)) for r in rows]
