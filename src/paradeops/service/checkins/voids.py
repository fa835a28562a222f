"""Voiding a mistaken check-in (never deleting it) and a plan's own check-in window.

``POST /api/plans/{id}/checkins/{checkin_id}/void`` appends a row to the
append-only ``checkin_voids`` table and an audit entry in the same
transaction; the control room then drops the check-in from its actuals and
tells its watchers. Organisers may void any check-in, a marshal only their
own and only within :data:`UNDO_S` of its receipt (the marshal page's undo).

``GET/PUT/DELETE /api/plans/{id}/checkin-window``: the window a check-in's
``at`` must fall in (see :mod:`.window`); changes are appended and audited.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paradeops.service.checkins import window as windows
from paradeops.service.checkins.models import (
    CheckinRow,
    VoidIn,
    VoidOut,
    VoidRow,
    WindowIn,
    WindowOut,
    WindowRow,
)
from paradeops.service.checkins.writer import Writer
from paradeops.service.context import ServiceContext
from paradeops.service.deps import CtxDep, OrganiserDep, ReaderDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId
from paradeops.service.users.service import audit
from paradeops.service.users.tokens import Principal
from paradeops.store.base import utcnow_iso

router = APIRouter()
logger = logging.getLogger(__name__)
#: A marshal may void their own check-in for this long after it was received [s].
UNDO_S = 60.0
CheckinId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
_VOID_INSERT = insert(VoidRow.__table__)  # type: ignore[arg-type]  # a Table at runtime


class Refused(Exception):
    """(status, detail): why this void is not done."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def _stored(session: Session, plan_id: int, checkin_id: str) -> CheckinRow:
    row = session.get(CheckinRow, checkin_id)
    if row is None or row.plan_id != plan_id:
        raise Refused(404, f"no check-in {checkin_id} in plan {plan_id}")
    return row


def _may_void(who: Principal, row: CheckinRow, now: dt.datetime) -> None:
    """Organisers: any. Marshals: their own, within :data:`UNDO_S` of its receipt."""
    if who.role == "organiser":
        return
    if who.role != "marshal":
        raise Refused(403, f"{who.role}s cannot void check-ins")
    if row.recorded_by != who.name:
        raise Refused(403, f"{who.name} may void only their own check-ins; ask an organiser")
    age = _age_s(row.received_at, now)
    if age > UNDO_S:
        raise Refused(
            403,
            f"check-in {row.id} was received {age:.0f} s ago; a marshal may undo only within "
            f"{UNDO_S:.0f} s: ask an organiser to void it",
        )


def _age_s(received_at: str, now: dt.datetime) -> float:
    """Seconds since receipt; a stamp that cannot be read (a row stored by hand) counts as old."""
    try:
        received = dt.datetime.fromisoformat(received_at)
        return (now - received).total_seconds()
    except (ValueError, TypeError, OverflowError):
        return float("inf")


def void(
    session: Session, plan_id: int, checkin_id: str, reason: str, who: Principal, now: dt.datetime
) -> VoidOut:
    """Append the void and its audit entry (the caller's transaction: both or neither)."""
    row = _stored(session, plan_id, checkin_id)
    had = session.get(VoidRow, checkin_id)
    if had is not None:
        raise Refused(409, f"check-in {checkin_id} was voided already by {had.voided_by}")
    _may_void(who, row, now)
    done = VoidOut(
        checkin_id=checkin_id, reason=reason, voided_by=who.name, voided_at=utcnow_iso(now)
    )
    session.execute(_VOID_INSERT, {"plan_id": plan_id, **done.model_dump()})
    audit(
        session,
        now=now,
        actor=who.name,
        action="checkin.void",
        target=checkin_id,
        detail={"plan_id": plan_id, "reason": reason, "recorded_by": row.recorded_by},
    )
    return done


@router.post(
    "/{plan_id}/checkins/{checkin_id}/void",
    status_code=201,
    response_model=VoidOut,
    responses={
        409: {"model": ErrorOut, "description": "Voided already"},
        **AUTH_ERRORS,
        **NOT_FOUND,
    },
)
def void_checkin(
    plan_id: PlanId, checkin_id: CheckinId, body: VoidIn, who: UserDep, ctx: CtxDep
) -> VoidOut:
    """Declare a check-in a mistake: the control room ignores it from now on; it stays listed."""
    if not who.can_write:
        raise HTTPException(403, detail=f"{who.role}s cannot void check-ins")
    try:
        with ctx.db.writing() as session:
            done = void(session, plan_id, checkin_id, body.reason, who, ctx.now())
    except Refused as e:
        raise HTTPException(e.status, detail=e.detail) from None
    except IntegrityError:  # voided meanwhile by another process (PostgreSQL)
        raise HTTPException(409, detail=f"check-in {checkin_id} was voided already") from None
    _tell_control_room(ctx, plan_id, checkin_id)
    logger.info("check-in %s of plan %d voided by %s", checkin_id, plan_id, who.name)
    return done


def _tell_control_room(ctx: ServiceContext, plan_id: int, checkin_id: str) -> None:
    """After the commit: drop it from the actuals in memory, wake the watchers."""
    try:
        ctx.actuals.voided(plan_id, [checkin_id])
    except Exception:  # the void is stored; the plan's actuals are re-read instead
        logger.exception("control room actuals of plan %d dropped, re-read", plan_id)
        ctx.actuals.forget(plan_id)
    ctx.broadcaster.publish(plan_id)


# --- the plan's check-in window ------------------------------------------------------


def _loaded(ctx: ServiceContext, session: Session, plan_id: int) -> plans.Loaded:
    try:
        return plans.load(ctx, session, plan_id)
    except plans.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None


def _window_out(w: windows.Window) -> WindowOut:
    return WindowOut(
        from_=w.start.isoformat(),
        until=w.end.isoformat(),
        source="plan" if w.source == "plan" else "default",
        set_by=w.set_by,
        set_at=w.set_at,
    )


def _current(ctx: ServiceContext, session: Session, plan_id: int) -> WindowOut:
    loaded = _loaded(ctx, session, plan_id)
    own = windows.plan_windows(session, [plan_id]).get(plan_id)
    return _window_out(
        windows.effective(loaded.plan, ctx.settings.checkin_window_days, own, loaded.schedule)
    )


def _append_window(
    ctx: ServiceContext, writer: Writer, plan_id: int, who: Principal, bounds: WindowIn | None
) -> WindowOut:
    """Append the change and its audit entry; the writer sees it from its next batch."""
    try:
        return _appended(ctx, plan_id, who, bounds)
    finally:
        writer.windows.forget(plan_id)


def _appended(
    ctx: ServiceContext, plan_id: int, who: Principal, bounds: WindowIn | None
) -> WindowOut:
    now = ctx.now()
    with ctx.db.writing() as session:
        loaded = _loaded(ctx, session, plan_id)
        if bounds is not None:
            windows.check_plan_window(loaded.plan, bounds.from_, bounds.until, loaded.schedule)
        values: dict[str, Any] = {
            "from_at": None if bounds is None else bounds.from_.isoformat(),
            "until_at": None if bounds is None else bounds.until.isoformat(),
        }
        session.add(WindowRow(plan_id=plan_id, set_at=utcnow_iso(now), set_by=who.name, **values))
        audit(
            session,
            now=now,
            actor=who.name,
            action="checkin.window",
            target=f"plan {plan_id}",
            detail=values if bounds is not None else {"default": True},
        )
        session.flush()
        return _current(ctx, session, plan_id)


WINDOW_ERRORS = {**AUTH_ERRORS, **NOT_FOUND}


@router.get("/{plan_id}/checkin-window", response_model=WindowOut, responses=WINDOW_ERRORS)
def get_window(plan_id: PlanId, who: ReaderDep, ctx: CtxDep) -> WindowOut:
    """The window a check-in's ``at`` must fall in, and where it comes from."""
    with ctx.db.sessions() as session:
        return _current(ctx, session, plan_id)


@router.put(
    "/{plan_id}/checkin-window",
    response_model=WindowOut,
    responses={**WINDOW_ERRORS, **BAD_INPUT},
)
def put_window(
    plan_id: PlanId, body: WindowIn, who: OrganiserDep, ctx: CtxDep, request: Request
) -> WindowOut:
    """Give the plan its own window (a rehearsal, a replay): within a year of its date."""
    return _append_window(ctx, request.app.state.writer, plan_id, who, body)


@router.delete("/{plan_id}/checkin-window", response_model=WindowOut, responses=WINDOW_ERRORS)
def reset_window(plan_id: PlanId, who: OrganiserDep, ctx: CtxDep, request: Request) -> WindowOut:
    """Back to the default window around the parade's date (the change is kept in history)."""
    return _append_window(ctx, request.app.state.writer, plan_id, who, None)
