"""Pages: sign in, plans, control room, marshal, announcer. Data comes from the API.

A page is authorised by a cookie holding the same signed token the API takes;
its scripts call the API with that token as a bearer header (read from a
``<meta>`` tag), so the API itself never trusts a cookie for a write and needs
no CSRF defence. The sign-in form is the one cookie-setting POST.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from paradeops.protocol.guests import EventKind
from paradeops.service.deps import COOKIE, CtxDep, SessionDep
from paradeops.service.guests import service as guests
from paradeops.service.guests.views import CacheDep
from paradeops.service.plans import service as plans
from paradeops.service.users.service import authenticate
from paradeops.service.users.tokens import LIFETIME, Principal, make_token, read_token

_here = resources.files("paradeops.service.pages")
templates = Jinja2Templates(directory=str(_here / "templates"))
router = APIRouter(include_in_schema=False)


def _who(request: Request, ctx: CtxDep) -> tuple[Principal, str] | None:
    token = request.cookies.get(COOKIE)
    who = read_token(ctx.secret, token, ctx.now()) if token else None
    return None if who is None or token is None else (who, token)


def _login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def _page(request: Request, name: str, who: Principal, token: str, **extra: object) -> HTMLResponse:
    return templates.TemplateResponse(
        request, name, {"who": who, "token": token, **extra}, headers={"Cache-Control": "no-store"}
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"next": _local(next), "error": None})


def _local(path: str) -> str:
    """Only redirect within this site after signing in."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: CtxDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    who = authenticate(session, username, password)
    if who is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": _local(next), "error": "Wrong user name or password."},
            status_code=401,
        )
    resp = RedirectResponse(_local(next), status_code=303)
    resp.set_cookie(
        COOKIE,
        make_token(ctx.secret, who, ctx.now()),
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return resp


@router.post("/logout")
def logout() -> RedirectResponse:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/", response_class=HTMLResponse)
def index(request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    auth = _who(request, ctx)
    if auth is None:
        return _login(request)
    return _page(request, "index.html", *auth, plans=plans.plans(session))


def _plan_page(name: str):  # type: ignore[no-untyped-def]
    def view(plan_id: int, request: Request, ctx: CtxDep, session: SessionDep) -> Response:
        auth = _who(request, ctx)
        if auth is None:
            return _login(request)
        try:
            loaded = plans.load(ctx, session, plan_id)
        except plans.NotFound:
            return HTMLResponse("<h1>No such plan</h1>", status_code=404)
        return _page(
            request,
            f"{name}.html",
            *auth,
            loaded=loaded,
            plan_id=plan_id,
            revisions=plans.revisions(session, plan_id),
        )

    return view


router.add_api_route(
    "/plans/{plan_id}", _plan_page("plan"), methods=["GET"], response_class=HTMLResponse
)
router.add_api_route(
    "/plans/{plan_id}/control", _plan_page("control"), methods=["GET"], response_class=HTMLResponse
)
router.add_api_route(
    "/plans/{plan_id}/marshal", _plan_page("marshal"), methods=["GET"], response_class=HTMLResponse
)
router.add_api_route(
    "/plans/{plan_id}/announcer",
    _plan_page("announcer"),
    methods=["GET"],
    response_class=HTMLResponse,
)


@router.get("/guests", response_class=HTMLResponse)
def guests_page(request: Request, ctx: CtxDep, session: SessionDep, cache: CacheDep) -> Response:
    """Organisers: every guest, their history, the event form; viewers: counts only."""
    auth = _who(request, ctx)
    if auth is None:
        return _login(request)
    if auth[0].role == "marshal":
        return HTMLResponse("<h1>Marshals do not read guests</h1>", status_code=403)
    personal = auth[0].role == "organiser"
    try:
        loaded = guests.load(session, guests.latest_id(session), cache)
    except guests.NotFound:
        return _page(request, "guests.html", *auth, doc=None, kinds=[])
    doc = {"book": loaded.id, **guests.guests(loaded.book, None, personal=personal)}
    histories = {g.id: guests.history(loaded, g.id) for g in loaded.book.guests} if personal else {}
    return _page(
        request,
        "guests.html",
        *auth,
        doc=doc,
        histories=histories,
        announcements=guests.announcements(loaded.book, personal=personal),
        kinds=[k.value for k in EventKind],
    )


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """Served from the root so that it may control every page (its scope is ``/``)."""
    return FileResponse(
        str(_here / "static" / "sw.js"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
