"""Plans: create, add a revision, list, load (parsed and scheduled, cached)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.model.plan import Plan
from paradeops.service.context import ServiceContext
from paradeops.service.plans.models import PlanRow, RevisionRow
from paradeops.service.plans.upload import Upload, check
from paradeops.service.users.service import audit
from paradeops.store.base import utcnow_iso
from paradeops.timing.schedule import Schedule


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Loaded:
    plan_id: int
    revision: int
    plan: Plan
    schedule: Schedule


def create(session: Session, up: Upload, *, actor: str, now: dt.datetime) -> tuple[int, int]:
    plan, _, text, geometry = check(up)
    row = PlanRow(name=plan.parade.name, created_at=utcnow_iso(now), created_by=actor)
    session.add(row)
    session.flush()
    _add(session, row.id, 1, up, text, geometry, actor=actor, now=now)
    audit(
        session,
        now=now,
        actor=actor,
        action="plan.create",
        target=f"plan {row.id}",
        detail={"name": plan.parade.name, "filename": up.filename},
    )
    return row.id, 1


def add_revision(
    session: Session, plan_id: int, up: Upload, *, actor: str, now: dt.datetime
) -> int:
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(plan_id)
    plan, _, text, geometry = check(up)
    revision = (latest_revision(session, plan_id) or 0) + 1
    row.name = plan.parade.name
    _add(session, plan_id, revision, up, text, geometry, actor=actor, now=now)
    audit(
        session,
        now=now,
        actor=actor,
        action="plan.revise",
        target=f"plan {plan_id}",
        detail={"revision": revision, "filename": up.filename},
    )
    return revision


def _add(
    session: Session,
    plan_id: int,
    revision: int,
    up: Upload,
    text: str,
    geometry: str | None,
    *,
    actor: str,
    now: dt.datetime,
) -> None:
    session.add(
        RevisionRow(
            plan_id=plan_id,
            revision=revision,
            filename=up.filename,
            text=text,
            geometry_name=up.geometry_name if geometry is not None else None,
            geometry=geometry,
            created_at=utcnow_iso(now),
            created_by=actor,
        )
    )


def latest_revision(session: Session, plan_id: int) -> int | None:
    return session.scalar(
        select(func.max(RevisionRow.revision)).where(RevisionRow.plan_id == plan_id)
    )


def plans(session: Session) -> list[tuple[PlanRow, int]]:
    latest = (
        select(RevisionRow.plan_id, func.max(RevisionRow.revision).label("rev"))
        .group_by(RevisionRow.plan_id)
        .subquery()
    )
    rows = session.execute(
        select(PlanRow, latest.c.rev)
        .join(latest, latest.c.plan_id == PlanRow.id)
        .order_by(PlanRow.id)
    ).all()
    return [(r[0], int(r[1])) for r in rows]


def revisions(session: Session, plan_id: int) -> list[RevisionRow]:
    rows = list(
        session.scalars(
            select(RevisionRow).where(RevisionRow.plan_id == plan_id).order_by(RevisionRow.revision)
        )
    )
    if not rows:
        raise NotFound(plan_id)
    return rows


def load(
    ctx: ServiceContext, session: Session, plan_id: int, revision: int | None = None
) -> Loaded:
    """The plan at ``revision`` (the latest by default), parsed and scheduled."""
    if revision is None:
        revision = latest_revision(session, plan_id)
        if revision is None:
            raise NotFound(plan_id)
    key = (plan_id, revision)
    hit = ctx.schedules.get(key)
    if hit is not None:
        loaded: Loaded = hit
        return loaded
    row = session.get(RevisionRow, (plan_id, revision))
    if row is None:
        raise NotFound(plan_id)
    try:
        plan, sched, _, _ = check(
            Upload(
                row.filename,
                row.text.encode(),
                row.geometry_name,
                None if row.geometry is None else row.geometry.encode(),
            )
        )
    except UserError as e:  # stored revisions were checked on the way in
        raise RuntimeError(f"stored plan {plan_id} revision {revision} no longer loads: {e}") from e
    loaded = Loaded(plan_id, revision, plan, sched)
    ctx.schedules[key] = loaded
    return loaded
