"""The check-in POST without FastAPI's machinery: a plain ASGI middleware.

Profiling 100 busy clients showed FastAPI's routing, dependency solving and
body handling costing more CPU per check-in than storing it. This answers
``POST /api/plans/{id}/checkins`` itself when the request is the ordinary
case: a JSON body that validates as :class:`CheckinIn` (the same pydantic
model, parsed in one pass by pydantic-core), a valid bearer token, a role
allowed at that checkpoint. Anything else is passed on untouched (the body
replayed) to the FastAPI route, which gives the documented error answers; the
route and this share :func:`views.outcome`, so stored data and answers agree.
"""

from __future__ import annotations

import re

import orjson
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paradeops.service.checkins.models import CheckinIn
from paradeops.service.checkins.views import outcome, refusal, retry_after
from paradeops.service.context import ServiceContext
from paradeops.service.limits import replay
from paradeops.service.users.sessions import principal_async
from paradeops.service.users.signin import current_secret

# PlanId's bounds (1 ≤ id < 2**31) are checked below; other paths go on.
_PATH = re.compile(r"/api/plans/([1-9][0-9]{0,9})/checkins")
#: A check-in is ~200 bytes; larger bodies take the ordinary route.
_MAX_BODY = 16 * 1024
_JSON = (b"content-type", b"application/json")


class CheckinFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            return await self.app(scope, receive, send)
        m = _PATH.fullmatch(scope["path"])
        if m is None or int(m[1]) > 2**31 - 1:
            return await self.app(scope, receive, send)
        token = content_type = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value
            elif name == b"content-type":
                content_type = value
        if (
            token is None
            or token[:7].lower() != b"bearer "
            or content_type is None
            or content_type.split(b";", 1)[0].strip().lower() != b"application/json"
        ):
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        messages: list[Message] = []
        size = 0
        while True:
            msg = await receive()
            messages.append(msg)
            if msg["type"] != "http.request":  # a disconnect: let the app see it
                return await self.app(scope, replay(messages, receive), send)
            chunk = msg.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_BODY:
                return await self.app(scope, replay(messages, receive), send)
            if not msg.get("more_body", False):
                break
        ctx: ServiceContext = scope["app"].state.ctx
        # Cached per token for at most a couple of seconds (users/sessions.py): a
        # revoked session or a changed role is refused within that time.
        who = await principal_async(
            ctx.db, current_secret(ctx), token[7:].decode("latin-1").strip(), ctx.now()
        )
        try:
            body = CheckinIn.model_validate_json(b"".join(chunks))
        except ValidationError:
            body = None
        if who is None or body is None or refusal(who, int(m[1]), body) is not None:
            return await self.app(scope, replay(messages, receive), send)
        status, doc = await outcome(scope["app"].state.writer, int(m[1]), body, who)
        payload = orjson.dumps(doc)
        headers = [_JSON, (b"content-length", str(len(payload)).encode())]
        headers += [(k.encode(), v.encode()) for k, v in retry_after(status).items()]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
