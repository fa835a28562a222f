"""Plan routes: upload (a new plan or a revision), list, revisions, diff, schedule."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from paradeops.reports.schedule_json import schedule_to_dict
from paradeops.service.context import ServiceContext
from paradeops.service.deps import CtxDep, OrganiserDep, ReaderDep, SessionDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.plans import service
from paradeops.service.plans.diff import diff
from paradeops.service.plans.models import DiffOut, PlanCreated, PlanOut, RevisionOut
from paradeops.service.plans.upload import Part, Rules, Upload, check, safe_name, too_large
from paradeops.service.upload_gate import upload_limits

router = APIRouter(prefix="/api/plans", tags=["plans"])
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
#: Room for a form's boundaries and part headers beyond the files themselves.
FORM_FRAMING = 64 * 1024
FORM_FIELDS = ("plan", "geometry", "equipment")

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The plan file's text (YAML or JSON); or a form with the plan and the "
        "files it names: the GeoJSON its `route.geometry` names and the equipment catalogue "
        "its `equipment:` names. A file the plan names is taken from the form whatever folder "
        "the plan's reference gives; the service never reads a path named in a plan. A "
        "catalogue not sent may be one of the operator's catalogue folder "
        "(`serve --catalogue-dir`), named by its plain file name (such as `equipment.yaml`). "
        "All parts together may be at most `serve --max-upload-mb` (default 10 MB).",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "plan": {
                            "type": "string",
                            "format": "binary",
                            "description": "The plan (YAML or JSON)",
                        },
                        "geometry": {
                            "type": "string",
                            "format": "binary",
                            "description": "The GeoJSON LineString the plan's route.geometry "
                            "names",
                        },
                        "equipment": {
                            "type": "string",
                            "format": "binary",
                            "description": "The equipment catalogue the plan's equipment: names",
                        },
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
    413: {"model": ErrorOut, "description": "The upload is over the size limit"},
    503: {
        "model": ErrorOut,
        "description": "Other uploads are being checked; try again after Retry-After seconds",
    },
}


def _upload_rules(ctx: ServiceContext) -> Rules:
    """The service's rules with the upload's tighter read time (upload_gate.py)."""
    rules = service.rules(ctx)
    return dataclasses.replace(rules, limits=upload_limits(rules.limits))


async def read_body(request: Request, name: str, limit: int) -> bytes:
    """The whole body, refused (413) at the first byte over ``limit``."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            too_large(size, name, limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_upload(request: Request, filename: str | None, limit: int) -> Upload:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    default = "plan.json" if ctype == "application/json" else "plan.yaml"
    name = safe_name(filename, default)
    length = request.headers.get("content-length", "")
    framing = FORM_FRAMING if ctype == "multipart/form-data" else 0
    if length.isdigit() and int(length) > limit + framing:
        too_large(int(length), name, limit)
    if ctype != "multipart/form-data":
        return Upload(name, await read_body(request, name, limit))
    form = await request.form(max_files=3, max_fields=3, max_part_size=limit + 1)
    try:
        up = await _form_upload(form, filename)
    finally:
        await form.close()  # the parts spooled to temporary files
    too_large(up.size, up.filename, limit)
    return up


async def _form_upload(form: FormData, filename: str | None) -> Upload:
    unknown = sorted(set(form.keys()) - set(FORM_FIELDS))
    if unknown:
        raise HTTPException(
            400,
            detail=f"unknown form field {unknown[0]!r}; the fields are plan, geometry "
            "and equipment",
        )
    plan = await _part(form.get("plan"), filename, "plan.yaml")
    if plan is None:
        raise HTTPException(400, detail="the form needs a field named 'plan'")
    return Upload(
        plan.name,
        plan.data,
        geometry=await _part(form.get("geometry"), None, "route.geojson"),
        equipment=await _part(form.get("equipment"), None, "equipment.yaml"),
    )


async def _part(value: UploadFile | str | None, name: str | None, default: str) -> Part | None:
    """A form field as a file: its client-side name (made safe) and bytes."""
    if value is None:
        return None
    if isinstance(value, str):
        return Part(safe_name(name, default), value.encode("utf-8", "surrogatepass"))
    return Part(safe_name(name or value.filename, default), await value.read())


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
    up = await _read_upload(request, filename, ctx.settings.max_upload_bytes)
    # Parsed and scheduled first, in the thread pool, one upload at a time: an
    # expensive upload must never hold the write lock that every check-in waits
    # for, nor (several at once) the GIL (upload_gate.py).
    checked = await ctx.uploads.run(check, up, _upload_rules(ctx))

    def work() -> tuple[int, int]:
        with ctx.db.writing() as session:
            return service.create(session, up, checked, actor=who.name, now=ctx.now())

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
    up = await _read_upload(request, filename, ctx.settings.max_upload_bytes)
    checked = await ctx.uploads.run(check, up, _upload_rules(ctx))

    def work() -> int:
        with ctx.db.writing() as session:
            return service.add_revision(
                session, plan_id, up, checked, actor=who.name, now=ctx.now()
            )

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
