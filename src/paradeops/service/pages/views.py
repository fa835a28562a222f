"""Pages: sign in, plans, control room, marshal, announcer. Data comes from the API.

A page is authorised by the HttpOnly session cookie, which no script can
read; no page holds the session token. Page scripts call the API with that
cookie (``credentials: "same-origin"``) and, for writes, the session's CSRF
token from ``<meta name="csrf-token">``, which the API requires whenever the
cookie is what authenticates (see :func:`paradeops.service.deps.current_user`).

The marshal page is a static shell (``static/marshal.html``), the same bytes
for everyone, that fetches its plan from :func:`marshal_data`; the service
worker may therefore keep it for offline use without ever storing a page
that was made for one user.
"""

from __future__ import annotations

import ipaddress
from importlib import resources
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from paradeops.protocol.guests import EventKind
from paradeops.service.deps import COOKIE, CSRF_HEADER, CtxDep, SessionDep, page_user
from paradeops.service.guests import service as guests
from paradeops.service.guests.views import CacheDep
from paradeops.service.limits import PEER_KEY
from paradeops.service.plans import service as plans
from paradeops.service.plans.views import PlanId
from paradeops.service.users.signin import (
    BadCredentials,
    Busy,
    OneAtATime,
    Throttled,
    sign_in,
    sign_out,
)
from paradeops.service.users.tokens import LIFETIME, Principal

_here = resources.files("paradeops.service.pages")
templates = Jinja2Templates(directory=str(_here / "templates"))
router = APIRouter(include_in_schema=False)
MARSHAL_SHELL = str(_here / "static" / "marshal.html")


def _login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


def _page(request: Request, name: str, who: Principal, csrf: str, **extra: object) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"who": who, "csrf": csrf, **extra})


def _local(path: str) -> str:
    """Only redirect within this site after signing in (``//x`` and ``/\\x`` leave it)."""
    if not path.startswith("/") or path[1:2] in ("/", "\\") or not path.isprintable():
        return "/"
    return path


def _same_site(request: Request) -> bool:
    """A browser's form POST names its origin: refuse one from another site.

    The session cookie is SameSite=Strict, which already keeps other sites'
    forms from signing someone out; this also stops them signing a victim in
    under the attacker's account (login CSRF). No Origin (curl, old
    browsers) is let through: it carries no cookie of a victim.
    """
    origin = request.headers.get("origin")
    if origin is None:
        return True
    ours = {request.headers.get("host")}
    # Behind a proxy that rewrites Host, X-Forwarded-Host names the site: believed
    # only from a proxy named in --forwarded-allow-ips (anyone else could set it).
    if from_trusted_proxy(request):
        ours.add(request.headers.get("x-forwarded-host"))
    return origin != "null" and urlsplit(origin).netloc in ours - {None}


def from_trusted_proxy(request: Request) -> bool:
    """Whether the connection's own peer (before X-Forwarded-For) is a trusted proxy."""
    allowed = request.app.state.ctx.settings.forwarded_allow_ips
    peer = request.scope.get(PEER_KEY)
    if allowed is None or not peer:
        return False
    entries = [a.strip() for a in str(allowed).split(",") if a.strip()]
    if "*" in entries:
        return True
    try:
        address = ipaddress.ip_address(peer[0])
    except ValueError:
        return peer[0] in entries
    for entry in entries:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _login_page(request: Request, next: str, error: str | None, status: int = 200) -> Response:
    return templates.TemplateResponse(
        request, "login.html", {"next": _local(next), "error": error}, status_code=status
    )


def _throttled_page(request: Request, next: str, refusal: Throttled) -> Response:
    wait = max(1, int(refusal.retry_after_s))
    if isinstance(refusal, Busy | OneAtATime):
        why = f"The service is checking many sign-ins just now. Wait {wait} s, then try again."
    else:
        why = (
            f"Too many failed sign-ins. Wait {wait} s, then try again "
            "(an organiser can lift this at once with `paradeops user unlock NAME`)."
        )
    page = _login_page(request, next, why, 429)
    page.headers["Retry-After"] = str(wait)
    return page


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, next, None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    ctx: CtxDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    if not _same_site(request):
        return _login_page(request, next, "Sign in from this site's own page.", 403)
    address = request.client.host if request.client else ""
    try:
        token = sign_in(ctx, username, password, address)
    except Throttled as t:
        return _throttled_page(request, next, t)
    except BadCredentials:
        return _login_page(request, next, "Wrong user name or password.", 401)
    resp = RedirectResponse(_local(next), status_code=303)
    resp.set_cookie(
        COOKIE,
        token,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return resp


@router.post("/logout")
def logout(
    request: Request,
    ctx: CtxDep,
    csrf: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    """End the session on the server (the token stops working everywhere), drop the cookie.

    The CSRF token comes as the ``X-CSRF-Token`` header (the page's script)
    or the ``csrf`` form field (a browser without scripts).
    """
    auth = page_user(request)
    if auth is not None:
        sent = request.headers.get(CSRF_HEADER) or csrf
        if not _same_site(request) or sent != auth[1]:
            return HTMLResponse("<h1>Sign out from this site's own page</h1>", status_code=403)
        token = request.cookies.get(COOKIE)
        if token:
            sign_out(ctx, token)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return resp


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep) -> Response:
    auth = page_user(request)
    if auth is None:
        return _login(request)
    return _page(request, "index.html", *auth, plans=plans.plans(session))


def _plan_page(name: str):  # type: ignore[no-untyped-def]
    def view(plan_id: PlanId, request: Request, ctx: CtxDep, session: SessionDep) -> Response:
        auth = page_user(request)
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
    "/plans/{plan_id}/announcer",
    _plan_page("announcer"),
    methods=["GET"],
    response_class=HTMLResponse,
)


@router.get("/plans/{plan_id}/marshal", response_class=HTMLResponse)
def marshal_page(plan_id: PlanId, request: Request) -> Response:
    """The static shell; it reads its plan from :func:`marshal_data`."""
    if page_user(request) is None:
        return _login(request)
    return FileResponse(MARSHAL_SHELL, media_type="text/html; charset=utf-8")


@router.get("/plans/{plan_id}/marshal.json")
def marshal_data(plan_id: PlanId, request: Request, ctx: CtxDep, session: SessionDep) -> Response:
    """What the marshal shell needs: the plan's units, this user's checkpoints, the CSRF token.

    The shell keeps all but the CSRF token in the phone's local storage, so
    taps still queue when the page is reopened offline.
    """
    auth = page_user(request)
    if auth is None:
        return JSONResponse({"detail": "not signed in"}, status_code=401)
    who, csrf = auth
    try:
        loaded = plans.load(ctx, session, plan_id)
    except plans.NotFound:
        return JSONResponse({"detail": f"no plan {plan_id}"}, status_code=404)
    return JSONResponse(
        {
            "plan": plan_id,
            "revision": loaded.revision,
            "name": loaded.plan.parade.name,
            "user": {"name": who.name, "role": who.role},
            "csrf": csrf,
            "checkpoints": _checkpoints_of(who, plan_id, loaded),
            "units": [
                {"id": u.id, "name": u.name}
                for u in loaded.schedule.units
                if u.trajectory is not None  # units that do not march have nothing to pass
            ],
        }
    )


def _checkpoints_of(
    who: Principal, plan_id: int, loaded: plans.Loaded
) -> list[dict[str, str | float]]:
    """The checkpoints ``who`` may check in at, in the route's order (``at_m``: for incidents)."""
    allowed = who.checkpoints_for(plan_id)
    return [
        {"id": c.id, "name": c.name, "at_m": float(c.at_m)}
        for c in loaded.schedule.checkpoints
        if who.role == "organiser" or (who.role == "marshal" and c.id in allowed)
    ]


@router.get("/guests", response_class=HTMLResponse)
def guests_page(request: Request, session: SessionDep, cache: CacheDep) -> Response:
    """Organisers: every guest, their history, the event form; viewers: counts only."""
    auth = page_user(request)
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


@router.get("/scan", response_class=HTMLResponse)
def scan_page(request: Request) -> Response:
    """The tribune's badge scan (stewards and organisers): a field a scanner types into."""
    auth = page_user(request)
    if auth is None:
        return _login(request)
    if auth[0].role not in ("organiser", "steward"):
        return HTMLResponse("<h1>Stewards and organisers only</h1>", status_code=403)
    return _page(request, "scan.html", *auth)


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """Served from the root so that it may control every page (its scope is ``/``)."""
    return FileResponse(
        str(_here / "static" / "sw.js"),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )
