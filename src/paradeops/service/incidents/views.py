"""``/api/plans/{id}/incidents``: post (idempotent by the phone's id), list, clear.

Each write is stored with its audit entry in one transaction; after the
commit the control room's and the announcer's streams are told, so the
incident (and the hold it puts on its unit) reaches them within a push.
"""

from __future__ import annotations

import logging
from typing import Annotated

import orjson
from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paradeops.service.checkins import window as windows
from paradeops.service.context import ServiceContext
from paradeops.service.deps import CtxDep, ReaderDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.incidents import service
from paradeops.service.incidents.models import IncidentIn, IncidentOut
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId
from paradeops.service.users.tokens import Principal
from paradeops.service.validation import answer_422

router = APIRouter(prefix="/api/plans", tags=["incidents"])
logger = logging.getLogger(__name__)
IncidentId = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorOut, "description": "This id is taken by a different incident"}
}


def _loaded(ctx: ServiceContext, session: Session, plan_id: int) -> plans.Loaded:
    try:
        return plans.load(ctx, session, plan_id)
    except plans.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None


def _store(
    ctx: ServiceContext, plan_id: int, body: IncidentIn, who: Principal
) -> tuple[IncidentOut, bool]:
    now = ctx.now()
    with ctx.db.writing() as session:
        loaded = _loaded(ctx, session, plan_id)
        refused = service.may_post(who, plan_id)
        if refused is not None:
            raise HTTPException(403, detail=refused)
        own = windows.plan_windows(session, [plan_id]).get(plan_id)
        window = windows.effective(
            loaded.plan, ctx.settings.checkin_window_days, own, loaded.schedule
        )
        service.check(loaded, body, window, now)
        return service.record(session, loaded, body, who, now)


@router.post(
    "/{plan_id}/incidents",
    status_code=201,
    response_model=IncidentOut,
    responses={
        200: {"model": IncidentOut, "description": "Already stored under this id (a retry)"},
        201: {"model": IncidentOut, "description": "Stored"},
        **CONFLICT,
        **AUTH_ERRORS,
        **BAD_INPUT,
        **NOT_FOUND,
    },
)
def post_incident(plan_id: PlanId, body: IncidentIn, who: UserDep, ctx: CtxDep) -> Response:
    """Post an incident (a delay reason); sending the same id and body again is harmless."""
    try:
        try:
            out, created = _store(ctx, plan_id, body, who)
        except IntegrityError:  # the same id stored meanwhile by another process: compare
            out, created = _store(ctx, plan_id, body, who)
    except service.Invalid as e:
        return Response(answer_422(e.errors()), 422, media_type="application/json")
    except service.Refused as e:
        raise HTTPException(e.status, detail=e.detail) from None
    if created:
        ctx.broadcaster.publish(plan_id)
        logger.info("incident %s (%s) in plan %d by %s", out.id, out.code, plan_id, who.name)
    return JSONResponse(orjson.loads(out.model_dump_json()), status_code=201 if created else 200)


@router.get(
    "/{plan_id}/incidents",
    response_model=list[IncidentOut],
    responses={**AUTH_ERRORS, **NOT_FOUND},
)
def list_incidents(plan_id: PlanId, who: ReaderDep, ctx: CtxDep) -> list[IncidentOut]:
    """The plan's incidents, open and cleared (``cleared`` set), in the order received."""
    with ctx.db.sessions() as session:
        if plans.latest_revision(session, plan_id) is None:
            raise HTTPException(404, detail=f"no plan {plan_id}")
        return service.listing(session, plan_id)


@router.post(
    "/{plan_id}/incidents/{incident_id}/clear",
    status_code=201,
    response_model=IncidentOut,
    responses={
        409: {"model": ErrorOut, "description": "Cleared already"},
        **AUTH_ERRORS,
        **NOT_FOUND,
    },
)
def clear_incident(
    plan_id: PlanId, incident_id: IncidentId, who: UserDep, ctx: CtxDep
) -> IncidentOut:
    """Declare the incident over: its unit is no longer held; it stays listed, cleared."""
    try:
        with ctx.db.writing() as session:
            done = service.clear(session, plan_id, incident_id, who, ctx.now())
    except service.Refused as e:
        raise HTTPException(e.status, detail=e.detail) from None
    except IntegrityError:  # cleared meanwhile by another process (PostgreSQL)
        raise HTTPException(409, detail=f"incident {incident_id} was cleared already") from None
    ctx.broadcaster.publish(plan_id)
    logger.info("incident %s of plan %d cleared by %s", incident_id, plan_id, who.name)
    return done
