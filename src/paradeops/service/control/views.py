"""The control room's routes: status, `/live`, the announcer's script and the two streams."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import Response

from paradeops.service.context import ServiceContext
from paradeops.service.control import service, stream
from paradeops.service.control.models import ScriptLineOut, StatusOut
from paradeops.service.deps import CtxDep, ReaderDep
from paradeops.service.errors import AUTH_ERRORS, NOT_FOUND, ErrorOut
from paradeops.service.incidents.documents import open_incidents
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId

router = APIRouter(prefix="/api/plans", tags=["control room"])
ERRORS = {**AUTH_ERRORS, **NOT_FOUND}
#: A longer If-None-Match is not looked at (it cannot hold our one ETag usefully).
MAX_IF_NONE_MATCH = 1024


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
    doc["incidents"] = open_incidents(
        snap.loaded.plan, snap.loaded.schedule, snap.live, snap.incidents
    )
    return doc


def _plain(o: object) -> object:
    if isinstance(o, np.generic):  # a numpy scalar from the schedule
        return o.item()
    raise TypeError(f"cannot serialise {type(o).__name__}")


def _live_bytes(ctx: ServiceContext, snap: service.Snapshot) -> bytes:
    """The ``/live`` document of ``snap``, encoded once whoever asks (it is hundreds of kB)."""
    hit = ctx.events.get(snap.loaded.plan_id)
    if hit is not None and hit[0] is snap:
        return hit[1]
    data = orjson.dumps(live_document(snap), default=_plain)
    ctx.events[snap.loaded.plan_id] = (snap, data)
    return data


def _etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match or len(if_none_match) > MAX_IF_NONE_MATCH:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


@router.get(
    "/{plan_id}/live",
    responses={**ERRORS, 304: {"description": "Not modified: the client's copy is current"}},
)
def live(
    plan_id: PlanId,
    who: ReaderDep,
    ctx: CtxDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The status with what the control room draws and the announcer's script (one-shot).

    With ``If-None-Match`` carrying the ETag of the current document, a bodiless 304.
    """
    data = _live_bytes(ctx, _snapshot(ctx, plan_id))
    etag = _etag(data)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


async def _last_seen(
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[str | None, Query(max_length=64)] = None,
) -> int | None:
    """The event id a reconnecting stream last saw, from either place a client puts it."""
    return stream.last_event_id(last_event_id_header, last_event_id)


LastSeenDep = Annotated[int | None, Depends(_last_seen)]

STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"},
    429: {"model": ErrorOut, "description": "The sign-in has the most streams allowed"},
    503: {"model": ErrorOut, "description": "The plan has the most watchers allowed"},
}


@router.get(
    "/{plan_id}/events",
    responses={**ERRORS, **STREAM_DOC},
    response_class=Response,
)
async def events(
    request: Request,
    plan_id: PlanId,
    who: ReaderDep,
    ctx: CtxDep,
    seen: LastSeenDep,
) -> Response:
    """The control room's stream: ``snapshot`` (the whole document), then ``delta`` events.

    Each ``delta`` is a JSON merge patch (RFC 7396) of the previous document;
    ``id`` is the plan's sequence number. Reconnecting with ``Last-Event-ID``
    (or ``?last_event_id=``) replays the deltas missed if they are still held,
    else starts with a snapshot. 503 with Retry-After when the plan has the
    most watchers allowed, 429 when the caller's sign-in has the most streams
    allowed. The stream ends (after an ``event: signed-out``) within seconds
    of its sign-in ending.
    """
    return await stream.open_stream(ctx, plan_id, "control", seen, request.state.token)


@router.get(
    "/{plan_id}/announcer/events",
    responses={**ERRORS, **STREAM_DOC},
    response_class=Response,
)
async def announcer_events(
    request: Request,
    plan_id: PlanId,
    who: ReaderDep,
    ctx: CtxDep,
    seen: LastSeenDep,
) -> Response:
    """The announcer's stream: its script keyed by unit, as ``snapshot`` then ``delta`` events."""
    return await stream.open_stream(ctx, plan_id, "announcer", seen, request.state.token)
