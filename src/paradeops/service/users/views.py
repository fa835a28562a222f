"""Sign-in (``POST /api/token``, OAuth2 password form), ``POST /api/logout``, ``/api/me``, audit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, Response, status

from paradeops.service import errors
from paradeops.service.deps import COOKIE, CtxDep, OrganiserDep, SessionDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, ErrorOut
from paradeops.service.users import service
from paradeops.service.users.models import AssignmentOut, AuditOut, MeOut, TokenOut
from paradeops.service.users.signin import BadCredentials, Busy, Throttled, sign_in, sign_out

router = APIRouter(prefix="/api", tags=["users"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/token",
    response_model=TokenOut,
    responses={
        401: {"model": ErrorOut, "description": "Wrong name or password"},
        429: {
            "model": ErrorOut,
            "description": "Too many failed sign-ins, or one from this address is being "
            "checked already: see Retry-After",
        },
        503: {"model": ErrorOut, "description": "Too many sign-ins at once: see Retry-After"},
    },
)
def token(
    request: Request,
    ctx: CtxDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
) -> TokenOut:
    try:
        return TokenOut(access_token=sign_in(ctx, username, password, client_address(request)))
    except Busy as e:
        # Not the client's fault, but not a failure of ours either: a WARNING, throttled.
        errors.log_as_refusal(request)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=str(e),
            headers={"Retry-After": str(e.retry_after_s)},
        ) from None
    except Throttled as e:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=str(e),
            headers={"Retry-After": str(e.retry_after_s)},
        ) from None
    except BadCredentials:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        ) from None


@router.post("/logout", status_code=204, responses=AUTH_ERRORS)
def logout(request: Request, ctx: CtxDep, who: UserDep) -> Response:
    """End this sign-in (the bearer token's, or the page cookie's) in every process."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else request.cookies.get(COOKIE)
    if token:
        sign_out(ctx, token)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE)
    return response


@router.get("/me", response_model=MeOut, responses=AUTH_ERRORS)
def me(who: UserDep) -> MeOut:
    return MeOut(
        name=who.name,
        role=who.role,
        assignments=[AssignmentOut(plan_id=p, checkpoint=c) for p, c in sorted(who.assignments)],
    )


@router.get("/audit", response_model=list[AuditOut], responses=AUTH_ERRORS)
def audit(
    who: OrganiserDep, session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditOut]:
    return [
        AuditOut(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, detail=e.detail)
        for e in service.audit_log(session, limit=limit)
    ]
