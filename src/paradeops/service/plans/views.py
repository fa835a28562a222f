"""Plan routes: upload (a new plan or a revision), list, revisions, diff, schedule."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from paradeops.reports.schedule_json import schedule_to_dict
from paradeops.service.deps import CtxDep, OrganiserDep, ReaderDep, SessionDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.plans import service
from paradeops.service.plans.diff import diff
from paradeops.service.plans.models import DiffOut, PlanCreated, PlanOut, RevisionOut
from paradeops.service.plans.upload import MAX_INPUT_BYTES, Upload, safe_name, too_large

router = APIRouter(prefix="/api/plans", tags=["plans"])
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: Bodies beyond this are cut off unread (a plan is a few kB; the limit is 5 MB).
HARD_CAP = 4 * MAX_INPUT_BYTES

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The plan file's text (YAML or JSON), or a form with the plan "
        "and the GeoJSON geometry it refers to",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "plan": {"type": "string", "format": "binary"},
                        "geometry": {"type": "string", "format": "binary"},
                    },
                    "required": ["plan"],
                }
            },
        },
    }
}
UPLOAD_ERRORS = {
    **AUTH_ERRORS,
    **BAD_INPUT,
    413: {"model": ErrorOut, "description": "The file is over the size limit"},
}


async def _read_upload(request: Request, filename: str | None) -> Upload:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    default = "plan.json" if ctype == "application/json" else "plan.yaml"
    name = safe_name(filename, default)
    length = request.headers.get("content-length", "")
    if (
        length.isdigit()
        and int(length) > (3 if ctype == "multipart/form-data" else 1) * MAX_INPUT_BYTES
    ):
        too_large(int(length), name)
    if ctype == "multipart/form-data":
        form = await request.form(max_files=2, max_fields=4, max_part_size=MAX_INPUT_BYTES + 1)
        plan, geo = form.get("plan"), form.get("geometry")
        if plan is None or isinstance(plan, str):
            raise HTTPException(400, detail="the form needs a file field named 'plan'")
        up_name = safe_name(filename or plan.filename, "plan.yaml")
        geometry = geometry_name = None
        if geo is not None and not isinstance(geo, str):
            geometry_name = safe_name(geo.filename, "route.geojson")
            geometry = await geo.read()
        return Upload(up_name, await plan.read(), geometry_name, geometry)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > HARD_CAP:
            too_large(size, name)
        chunks.append(chunk)
    return Upload(name, b"".join(chunks))


@router.post(
    "",
    status_code=201,
    response_model=PlanCreated,
    responses=UPLOAD_ERRORS,
    openapi_extra=UPLOAD_BODY,
)
async def create_plan(
    request: Request,
    ctx: CtxDep,
    who: OrganiserDep,
    filename: Annotated[str | None, Query(max_length=200, description="Name in messages")] = None,
) -> PlanCreated:
    up = await _read_upload(request, filename)

    def work() -> tuple[int, int]:
        with ctx.db.writing() as session:
            return service.create(session, up, actor=who.name, now=ctx.now())

    plan_id, revision = await run_in_threadpool(work)
    return PlanCreated(id=plan_id, revision=revision)


@router.put(
    "/{plan_id}",
    status_code=201,
    response_model=PlanCreated,
    responses={**UPLOAD_ERRORS, **NOT_FOUND},
    openapi_extra=UPLOAD_BODY,
)
async def revise_plan(
    plan_id: PlanId,
    request: Request,
    ctx: CtxDep,
    who: OrganiserDep,
    filename: Annotated[str | None, Query(max_length=200)] = None,
) -> PlanCreated:
    up = await _read_upload(request, filename)

    def work() -> int:
        with ctx.db.writing() as session:
            return service.add_revision(session, plan_id, up, actor=who.name, now=ctx.now())

    try:
        revision = await run_in_threadpool(work)
    except service.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None
    ctx.broadcaster.publish(plan_id)
    return PlanCreated(id=plan_id, revision=revision)


@router.get("", response_model=list[PlanOut], responses=AUTH_ERRORS)
def list_plans(who: ReaderDep, session: SessionDep) -> list[PlanOut]:
    return [
        PlanOut(
            id=p.id, name=p.name, revision=rev, created_at=p.created_at, created_by=p.created_by
        )
        for p, rev in service.plans(session)
    ]


@router.get(
    "/{plan_id}/revisions", response_model=list[RevisionOut], responses={**AUTH_ERRORS, **NOT_FOUND}
)
def list_revisions(
    plan_id: PlanId, who: ReaderDep, ctx: CtxDep, session: SessionDep
) -> list[RevisionOut]:
    try:
        rows = service.revisions(session, plan_id)
    except service.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None
    return [
        RevisionOut(
            revision=r.revision,
            filename=r.filename,
            created_at=r.created_at,
            created_by=r.created_by,
            units=len(service.load(ctx, session, plan_id, r.revision).plan.units),
        )
        for r in rows
    ]


@router.get("/{plan_id}/diff", response_model=DiffOut, responses={**AUTH_ERRORS, **NOT_FOUND})
def revision_diff(
    plan_id: PlanId,
    who: ReaderDep,
    ctx: CtxDep,
    session: SessionDep,
    a: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    b: Annotated[int, Query(alias="to", ge=1, le=2**31 - 1)],
) -> DiffOut:
    try:
        la = service.load(ctx, session, plan_id, a)
        lb = service.load(ctx, session, plan_id, b)
    except service.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id} with revisions {a} and {b}") from None
    added, removed, moved, changed = diff(la.schedule, lb.schedule)
    return DiffOut(
        plan=plan_id,
        from_revision=a,
        to_revision=b,
        added=added,
        removed=removed,
        reordered=moved,
        times_changed=changed,
    )


@router.get("/{plan_id}/schedule", responses={**AUTH_ERRORS, **NOT_FOUND})
def plan_schedule(
    plan_id: PlanId,
    who: ReaderDep,
    ctx: CtxDep,
    session: SessionDep,
    revision: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> JSONResponse:
    """The schedule document of ``paradeops schedule --format json``."""
    try:
        loaded = service.load(ctx, session, plan_id, revision)
    except service.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None
    doc = schedule_to_dict(loaded.schedule)
    doc["revision"] = loaded.revision
    return JSONResponse(doc)
