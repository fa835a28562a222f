"""``POST /api/token`` (OAuth2 password form), ``GET /api/me``, ``GET /api/audit``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, status

from paradeops.service.deps import CtxDep, OrganiserDep, SessionDep, UserDep
from paradeops.service.errors import AUTH_ERRORS, ErrorOut
from paradeops.service.users import service
from paradeops.service.users.models import AuditOut, MeOut, TokenOut
from paradeops.service.users.tokens import make_token

router = APIRouter(prefix="/api", tags=["users"])


@router.post(
    "/token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut, "description": "Wrong name or password"}},
)
def token(
    ctx: CtxDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
) -> TokenOut:
    who = service.authenticate(session, username, password)
    if who is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return TokenOut(access_token=make_token(ctx.secret, who, ctx.now()))


@router.get("/me", response_model=MeOut, responses=AUTH_ERRORS)
def me(who: UserDep) -> MeOut:
    return MeOut(name=who.name, role=who.role, checkpoints=sorted(who.checkpoints))


@router.get("/audit", response_model=list[AuditOut], responses=AUTH_ERRORS)
def audit(
    who: OrganiserDep, session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditOut]:
    return [
        AuditOut(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, detail=e.detail)
        for e in service.audit_log(session, limit=limit)
    ]
