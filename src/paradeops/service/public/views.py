"""The public tracker's routes: the organiser's switch, and the snapshot, ETAs and stream.

``/api/public/...`` needs no sign-in and answers 404, with the same words,
for a plan that does not exist and for one that is not public: nobody learns
which plan ids exist. The snapshot is made for caches (``ETag``,
``Cache-Control: public, max-age=5``) so that a reverse proxy or a CDN
absorbs a crowd.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from paradeops.service.context import ServiceContext
from paradeops.service.control import service
from paradeops.service.control.views import LastSeenDep, _etag, _matches
from paradeops.service.deps import CtxDep, OrganiserDep, ReaderDep
from paradeops.service.errors import AUTH_ERRORS, NOT_FOUND, ErrorOut
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId
from paradeops.service.public import eta as etas
from paradeops.service.public import flags, route
from paradeops.service.public.document import public_document
from paradeops.service.public.models import EtaOut, PublicIn, PublicOut
from paradeops.service.public.ranges import Made, worker
from paradeops.service.public.watchers import open_public_stream
from paradeops.service.validation import answer_422

router = APIRouter(tags=["public tracker"])
logger = logging.getLogger(__name__)
#: A 503 for ETAs not ready yet says to come back after this [s].
RETRY_AFTER_S = 5
CACHE = "public, max-age=5"
#: A checkpoint id is at most this long (as in plans); longer is a 422 before any lookup.
MAX_ID = 64
UNPROCESSABLE: dict[int | str, dict[str, Any]] = {
    422: {"description": "Not exactly one of checkpoint and at_m, or one not on the route"},
    503: {"model": ErrorOut, "description": "The ETAs are not ready: Retry-After"},
}


def _not_found(plan_id: int) -> HTTPException:
    return HTTPException(404, detail=f"no public plan {plan_id}")


def _public_snapshot(ctx: ServiceContext, plan_id: int) -> tuple[service.Snapshot, flags.Flags]:
    """The plan's live snapshot if it is public (404 otherwise, as if it did not exist)."""
    found = flags.flags(ctx, plan_id)
    if not found.public:
        raise _not_found(plan_id)
    with ctx.db.sessions() as session:
        try:
            return service.snapshot(ctx, session, plan_id), found
        except plans.NotFound:
            raise _not_found(plan_id) from None


@router.put(
    "/api/plans/{plan_id}/public", response_model=PublicOut, responses={**AUTH_ERRORS, **NOT_FOUND}
)
def set_public(plan_id: PlanId, body: PublicIn, who: OrganiserDep, ctx: CtxDep) -> PublicOut:
    """Make the plan public (or private again), with or without its incidents (audited)."""
    with ctx.db.writing() as session:
        try:
            plans.load(ctx, session, plan_id)
        except plans.NotFound:
            raise HTTPException(404, detail=f"no plan {plan_id}") from None
        out = flags.store(session, plan_id, body, who, ctx.now())
    flags.forget(ctx, plan_id)
    # The public stream's producers (here and in other workers) build afresh.
    ctx.broadcaster.publish(plan_id)
    return out


@router.get(
    "/api/plans/{plan_id}/public", response_model=PublicOut, responses={**AUTH_ERRORS, **NOT_FOUND}
)
def get_public(plan_id: PlanId, who: ReaderDep, ctx: CtxDep) -> PublicOut:
    """Whether the plan is public, and its incidents."""
    with ctx.db.sessions() as session:
        try:
            plans.load(ctx, session, plan_id)
        except plans.NotFound:
            raise HTTPException(404, detail=f"no plan {plan_id}") from None
        return flags.read(session, plan_id)


def _snapshot_body(ctx: ServiceContext, plan_id: int) -> tuple[bytes, str]:
    """The public snapshot's JSON and ETag, encoded once per live snapshot."""
    snap, found = _public_snapshot(ctx, plan_id)
    hit = ctx.public_bodies.get(plan_id)
    if hit is not None and hit[0] is snap and hit[1] == found.incidents:
        return hit[2], hit[3]
    data = orjson.dumps(public_document(snap, found.incidents))
    ctx.public_bodies[plan_id] = (snap, found.incidents, data, _etag(data))
    return data, ctx.public_bodies[plan_id][3]


@router.get(
    "/api/public/plans/{plan_id}/snapshot",
    responses={
        **NOT_FOUND,
        200: {"content": {"application/json": {}}, "description": "The public snapshot"},
        304: {"description": "Not modified: the client's copy is current"},
    },
    response_class=Response,
)
async def public_snapshot(
    plan_id: PlanId,
    ctx: CtxDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Each unit's ``state`` (waiting, on_route, passed_stand, dispersed) and place, the
    parade's head and tail [m along the route], and open incidents when published.

    Units and incidents are objects keyed by id (each with its ``order``), as in
    the stream. With ``If-None-Match`` carrying the current ETag: a bodiless 304.
    """
    data, etag = await run_in_threadpool(_snapshot_body, ctx, plan_id)
    headers = {"ETag": etag, "Cache-Control": CACHE}
    if _matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


def _spot(snap: service.Snapshot, checkpoint: str | None, at_m: float | None) -> float:
    """Where to answer for [m]; a 422 unless exactly one of the two names a spot on the route."""
    s = snap.loaded.schedule
    if (checkpoint is None) == (at_m is None):
        raise _unprocessable("query", "give exactly one of checkpoint=ID and at_m=METRES")
    if checkpoint is not None:
        found = next((c for c in s.checkpoints if c.id == checkpoint), None)
        if found is None:
            ids = ", ".join(c.id for c in s.checkpoints)
            raise _unprocessable("checkpoint", f"no such checkpoint: give one of {ids}")
        return found.at_m
    end = s.checkpoints[-1].at_m
    assert at_m is not None
    if not math.isfinite(at_m) or not 0 <= at_m <= end:
        raise _unprocessable("at_m", f"must be a place on the route, from 0 to {end:g} m")
    return at_m


class _Unprocessable(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors


def _unprocessable(field: str, message: str) -> _Unprocessable:
    return _Unprocessable([{"loc": ["query", field], "msg": message, "type": "value_error"}])


#: Encoded ETA answers by (database, plan, runs made, state, spot): a crowd asks the
#: same few spots, and an answer takes ~13 ms of CPU for 124 units (its ISO times).
_answers: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
_answers_lock = threading.Lock()
MAX_ANSWERS = 512


def _eta_bytes(
    ctx: ServiceContext, plan_id: int, checkpoint: str | None, at_m: float | None
) -> bytes:
    snap, _ = _public_snapshot(ctx, plan_id)
    pos = _spot(snap, checkpoint, at_m)
    made = _made(ctx, snap)
    key = (
        ctx.db.url,
        plan_id,
        made.key,
        made.at,
        snap.loaded.revision,
        snap.count,
        checkpoint,
        pos,
    )
    with _answers_lock:
        hit = _answers.get(key)
    if hit is not None:
        return hit
    data = orjson.dumps(etas.answer(made, snap, pos, checkpoint).model_dump(exclude_none=True))
    with _answers_lock:
        _answers[key] = data
        while len(_answers) > MAX_ANSWERS:
            _answers.popitem(last=False)
    return data


def _made(ctx: ServiceContext, snap: service.Snapshot) -> Made:
    plan_id = snap.loaded.plan_id
    try:
        return worker(ctx.broadcaster).ranges(snap, ctx.broadcaster.version(plan_id))
    except Exception:  # timed out, or the ranges process failed (logged where it failed)
        logger.warning("plan %d: no ETA ranges to answer with", plan_id)
        raise HTTPException(
            503,
            detail="the ETAs are being worked out: try again in a few seconds",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        ) from None


@router.get(
    "/api/public/plans/{plan_id}/eta",
    response_model=EtaOut,
    responses={**NOT_FOUND, **UNPROCESSABLE},
)
async def public_eta(
    plan_id: PlanId,
    ctx: CtxDep,
    request: Request,
    checkpoint: Annotated[str | None, Query(min_length=1, max_length=MAX_ID)] = None,
    at_m: Annotated[float | None, Query(ge=0, le=1e7, allow_inf_nan=False)] = None,
) -> Response:
    """ETAs of the parade's head and tail and of each unit at a checkpoint or a place.

    Exactly one of ``checkpoint`` (an id) and ``at_m`` (metres along the
    route). Each time still to come is a range, the 10th, 50th and 90th
    percentile of runs conditioned on what has happened; what has passed is
    ``{"actual": …}``. ISO times with the parade's offset.
    """
    for name in ("checkpoint", "at_m"):  # a second value would be dropped unseen
        if len(request.query_params.getlist(name)) > 1:
            e = _unprocessable(name, "is given more than once: give one spot")
            return Response(answer_422(e.errors), status_code=422, media_type="application/json")
    try:
        data = await run_in_threadpool(_eta_bytes, ctx, plan_id, checkpoint, at_m)
    except _Unprocessable as e:
        return Response(answer_422(e.errors), status_code=422, media_type="application/json")
    return Response(data, media_type="application/json", headers={"Cache-Control": CACHE})


@router.get(
    "/api/public/plans/{plan_id}/events",
    responses={
        **NOT_FOUND,
        200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"},
        503: {"model": ErrorOut, "description": "The plan has the most public watchers allowed"},
    },
    response_class=Response,
)
async def public_events(plan_id: PlanId, ctx: CtxDep, seen: LastSeenDep) -> Response:
    """The public snapshot as a stream: ``snapshot``, then ``delta`` events (RFC 7396 merge
    patches), as the signed-in streams. Ends (``event: closed``) when the plan is made
    private."""
    found = await run_in_threadpool(flags.flags, ctx, plan_id)
    if not found.public:
        raise _not_found(plan_id)
    return await open_public_stream(ctx, plan_id, seen)


#: Route documents by (database, plan, revision): revisions never change.
_routes: dict[tuple[str, int, int], bytes] = {}


def _route_bytes(ctx: ServiceContext, plan_id: int) -> bytes:
    if not flags.flags(ctx, plan_id).public:
        raise _not_found(plan_id)
    with ctx.db.sessions() as session:
        try:
            loaded = plans.load(ctx, session, plan_id)
        except plans.NotFound:
            raise _not_found(plan_id) from None
        key = (ctx.db.url, plan_id, loaded.revision)
        hit = _routes.get(key)
        if hit is None:
            geometry = route.stored_geometry(session, plan_id, loaded.revision)
            doc = route.route_document(geometry, loaded.schedule)
            doc["timezone"] = loaded.plan.parade.timezone
            hit = _routes[key] = orjson.dumps(doc)
            if len(_routes) > 256:
                _routes.clear()
                _routes[key] = hit
        return hit


@router.get(
    "/api/public/plans/{plan_id}/route",
    responses={
        **NOT_FOUND,
        200: {"content": {"application/json": {}}, "description": "The route to draw"},
    },
    response_class=Response,
)
async def public_route(plan_id: PlanId, ctx: CtxDep) -> Response:
    """The route as [lon, lat] points with metres along it, and its checkpoints (with
    ``lonlat``); ``geometry`` false when the plan has none (a straight line is drawn)."""
    data = await run_in_threadpool(_route_bytes, ctx, plan_id)
    return Response(data, media_type="application/json", headers={"Cache-Control": CACHE})
