"""Error answers: a UserError becomes a 4xx carrying exactly the CLI's message;
an unhandled exception a logged 500 (:class:`RequestLog`)."""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paradeops.errors import UserError
from paradeops.service import logs
from paradeops.service.validation import answer_422


class ErrorOut(BaseModel):
    detail: str


class TooLarge(UserError):
    """An upload over the size limit: 413 rather than 400."""


#: Documented on every route that can answer them (schemathesis checks the contract).
AUTH_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Not signed in"},
    403: {"model": ErrorOut, "description": "Not allowed for this role"},
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut, "description": "No such thing"}
}
BAD_INPUT: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "The input has problems; the message lists them"}
}


def install(app: FastAPI) -> None:
    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> JSONResponse:
        code = 413 if isinstance(exc, TooLarge) else 400
        return JSONResponse({"detail": str(exc)}, status_code=code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if not request.url.path.startswith("/api/") and any(
            e["loc"][:1] == ("path",) for e in exc.errors()
        ):
            # A page whose address holds no valid id (/plans/%ff/control) does not
            # exist, for anyone: 404 before any question of signing in, never a 422.
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        # Located, in plain words, and never the input (validation.py): FastAPI's own
        # answer echoed it, in full and sometimes unencodable (a 500).
        return Response(answer_422(exc.errors()), 422, media_type="application/json")


# --- request errors: every 4xx and 5xx leaves one log line ---------------------------

request_log = logging.getLogger("paradeops.request")
#: Request ids: this process's random prefix and a counter (cheap, unique, unguessable
#: across restarts, and carrying nothing about the request).
_PROCESS = secrets.token_hex(3)
_serial = itertools.count(1)
_INTERNAL_ERROR = {"detail": "internal error"}


def new_request_id() -> str:
    return f"{_PROCESS}-{next(_serial):x}"


def logged_path(scope: Scope) -> str:
    """The route's template (``/api/guests/{guest}/events``), never ids or names in it.

    A path no route matched (or that was refused before routing) keeps only the
    segments some route spells out; numbers become ``{n}``, anything else ``…``:
    it is the client's text, and may hold a guest's name.
    """
    template = getattr(scope.get("route"), "path", None)
    if isinstance(template, str):
        return _with_prefix(str(scope.get("path", "")), template)
    known = _literal_segments(scope["app"]) if "app" in scope else frozenset()
    shown = []
    for segment in str(scope.get("path", "")).split("/")[1:8]:
        if segment in known:
            shown.append(segment)
        else:
            shown.append("{n}" if segment.isdigit() else "…")
    return "/" + "/".join(shown)


def _with_prefix(path: str, template: str) -> str:
    """``template`` with its router's prefix (``/api/plans``), which the route's path lacks.

    The prefix is the path's leading segments before the template's; routers'
    prefixes are fixed words (no parameters), so these are the prefix as
    written, not a client's text (anything else is left out).
    """
    extra = path.count("/") - template.count("/")
    if extra <= 0:
        return template
    prefix = path.split("/")[1 : extra + 1]
    if not all(s and s.isascii() and s.replace("-", "").isalpha() for s in prefix):
        return template
    return "/" + "/".join(prefix) + template


def _literal_segments(app: Any) -> frozenset[str]:
    """The fixed words of the app's route paths (``api``, ``plans``, ``checkins`` …)."""
    words: frozenset[str] | None = getattr(app.state, "route_words", None)
    if words is None:
        found = {""}
        for route in app.routes:
            path = str(getattr(route, "path", ""))
            found.update(s for s in path.split("/") if not s.startswith("{"))
        words = app.state.route_words = frozenset(found)
    return words


class RequestLog:
    """Pure ASGI middleware: a request id on every answer, a line per error answer.

    An exception nobody handled becomes a plain 500 ``{"detail": "internal
    error", "request_id": …}`` and one ERROR line with its traceback and the
    same id (the client quotes the id, the operator finds the line). Other 5xx
    answers are logged at ERROR, 4xx refusals at INFO (throttled per status
    by the log handler, see :mod:`paradeops.service.logs`). Query strings,
    headers and bodies are never logged: they carry tokens and guests' names.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        logs.request_id.set(request_id)  # this task's context only: no reset needed
        id_header = (b"x-request-id", request_id.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            _log(scope, request_id, status or 500, started, failed=True)
            if status == 0:
                await _internal_error(send_with_id, request_id)
            return
        if status >= 400:
            _log(scope, request_id, status, started, failed=False)


def _log(scope: Scope, request_id: str, status: int, started: float, *, failed: bool) -> None:
    client = scope.get("client")
    fields = {
        "request_id": request_id,
        "method": scope.get("method", ""),
        "path": logged_path(scope),
        "status": status,
        "client": client[0] if client else "",
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "throttle_key": f"status {status}",
    }
    if failed:
        request_log.error("unhandled exception", extra=fields, exc_info=True)
    elif status >= 500 and not scope.get("state", {}).get(_REFUSAL):
        request_log.error("error answer", extra=fields)
    elif status >= 500:  # a 503 that refuses load, not a failure: below ERROR, so throttled
        request_log.warning("refused, busy", extra=fields)
    else:
        request_log.info("refused", extra=fields)


#: Set in a request's state when its 5xx answer is a deliberate refusal (load shedding).
_REFUSAL = "refusal"


def log_as_refusal(request: Request) -> None:
    """Log this request's 503 as a refusal (WARNING, throttled), not as an error."""
    setattr(request.state, _REFUSAL, True)


async def _internal_error(send: Send, request_id: str) -> None:
    payload = json.dumps({**_INTERNAL_ERROR, "request_id": request_id}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
