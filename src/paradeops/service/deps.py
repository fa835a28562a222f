"""Typed dependencies shared by the slices.

The cheap ones are ``async``: FastAPI would otherwise send each through the
thread pool, which costs more than checking a token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from paradeops.service.context import ServiceContext
from paradeops.service.users.tokens import Principal, read_token

COOKIE = "paradeops_token"


async def get_ctx(request: Request) -> ServiceContext:
    ctx: ServiceContext = request.app.state.ctx
    return ctx


CtxDep = Annotated[ServiceContext, Depends(get_ctx)]


def get_session(ctx: CtxDep) -> Iterator[Session]:
    with ctx.db.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


def _unauthorised(detail: str = "not signed in") -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_user(ctx: CtxDep, token: Annotated[str | None, Depends(_bearer)]) -> Principal:
    if not token:
        raise _unauthorised()
    who = read_token(ctx.secret, token, ctx.now())
    if who is None:
        raise _unauthorised("the token is invalid or has expired; sign in again")
    return who


UserDep = Annotated[Principal, Depends(current_user)]


async def reader(ctx: CtxDep, request: Request) -> Principal:
    """Bearer header, or the page's cookie: for read-only GETs (EventSource sends no header)."""
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else request.cookies.get(COOKIE)
    who = read_token(ctx.secret, token, ctx.now()) if token else None
    if who is None:
        raise _unauthorised()
    return who


ReaderDep = Annotated[Principal, Depends(reader)]


async def organiser(who: UserDep) -> Principal:
    if who.role != "organiser":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="organisers only")
    return who


OrganiserDep = Annotated[Principal, Depends(organiser)]
