"""The app factory: one database, one clock, the slices' routers, the pages."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import paradeops
from paradeops.service import errors
from paradeops.service.checkins.fast import CheckinFastPath
from paradeops.service.checkins.views import router as checkins_router
from paradeops.service.checkins.writer import Writer
from paradeops.service.context import Clock, ServiceContext, system_clock
from paradeops.service.control.views import router as control_router
from paradeops.service.guests.badge_views import router as badges_router
from paradeops.service.guests.views import router as guests_router
from paradeops.service.headers import SecurityHeaders
from paradeops.service.incidents.views import router as incidents_router
from paradeops.service.limits import BodyLimit
from paradeops.service.notify import Relay
from paradeops.service.orders.views import router as orders_router
from paradeops.service.pages.views import router as pages_router
from paradeops.service.plans.views import router as plans_router
from paradeops.service.public.page import router as public_page_router
from paradeops.service.public.views import router as public_router
from paradeops.service.settings import ServiceSettings
from paradeops.service.users import keys
from paradeops.service.users.signin_rate import SignInRate
from paradeops.service.users.views import router as users_router
from paradeops.service.validation import StrictJson
from paradeops.store import open_database


def create_app(
    database_url: str | None = None,
    *,
    clock: Clock = system_clock,
    late_s: float | None = None,
    settings: ServiceSettings | None = None,
) -> FastAPI:
    """The service on ``database_url`` (migrated on start); ``clock`` may replay a past day.

    ``settings`` holds everything an operator may set; ``database_url`` and
    ``late_s``, when given, override its fields of the same name.
    """
    settings = _overridden(settings or ServiceSettings(), database_url, late_s)
    ctx = _context(settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # PostgreSQL: what other workers and hosts commit reaches this one (notify.py).
        relay = None if ctx.db.is_sqlite else Relay(ctx).start()
        yield
        if relay is not None:
            relay.stop()
        app.state.writer.close()

    app = FastAPI(
        lifespan=lifespan,
        title="ParadeOps",
        version=getattr(paradeops, "__version__", "0"),
        description="Plans with revisions, marshals' check-ins, the control room.",
        # Swagger UI and ReDoc load unpinned scripts from a CDN into the origin that
        # holds the session cookie (and fail offline): /openapi.json only.
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.writer = Writer(ctx)
    errors.install(app)
    _add_guards(app, settings)
    _add_routes(app)
    # Outermost, so every answer carries them (fast path and refusals included).
    app.add_middleware(SecurityHeaders, hsts=settings.hsts)
    return app


def _overridden(
    settings: ServiceSettings, database_url: str | None, late_s: float | None
) -> ServiceSettings:
    if database_url is not None:
        settings = dataclasses.replace(settings, database_url=database_url)
    if late_s is not None:
        settings = dataclasses.replace(settings, late_s=late_s)
    return settings


def _context(settings: ServiceSettings, clock: Clock) -> ServiceContext:
    """The database (migrated), its signing key and the clock every route shares."""
    # The signing key lives outside the database (a backup must not mint tokens).
    signing_key = keys.signing_key(settings.secret_key_file, settings.database_url)
    db = open_database(settings.database_url, server=True)
    keys.use_for(db.url, signing_key)
    secret = signing_key.current()
    return ServiceContext(
        db=db, secret=secret, clock=clock, late_s=settings.late_s, settings=settings
    )


def _add_guards(app: FastAPI, settings: ServiceSettings) -> None:
    """The middleware in front of the routes; each one added wraps those before it."""
    # Inside the fast path (so not on it): JSON holding NaN, 1e400 or a lone surrogate
    # is a 422 before any route sees it (validation.py).
    app.add_middleware(StrictJson)
    # Check-ins (the hot path) skip FastAPI's routing when well-formed; see checkins/fast.py.
    app.add_middleware(CheckinFastPath)
    # Sign-in floods are shed per address before routing (users/signin_rate.py).
    app.add_middleware(SignInRate)
    # Outside it: bodies bounded before anything reads them (limits.py); outside that,
    # a request id on every answer and a log line for every error (errors.py).
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(errors.RequestLog)


def _add_routes(app: FastAPI) -> None:
    """The slices' API routers, then the pages and their static files."""
    for router in (
        users_router,
        plans_router,
        checkins_router,
        control_router,
        guests_router,
        badges_router,
        incidents_router,
        orders_router,
        public_router,
    ):
        app.include_router(router)
    app.include_router(pages_router)
    app.include_router(public_page_router)
    static = resources.files("paradeops.service.pages") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
