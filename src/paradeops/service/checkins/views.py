"""``POST/GET /api/plans/{id}/checkins``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from paradeops.service.checkins import service
from paradeops.service.checkins.models import CheckinIn, CheckinOut
from paradeops.service.checkins.writer import Writer
from paradeops.service.deps import CtxDep, ReaderDep, SessionDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId

router = APIRouter(prefix="/api/plans", tags=["checkins"])


@router.post(
    "/{plan_id}/checkins",
    status_code=201,
    response_model=CheckinOut,
    responses={
        200: {"model": CheckinOut, "description": "Already stored under this id (a retry)"},
        201: {"model": CheckinOut, "description": "Stored"},
        409: {"model": ErrorOut, "description": "This id is taken by a different check-in"},
        **AUTH_ERRORS,
        **BAD_INPUT,
        **NOT_FOUND,
    },
)
async def add_checkin(
    plan_id: PlanId, body: CheckinIn, who: UserDep, request: Request
) -> JSONResponse:
    if not who.can_write:
        raise HTTPException(403, detail="viewers cannot record check-ins")
    if not who.may_check_in(body.checkpoint):
        raise HTTPException(403, detail=f"{who.name} is not assigned to {body.checkpoint}")
    writer: Writer = request.app.state.writer
    try:
        # Answered after the commit that holds it: an acknowledged check-in is on disk.
        row, created = await writer.submit(plan_id, body, who)
    except plans.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None
    except service.Conflict:
        raise HTTPException(
            409, detail=f"check-in {body.id} is already stored with different values"
        ) from None
    return JSONResponse(row.model_dump(), status_code=201 if created else 200)


@router.get(
    "/{plan_id}/checkins",
    response_model=list[CheckinOut],
    responses={**AUTH_ERRORS, **NOT_FOUND},
)
def list_checkins(
    plan_id: PlanId, who: ReaderDep, ctx: CtxDep, session: SessionDep
) -> list[CheckinOut]:
    if plans.latest_revision(session, plan_id) is None:
        raise HTTPException(404, detail=f"no plan {plan_id}")
    return [service.out(r) for r in service.checkins(session, plan_id)]
