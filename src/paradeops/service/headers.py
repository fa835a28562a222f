"""Security headers on every answer: a plain ASGI middleware, installed outermost.

Outermost so that nothing escapes it: the check-in fast path, refusals of other
middleware and error pages all pass through. A header the answer already
carries is left alone, so a view may set its own (``/sw.js`` its
``Cache-Control``, a future embeddable page its Content-Security-Policy).

The policy is chosen by path (:data:`RULES`, first match wins): pages get
``default-src 'self'`` (their scripts and styles are files under ``/static``;
no template holds inline script or style, so no ``'unsafe-inline'``), API
answers ``default-src 'none'`` (JSON never needs to load anything). No page
is meant to be framed yet: every rule says ``frame-ancestors 'none'``; a
page meant to be embedded gets a rule of its own with the origins allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: What a page may load: its own origin's scripts, styles, images, API and streams.
PAGE_POLICY = "default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"
#: An API answer is data: it loads nothing and runs nothing if opened as a document.
API_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'"
#: The public tracker's page: the map library (MapLibre) starts its worker from
#: its own file here (or, for a worker file on another origin, from a ``blob:``
#: URL) and draws ``data:``/``blob:`` images; scripts and styles are still files
#: of this origin only. A tile host, when configured, is added by the page
#: itself (``service/public/page.py``).
PUBLIC_PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; worker-src 'self' blob:; "
    "img-src 'self' data: blob:; "
    "base-uri 'none'; form-action 'none'; object-src 'none'"
)
#: One year; a browser that saw it uses only https for this host until then.
HSTS_VALUE = "max-age=31536000"


@dataclass(frozen=True)
class Rule:
    """The headers for paths starting with ``prefix`` (and ending with ``suffix``)."""

    prefix: str
    policy: str
    suffix: str = ""
    #: Who may frame these paths: ``'none'``, or a list of origins for an embeddable page.
    frame_ancestors: str = "'none'"
    #: Cache-Control when the answer names none.
    cache: str = "no-store"


RULES: tuple[Rule, ...] = (
    Rule("/api/", API_POLICY),
    Rule("/openapi.json", API_POLICY),
    # Data for the pages' scripts (/plans/N/marshal.json): data, like the API.
    Rule("/", API_POLICY, suffix=".json"),
    # Scripts, styles and the marshal shell: the same bytes for everyone, so a
    # browser may keep them but asks (ETag) whether a release changed them.
    Rule("/static/", PAGE_POLICY, cache="no-cache"),
    # The public tracker (no sign-in, the same shell for everyone).
    Rule("/public/", PUBLIC_PAGE_POLICY, cache="no-cache"),
    # Every page (signed-in pages, the sign-in form) and /sw.js (whose own
    # fetches the policy governs): never stored, by the browser or a proxy.
    Rule("/", PAGE_POLICY),
)


def rule_for(path: str) -> Rule:
    for rule in RULES:
        if path.startswith(rule.prefix) and path.endswith(rule.suffix):
            return rule
    return RULES[-1]


def _encoded(rule: Rule, hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", f"{rule.policy}; frame-ancestors {rule.frame_ancestors}"),
        (b"x-content-type-options", "nosniff"),
        # same-origin, not no-referrer: a same-site POST then still carries its
        # real Origin (no-referrer makes browsers send "Origin: null").
        (b"referrer-policy", "same-origin"),
        (b"cache-control", rule.cache),
    ]
    if rule.frame_ancestors == "'none'":
        headers.append((b"x-frame-options", "DENY"))  # browsers without CSP level 2
    if hsts:
        headers.append((b"strict-transport-security", HSTS_VALUE))
    return [(name, value.encode("latin-1")) for name, value in headers]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self._by_rule = {rule: _encoded(rule, hsts) for rule in RULES}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        wanted = self._by_rule[rule_for(scope["path"])]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend((n, v) for n, v in wanted if n not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
