"""A per-address rate on sign-in requests, answered before FastAPI sees them.

The throttle (:mod:`.throttle`) and the argon2 gate (:mod:`.signin`) keep a
password-guessing flood from getting anywhere, but each refused request still
went through routing, form parsing and a database read: 60 clients signing in
without pause kept both cores busy and check-ins waited behind them (p99
~1.9 s in ``benchmarks/bench_abuse.py``). This middleware refuses a client
address's sign-ins beyond a token bucket at the ASGI edge, for a few
microseconds each, so the flood costs what its bytes cost.

Two buckets: one per client address (a venue's marshals behind one address
signing in together get :data:`BURST` at once, then :data:`PER_S` a second; a
client told 429 waits Retry-After and tries again), and one for all addresses
together (:data:`ALL_BURST`, then :data:`ALL_PER_S` a second), because a flood
from many addresses (60 in the benchmark) is within each one's bucket yet
together still takes the cores. While a flood lasts, sign-ins are slow for
everyone; check-ins and everyone already signed in are not touched. The
buckets are per process: the throttle in the database remains the rule that
several processes share; this only sheds load.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

#: Sign-ins one address may send at once, and then per second.
BURST = 30.0
PER_S = 2.0
#: Sign-ins all addresses together may send at once, and then per second
#: (a refused one costs a form parse and a database read: ~5 ms of a core).
ALL_BURST = 60.0
ALL_PER_S = 20.0
#: The global bucket's key (not an address).
_ALL = "*"
#: Addresses remembered; beyond it, the ones whose bucket is full again are forgotten.
MAX_ADDRESSES = 50_000
SIGN_IN_PATHS = frozenset({"/api/token", "/login"})


class Buckets:
    """Token buckets by client address."""

    def __init__(self, burst: float = BURST, per_s: float = PER_S) -> None:
        self.burst, self.per_s = burst, per_s
        self._tokens: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)

    def take(self, address: str, now: float) -> float:
        """0 if ``address`` may go on (a token taken), else the seconds until it may.

        ``now`` is the service's clock [s] (a replayed day runs at the real pace).
        """
        tokens, then = self._tokens.get(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.per_s)
        if tokens < 1.0:
            self._tokens[address] = (tokens, now)
            return (1.0 - tokens) / self.per_s
        if len(self._tokens) >= MAX_ADDRESSES and address not in self._tokens:
            self._forget_full(now)
        self._tokens[address] = (tokens - 1.0, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        refill_s = self.burst / self.per_s
        for a, (_, then) in list(self._tokens.items()):
            if now - then >= refill_s:
                del self._tokens[a]
        if len(self._tokens) >= MAX_ADDRESSES:  # all busy: a flood from everywhere
            self._tokens.clear()


class SignInRate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.by_address = Buckets()
        self.everyone = Buckets(ALL_BURST, ALL_PER_S)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] not in SIGN_IN_PATHS
        ):
            return await self.app(scope, receive, send)
        client = scope.get("client")
        ctx = scope["app"].state.ctx
        now = ctx.now().timestamp()
        address = client[0] if client else ""
        wait = self.by_address.take(address, now) or self.everyone.take(_ALL, now)
        if not wait:
            return await self.app(scope, receive, send)
        retry = max(1, round(wait + 0.5))
        # Answered after a pause (held by the event loop at no cost): a client
        # that asks again at once, as a flood does, then asks once a second per
        # connection instead of thousands of times (measured: check-in p99 went
        # from ~0.9 s to what the table in docs/security.md shows).
        await asyncio.sleep(min(wait, ctx.settings.signin_tarpit_s))
        body = orjson.dumps(
            {"detail": f"too many sign-ins from this address; try again in {retry} s"}
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(retry).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
