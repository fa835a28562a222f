"""Typed dependencies shared by the slices.

The cheap ones are ``async``: FastAPI would otherwise send each through the
thread pool, which costs more than checking a token.

Who is calling: a bearer token (the API) or the HttpOnly cookie the sign-in
page sets (the pages' scripts). A cookie comes with every request the
browser makes, even one another site provokes, so a write (POST, PUT, PATCH,
DELETE) authorised by the cookie must also carry ``X-CSRF-Token``, which
only our own pages know (they read it from ``<meta name="csrf-token">``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from paradeops.service.context import ServiceContext
from paradeops.service.users import sessions
from paradeops.service.users.signin import current_secret
from paradeops.service.users.tokens import Principal, csrf_matches, csrf_token

COOKIE = "paradeops_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


async def current_user(
    request: Request, ctx: CtxDep, bearer: Annotated[str | None, Depends(_bearer)]
) -> Principal:
    """The caller, by bearer token or by cookie (then writes need the CSRF header)."""
    token = bearer or None
    by_cookie = token is None
    if token is None:
        token = request.cookies.get(COOKIE)
    if not token:
        raise _unauthorised()
    secret = current_secret(ctx)
    who = await sessions.principal_async(ctx.db, secret, token, ctx.now())
    if who is None:
        raise _unauthorised("the sign-in has ended or is invalid; sign in again")
    request.state.token = token  # the streams check it again while they last
    writes = request.method not in _SAFE_METHODS
    if by_cookie and writes and not csrf_matches(secret, token, request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"a write signed in by cookie needs the page's {CSRF_HEADER} header",
        )
    return who


UserDep = Annotated[Principal, Depends(current_user)]


async def reader(who: UserDep) -> Principal:
    """Any signed-in caller, for read-only GETs (EventSource sends no header, so the cookie)."""
    return who


ReaderDep = Annotated[Principal, Depends(reader)]


def page_user(request: Request) -> tuple[Principal, str] | None:
    """For HTML pages (cookie only): who is signed in and the CSRF token for the page's meta."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    ctx: ServiceContext = request.app.state.ctx
    secret = current_secret(ctx)
    who = sessions.principal(ctx.db, secret, token, ctx.now())
    return None if who is None else (who, csrf_token(secret, token))


async def organiser(who: UserDep) -> Principal:
    if who.role != "organiser":
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="organisers only")
    return who


OrganiserDep = Annotated[Principal, Depends(organiser)]
