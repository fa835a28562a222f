"""``POST/GET /api/plans/{id}/checkins`` (voids and the check-in window: :mod:`.voids`).

The POST is the hot path of the day. :mod:`.fast` answers well-formed,
authorised check-ins without FastAPI's routing and dependency machinery;
everything else (no token, a bad body, a wrong role) reaches the route
below, which is also what the OpenAPI description documents. Both end in
:func:`outcome`, so the answers are the same either way.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from paradeops.errors import UserError
from paradeops.service.checkins import service
from paradeops.service.checkins.models import CheckinIn, CheckinOut
from paradeops.service.checkins.voids import router as voids_router
from paradeops.service.checkins.writer import NotStored, Writer
from paradeops.service.deps import CtxDep, ReaderDep, SessionDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId
from paradeops.service.users.tokens import Principal

router = APIRouter(prefix="/api/plans", tags=["checkins"])
#: What the client is told when the check-in was not stored on our side (logged).
NOT_STORED = "not stored, try again"
#: Sent with a 503: the phone's queue retries after this [s].
RETRY_AFTER_S = 1
UNAVAILABLE: dict[int | str, dict[str, object]] = {
    503: {"model": ErrorOut, "description": "Not stored (a failure on our side): send it again"}
}


def refusal(who: Principal, plan_id: int, body: CheckinIn) -> tuple[int, str] | None:
    """Why ``who`` may not record ``body`` in plan ``plan_id`` (status, detail), or None."""
    if not who.can_write:
        return 403, f"{who.role}s cannot record check-ins"
    if not who.may_check_in(plan_id, body.checkpoint):
        # Assignments are per plan (finding 11): `start` of one plan is not `start` of another.
        return 403, f"{who.name} is not assigned to {body.checkpoint} of plan {plan_id}"
    return None


async def outcome(
    writer: Writer, plan_id: int, body: CheckinIn, who: Principal
) -> tuple[int, dict[str, Any]]:
    """Store ``body`` (authorised already); the answer's status and JSON document."""
    try:
        # Answered after the commit that holds it: an acknowledged check-in is on disk.
        row, created = await writer.submit(plan_id, body, who)
    except plans.NotFound:
        return 404, {"detail": f"no plan {plan_id}"}
    except service.Conflict:
        return 409, {"detail": f"check-in {body.id} is already stored with different values"}
    except UserError as e:  # `at` out of window, unknown unit or checkpoint: as errors.install
        return 400, {"detail": str(e)}
    except NotStored:  # the writer logged why; the client only needs to try again
        return 503, {"detail": NOT_STORED}
    return (201 if created else 200), row.model_dump()


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
        **UNAVAILABLE,
    },
)
async def add_checkin(
    plan_id: PlanId, body: CheckinIn, who: UserDep, request: Request
) -> JSONResponse:
    refused = refusal(who, plan_id, body)
    if refused is not None:
        # Off the fast path (it hands refusals on to here): a plan that does not
        # exist is a 404 for everyone, before whether this user may write to it.
        with request.app.state.ctx.db.sessions() as session:
            if plans.latest_revision(session, plan_id) is None:
                raise HTTPException(404, detail=f"no plan {plan_id}")
        raise HTTPException(refused[0], detail=refused[1])
    status, doc = await outcome(request.app.state.writer, plan_id, body, who)
    return JSONResponse(doc, status_code=status, headers=retry_after(status))


def retry_after(status: int) -> dict[str, str]:
    """The headers of an answer besides its JSON: a 503 says when to try again."""
    return {"retry-after": str(RETRY_AFTER_S)} if status == 503 else {}


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
    return service.listing(session, plan_id)


router.include_router(voids_router)
