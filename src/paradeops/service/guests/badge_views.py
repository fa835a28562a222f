"""``POST /api/guests/badges/scan``: a steward (or an organiser) scans a guest's badge.

200: admitted (``attended`` appended) or already admitted (nothing appended);
409: refused entry (cancelled, declined, not confirmed), the same body;
400: not a badge, or its signature does not match (forged, for another event,
printed before the badge key was rotated), saying which and nothing more;
404: no such book, or the badge's guest is not in it; 403: viewers, marshals;
503: the service has no badge key, or its key file is unusable (saying why, and
logged at WARNING with the fix: the operator's to make).
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from paradeops.service.deps import CtxDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, BAD_INPUT, NOT_FOUND, ErrorOut
from paradeops.service.guests import badges, service
from paradeops.service.guests.views import BookQuery, CacheDep
from paradeops.service.users.tokens import Principal

router = APIRouter(prefix="/api", tags=["guests"])
logger = logging.getLogger(__name__)


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(
        min_length=1, max_length=400, description="What the badge's QR code holds: PB1:<id>:<tag>"
    )


class ScanOut(BaseModel):
    outcome: Literal["admitted", "already_admitted", "refused"]
    detail: str = Field(
        description="admitted; already admitted at HH:MM (UTC), or in the offset the "
        "admission was recorded with (UTC±hh:mm); refused: why"
    )
    guest: str
    name: str
    title: str | None
    category: str
    country: str
    country_name: str
    status: str = Field(description="the guest's status after the scan")
    admitted_at: str | None = Field(description="ISO datetime of the admission, if admitted")


async def steward(who: UserDep) -> Principal:
    """Stewards and organisers: the people at the tribune's gate."""
    if who.role not in ("organiser", "steward"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="stewards and organisers only")
    return who


StewardDep = Annotated[Principal, Depends(steward)]


@router.post(
    "/guests/badges/scan",
    response_model=ScanOut,
    responses={
        **AUTH_ERRORS,
        **NOT_FOUND,
        **BAD_INPUT,
        409: {"model": ScanOut, "description": "Refused entry: the guest's status now"},
        503: {"model": ErrorOut, "description": "The service has no usable badge key"},
    },
)
async def scan_badge(
    body: ScanIn, who: StewardDep, ctx: CtxDep, cache: CacheDep, book: BookQuery = None
) -> ScanOut | JSONResponse:
    """Check a badge and admit its guest if confirmed now; a second scan appends nothing."""
    try:
        key = badges.read_key(ctx.settings)
    except badges.NoKey as e:
        # The request log says only "error answer": the operator needs the reason and the fix.
        logger.warning("badge scans refused (503): %s", e, extra={"throttle_key": "no badge key"})
        if e.unusable is not None:
            raise HTTPException(
                503,
                detail=f"the service's badge key is unusable: {e.unusable}; its operator "
                "fixes it (the service's log says how)",
            ) from None
        raise HTTPException(
            503,
            detail="the service has no badge key: its operator gives it the key the badges "
            "were printed with (serve --badge-key-file or PARADEOPS_BADGE_KEY)",
        ) from None

    def work() -> ScanOut | JSONResponse:
        with ctx.db.writing() as session:
            book_id = book or service.latest_id(session)
            result = badges.scan(
                session, book_id, body.token, key, cache, actor=who.name, now=ctx.now()
            )
            if result.bad is not None:
                return JSONResponse({"detail": result.bad}, status_code=400)
            out = ScanOut.model_validate(badges.record(cache[book_id], result))
        if out.outcome == "refused":
            return JSONResponse(out.model_dump(), status_code=409)
        return out

    try:
        return await run_in_threadpool(work)
    except service.NotFound as e:
        raise HTTPException(404, detail=str(e.args[0])) from None
