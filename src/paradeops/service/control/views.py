"""``GET /api/plans/{id}/status``, ``/live``, ``/announcer`` and ``/events`` (SSE)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from paradeops.service.context import ServiceContext
from paradeops.service.control import service
from paradeops.service.control.models import ScriptLineOut, StatusOut
from paradeops.service.deps import CtxDep, ReaderDep, SessionDep
from paradeops.service.errors import AUTH_ERRORS, NOT_FOUND
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId

router = APIRouter(prefix="/api/plans", tags=["control room"])
ERRORS = {**AUTH_ERRORS, **NOT_FOUND}
#: Pushes are at most this often, however fast check-ins arrive [s].
MIN_INTERVAL_S = 0.2
#: Without check-ins, the status is still pushed this often (time moves on) [s].
HEARTBEAT_S = 5.0


def _snapshot(ctx: ServiceContext, plan_id: int) -> service.Snapshot:
    with ctx.db.sessions() as session:
        try:
            return service.snapshot(ctx, session, plan_id)
        except plans.NotFound:
            raise HTTPException(404, detail=f"no plan {plan_id}") from None


@router.get("/{plan_id}/status", response_model=StatusOut, responses=ERRORS)
def plan_status(plan_id: PlanId, who: ReaderDep, ctx: CtxDep) -> StatusOut:
    """Per unit: its delay and the projected head/tail times at the checkpoints ahead."""
    return service.status(_snapshot(ctx, plan_id))


@router.get("/{plan_id}/announcer", response_model=list[ScriptLineOut], responses=ERRORS)
def announcer(plan_id: PlanId, who: ReaderDep, ctx: CtxDep) -> list[ScriptLineOut]:
    """Unit descriptions in the order the units (really) reach the reviewing stand."""
    return service.script(_snapshot(ctx, plan_id))


def live_document(snap: service.Snapshot) -> dict[str, Any]:
    doc = service.status(snap).model_dump()
    doc["graph"] = service.graph(snap)
    doc["script"] = [x.model_dump() for x in service.script(snap)]
    return doc


def _plain(o: object) -> object:
    if isinstance(o, np.generic):  # a numpy scalar from the schedule
        return o.item()
    raise TypeError(f"cannot serialise {type(o).__name__}")


def _event(ctx: ServiceContext, snap: service.Snapshot) -> bytes:
    """The SSE event of ``snap``: built and encoded once, whoever is watching.

    Building the document and encoding it (hundreds of kB with thousands of
    check-ins) held the interpreter for tens of ms per page per push, which
    check-ins waited behind; now it is done once per snapshot, with orjson.
    """
    hit = ctx.events.get(snap.loaded.plan_id)
    if hit is not None and hit[0] is snap:
        return hit[1]
    data = orjson.dumps(live_document(snap), default=_plain)
    event = b"event: status\ndata: " + data + b"\n\n"
    ctx.events[snap.loaded.plan_id] = (snap, event)
    return event


@router.get("/{plan_id}/live", responses=ERRORS)
def live(plan_id: PlanId, who: ReaderDep, ctx: CtxDep, session: SessionDep) -> JSONResponse:
    """The status with what the control room draws and the announcer's script."""
    return JSONResponse(live_document(_snapshot(ctx, plan_id)))


@router.get(
    "/{plan_id}/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "SSE"}},
    response_class=StreamingResponse,
)
async def events(
    plan_id: PlanId, request: Request, who: ReaderDep, ctx: CtxDep
) -> StreamingResponse:
    """Server-sent events: a ``status`` event (the ``/live`` document) on every change."""
    first = await run_in_threadpool(_snapshot, ctx, plan_id)  # 404 before streaming

    async def stream() -> AsyncIterator[bytes]:
        snap: service.Snapshot | None = first
        seen = ctx.broadcaster.version(plan_id)
        while True:
            if snap is None:
                snap = await run_in_threadpool(_snapshot, ctx, plan_id)
            yield await run_in_threadpool(_event, ctx, snap)
            snap = None
            seen = await ctx.broadcaster.wait(plan_id, seen, HEARTBEAT_S)
            if await request.is_disconnected():
                return
            await asyncio.sleep(MIN_INTERVAL_S)
            seen = ctx.broadcaster.version(plan_id)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
