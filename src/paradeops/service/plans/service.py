"""Plans: create, add a revision, list, load (parsed and scheduled, cached)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.model.plan import Plan
from paradeops.model.yamlsource import DEFAULT_LIMITS
from paradeops.service.context import ServiceContext
from paradeops.service.plans.models import PlanRow, RevisionRow
from paradeops.service.plans.upload import (
    Checked,
    Part,
    Rules,
    Upload,
    database_files,
    recheck,
)
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


def rules(ctx: ServiceContext) -> Rules:
    """What the operator allows uploads: size, catalogue folder; the database is off limits."""
    settings = ctx.settings
    db_path = ctx.db.engine.url.database if ctx.db.is_sqlite else None
    return Rules(
        limits=dataclasses.replace(DEFAULT_LIMITS, max_bytes=settings.max_upload_bytes),
        catalogue_dir=settings.catalogue_dir,
        protected=database_files(db_path),
    )


def create(
    session: Session, up: Upload, checked: Checked, *, actor: str, now: dt.datetime
) -> tuple[int, int]:
    """Store a plan checked beforehand (:func:`~paradeops.service.plans.upload.check`)."""
    name = checked.plan.parade.name
    row = PlanRow(name=name, created_at=utcnow_iso(now), created_by=actor)
    session.add(row)
    session.flush()
    _add(session, row.id, 1, up.filename, checked, actor=actor, now=now)
    audit(
        session,
        now=now,
        actor=actor,
        action="plan.create",
        target=f"plan {row.id}",
        detail={"name": name, "filename": up.filename},
    )
    return row.id, 1


def add_revision(
    session: Session, plan_id: int, up: Upload, checked: Checked, *, actor: str, now: dt.datetime
) -> int:
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(plan_id)
    revision = (latest_revision(session, plan_id) or 0) + 1
    row.name = checked.plan.parade.name
    _add(session, plan_id, revision, up.filename, checked, actor=actor, now=now)
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
    filename: str,
    checked: Checked,
    *,
    actor: str,
    now: dt.datetime,
) -> None:
    geometry, equipment = checked.geometry, checked.equipment
    session.add(
        RevisionRow(
            plan_id=plan_id,
            revision=revision,
            filename=filename,
            text=checked.text,
            geometry_name=geometry.name if geometry else None,
            geometry=geometry.text if geometry else None,
            equipment_name=equipment.name if equipment else None,
            equipment=equipment.text if equipment else None,
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


def stored_upload(row: RevisionRow) -> Upload:
    """A revision as it was uploaded: the plan with the files it named."""

    def part(name: str | None, text: str | None, default: str) -> Part | None:
        return None if text is None else Part(name or default, text.encode())

    return Upload(
        row.filename,
        row.text.encode(),
        geometry=part(row.geometry_name, row.geometry, "route.geojson"),
        equipment=part(row.equipment_name, row.equipment, "equipment.yaml"),
    )


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
        checked = recheck(stored_upload(row), rules(ctx))
    except UserError as e:  # stored revisions were checked on the way in
        raise RuntimeError(f"stored plan {plan_id} revision {revision} no longer loads: {e}") from e
    loaded = Loaded(plan_id, revision, checked.plan, checked.schedule)
    ctx.schedules[key] = loaded
    return loaded
