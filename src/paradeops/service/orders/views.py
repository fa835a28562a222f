"""``/api/plans/{id}/orders``: recommended and issued orders; issue one; move one on.

Each write is stored with its audit entry in one transaction; after the
commit the control room's streams are told, so an issued hold reaches the
projection (and the marshal's phone) within a push.
"""

from __future__ import annotations

import logging
from typing import Annotated

import orjson
from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError

from paradeops.service.context import ServiceContext
from paradeops.service.control import service as control
from paradeops.service.deps import CtxDep, ReaderDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.incidents.service import Invalid, Refused
from paradeops.service.orders import recommended, service
from paradeops.service.orders.models import OrderIn, OrderOut, OrdersOut, StepIn
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId
from paradeops.service.users.tokens import Principal
from paradeops.service.validation import answer_422

router = APIRouter(prefix="/api/plans", tags=["orders"])
logger = logging.getLogger(__name__)
OrderId = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
STEPS = {"confirm": "confirmed", "ack": "acknowledged", "execute": "executed"}
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorOut, "description": "Out of order, done already, or the id is taken"}
}


def _issue(
    ctx: ServiceContext, plan_id: int, body: OrderIn, who: Principal
) -> tuple[OrderOut, bool]:
    with ctx.db.writing() as session:
        try:
            loaded = plans.load(ctx, session, plan_id)
        except plans.NotFound:
            raise HTTPException(404, detail=f"no plan {plan_id}") from None
        if who.role != "organiser":
            raise Refused(403, "only organisers issue orders")
        service.check(loaded, body)
        return service.issue(session, loaded, body, who, ctx.now())


def _answer(out: OrderOut, created: bool) -> Response:
    return JSONResponse(orjson.loads(out.model_dump_json()), status_code=201 if created else 200)


@router.post(
    "/{plan_id}/orders",
    status_code=201,
    response_model=OrderOut,
    responses={
        200: {"model": OrderOut, "description": "Already stored under this id (a retry)"},
        201: {"model": OrderOut, "description": "Issued"},
        **CONFLICT,
        **AUTH_ERRORS,
        **BAD_INPUT,
        **NOT_FOUND,
    },
)
def issue_order(plan_id: PlanId, body: OrderIn, who: UserDep, ctx: CtxDep) -> Response:
    """Issue a hold (``seconds``) or a release of a unit at a checkpoint before the stand."""
    try:
        try:
            out, created = _issue(ctx, plan_id, body, who)
        except IntegrityError:  # the same id stored meanwhile by another process: compare
            out, created = _issue(ctx, plan_id, body, who)
    except Invalid as e:
        return Response(answer_422(e.errors()), 422, media_type="application/json")
    except Refused as e:
        raise HTTPException(e.status, detail=e.detail) from None
    if created:
        ctx.broadcaster.publish(plan_id)
        logger.info(
            "order %s (%s %s) in plan %d by %s", out.id, out.action, out.unit, plan_id, who.name
        )
    return _answer(out, created)


@router.get("/{plan_id}/orders", response_model=OrdersOut, responses={**AUTH_ERRORS, **NOT_FOUND})
def list_orders(plan_id: PlanId, who: ReaderDep, ctx: CtxDep) -> OrdersOut:
    """Orders recommended now (from the projection) and every order issued, with its state."""
    with ctx.db.sessions() as session:
        try:
            snap = control.snapshot(ctx, session, plan_id)
        except plans.NotFound:
            raise HTTPException(404, detail=f"no plan {plan_id}") from None
        return OrdersOut(recommended=recommended.now(snap), issued=list(snap.orders))


def _step(
    plan_id: int, order_id: str, name: str, body: StepIn, who: Principal, ctx: CtxDep
) -> Response:
    try:
        try:
            with ctx.db.writing() as session:
                out, created = service.step(session, plan_id, order_id, name, body, who, ctx.now())
        except IntegrityError:  # a step stored meanwhile by another process: look again
            with ctx.db.writing() as session:
                out, created = service.step(session, plan_id, order_id, name, body, who, ctx.now())
    except Invalid as e:
        return Response(answer_422(e.errors()), 422, media_type="application/json")
    except Refused as e:
        raise HTTPException(e.status, detail=e.detail) from None
    if created:
        ctx.broadcaster.publish(plan_id)
        logger.info("order %s of plan %d %s by %s", order_id, plan_id, name, who.name)
    return _answer(out, created)


STEP_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"model": OrderOut, "description": "Done already under this step id (a retry)"},
    201: {"model": OrderOut, "description": "Done"},
    **CONFLICT,
    **AUTH_ERRORS,
    **BAD_INPUT,
    **NOT_FOUND,
}


@router.post(
    "/{plan_id}/orders/{order_id}/confirm",
    status_code=201,
    response_model=OrderOut,
    responses=STEP_RESPONSES,
)
def confirm_order(
    plan_id: PlanId, order_id: OrderId, body: StepIn, who: UserDep, ctx: CtxDep
) -> Response:
    """The marshal at the order's checkpoint has seen it (issued → confirmed)."""
    return _step(plan_id, order_id, "confirmed", body, who, ctx)


@router.post(
    "/{plan_id}/orders/{order_id}/ack",
    status_code=201,
    response_model=OrderOut,
    responses=STEP_RESPONSES,
)
def ack_order(
    plan_id: PlanId, order_id: OrderId, body: StepIn, who: UserDep, ctx: CtxDep
) -> Response:
    """The unit has been told (confirmed → acknowledged)."""
    return _step(plan_id, order_id, "acknowledged", body, who, ctx)


@router.post(
    "/{plan_id}/orders/{order_id}/execute",
    status_code=201,
    response_model=OrderOut,
    responses=STEP_RESPONSES,
)
def execute_order(
    plan_id: PlanId, order_id: OrderId, body: StepIn, who: UserDep, ctx: CtxDep
) -> Response:
    """Done: the unit stopped (a hold, from ``at``) or sent on (a release) (→ executed)."""
    return _step(plan_id, order_id, "executed", body, who, ctx)
