"""The control room's and the announcer's streams: a snapshot, then merge-patch deltas.

Before, every watcher computed, encoded and was sent the whole ``/live``
document (hundreds of kB to MBs) on every change, each through two thread-pool
hops: with 500 watchers an update took ~17 s to reach them. Now one producer
per (plan, stream) computes each new document and its delta once, in one
thread-pool hop, and hands the same encoded bytes to every watcher's bounded
queue (``broadcast.Channel``).

The streamed documents are shaped so that deltas stay small however many
check-ins there are: RFC 7396 replaces arrays whole, so collections are
objects keyed by id (units by unit id, the graph's actual points by what they
show, alerts by kind/unit/checkpoint), each member carrying its ``order``;
members that would be ``null`` are left out (``null`` deletes in a patch).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import operator
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from fastapi import HTTPException
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from paradeops.service.broadcast import Channel, Watcher
from paradeops.service.context import ServiceContext
from paradeops.service.control import service
from paradeops.service.control.merge_patch import diff
from paradeops.service.incidents.documents import open_incidents
from paradeops.service.orders.documents import orders_document
from paradeops.service.plans import service as plans
from paradeops.service.public.document import public_stream_document
from paradeops.service.users import sessions
from paradeops.service.users.signin import current_secret

logger = logging.getLogger(__name__)

#: New documents are computed at most this often, however fast check-ins arrive [s].
MIN_INTERVAL_S = 0.1
#: Without check-ins the document is still recomputed this often (time moves on) [s].
HEARTBEAT_S = 5.0
#: With nothing to send for this long, a keep-alive comment goes out [s].
KEEP_ALIVE_S = 15.0
#: A refused watcher is told to come back after this [s].
RETRY_AFTER_S = 10
#: Longest Last-Event-ID believed (digits); anything else gets a snapshot.
MAX_EVENT_ID_DIGITS = 20
#: A watcher's session is checked again this often (through the sessions' ≤ 2 s cache) [s].
SESSION_CHECK_S = 0.5
#: The last event of a stream whose sign-in has ended (the page then signs in again).
SIGNED_OUT = b"event: signed-out\ndata: {}\n\n"

Document = dict[str, Any]
#: Builds a stream's document from a snapshot; the dict is the producer's memo between rounds.
Build = Callable[[service.Snapshot, dict[str, Any]], Document]


# --- the documents ---------------------------------------------------------------------


def plain(o: Any) -> Any:
    """``o`` with numpy scalars as Python numbers and ``None`` members of objects left out."""
    if isinstance(o, dict):
        return {k: plain(v) for k, v in o.items() if v is not None}
    if isinstance(o, list | tuple):
        return [plain(v) for v in o]
    if isinstance(o, np.generic):
        return o.item()
    return o


def keyed(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """A list of objects as an object keyed by ``item[key]``; each keeps its place as ``order``."""
    return {str(item[key]): {**item, "order": i} for i, item in enumerate(items)}


def _unique(base: str, taken: dict[str, Any]) -> str:
    """``base``, or ``base#2``, ``base#3``… if taken: identical items stay distinct."""
    if base not in taken:
        return base
    n = 2
    while f"{base}#{n}" in taken:
        n += 1
    return f"{base}#{n}"


def alerts_keyed(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, a in enumerate(alerts):
        base = f"{a['kind']}/{a.get('unit') or ''}/{a.get('checkpoint') or ''}"
        out[_unique(base, out)] = {**a, "order": i}
    return out


def points_keyed(
    points: tuple[dict[str, Any], ...] | list[dict[str, Any]], memo: dict[str, Any]
) -> dict[str, Any]:
    """The graph's actual points keyed by what they show (unit, part, time, place).

    A key that depends on nothing else stays the same when a check-in is
    added, voided or committed out of order, so a delta carries only the
    points that came or went. The point dicts themselves are shared with the
    actuals cache (built once per check-in) and never changed; when the new
    points are the previous ones plus some (the usual case), only those are
    keyed (``memo`` keeps the previous round's; 15k points took ~35 ms to key).
    """
    before, keyed_before = memo.get("points", ()), memo.get("keyed", {})
    n = len(before)
    if n and len(points) >= n and all(map(operator.is_, before, points)):
        out = dict(keyed_before) if len(points) > n else keyed_before
        fresh = points[n:]
    else:
        out, fresh = {}, points
    for p in fresh:
        base = f"{p['unit']}/{p['part']}/{p['t']}/{p['x']}"
        out[base if base not in out else _unique(base, out)] = p
    memo["points"], memo["keyed"] = tuple(points), out
    return out


def _seconds(iso: str, reference: dt.datetime) -> float:
    return (dt.datetime.fromisoformat(iso) - reference).total_seconds()


def relative_unit(unit: dict[str, Any], reference: dt.datetime) -> dict[str, Any]:
    """A status unit whose projected times are seconds after one ``anchor_s`` of its own.

    When a parade runs late, the projections of every unit not yet seen move
    with the clock (and with each check-in) by the same amount: written as
    ISO times, every round changed every unit's ``ahead`` and ``passes``
    (370 kB a round for 124 units). Here a projected time is a number of
    seconds after the unit's ``anchor_s`` (seconds after the document's
    ``reference``: its first projected time ahead), so a projection that
    moves as a whole changes one number. Offsets are whole seconds (the times
    it is built from are rounded to 0.1 s each, so finer offsets would flicker
    between rounds). Observed and planned times stay ISO
    times (they never move). ``ahead`` and ``passes`` are keyed by
    checkpoint (arrays are replaced whole in a merge patch).
    """
    times = [
        _seconds(t, reference)
        for a in unit["ahead"]
        for t in (a.get("head"), a.get("tail"))
        if t is not None
    ]
    anchor = round(min(times), 1) if times else None

    def rel(iso: str) -> float | str:
        return iso if anchor is None else round(_seconds(iso, reference) - anchor)

    ahead = {
        a["checkpoint"]: {
            "checkpoint": a["checkpoint"],
            "order": i,
            **{part: rel(a[part]) for part in ("head", "tail") if a.get(part) is not None},
        }
        for i, a in enumerate(unit["ahead"])
    }
    passes = {}
    for i, p in enumerate(unit["passes"]):
        q = {**p, "order": i}
        for part in ("head", "tail"):
            if not p[f"{part}_observed"]:
                q[part] = rel(p[part])
        passes[p["checkpoint"]] = q
    out = {**unit, "ahead": ahead, "passes": passes}
    if anchor is not None:
        out["anchor_s"] = anchor
    return out


def relative_projection(unit: dict[str, Any]) -> dict[str, Any]:
    """A graph unit whose projected line is [whole seconds after ``projected_at_s``, place]."""
    line = unit.get("projected")
    if not line:
        return unit
    at = line[0][0]
    return {**unit, "projected_at_s": at, "projected": [[round(t - at), x] for t, x in line]}


def control_document(snap: service.Snapshot, memo: dict[str, Any]) -> Document:
    """What the control room draws (the ``/live`` status and graph), keyed for small deltas."""
    status = plain(service.status(snap).model_dump())
    graph = service.graph(snap)
    actuals = graph.pop("actuals")
    graph = plain(graph)
    graph["units"] = keyed([relative_projection(u) for u in graph["units"]], "id")
    graph["actuals"] = points_keyed(actuals, memo)
    reference = dt.datetime.fromisoformat(status["reference"])
    status["units"] = keyed([relative_unit(u, reference) for u in status["units"]], "id")
    status["alerts"] = alerts_keyed(status["alerts"])
    status["graph"] = graph
    status["incidents"] = open_incidents(
        snap.loaded.plan, snap.loaded.schedule, snap.live, snap.incidents
    )
    # Every time on the pages is shown in the parade's zone, whatever the browser's is.
    status["timezone"] = snap.loaded.plan.parade.timezone
    status["orders"] = orders_document(snap)
    return status  # type: ignore[no-any-return]


def _stand_tails(snap: service.Snapshot) -> dict[str, dict[str, Any]]:
    """Per unit: when its tail passes the reviewing stand, and whether that was seen."""
    stand = snap.loaded.schedule.reviewing.id
    out = {}
    for u in snap.live.units:
        p = u.at(stand)
        if p is not None:
            out[u.id] = {
                "tail_at": service.iso_time(snap, p.tail),
                "tail_observed": p.tail_observed,
            }
    return out


def _script(snap: service.Snapshot) -> dict[str, Any]:
    """The script keyed by unit, each line with its tail at the stand (who is there now)."""
    tails = _stand_tails(snap)
    lines = [{**x.model_dump(), **tails.get(x.unit, {})} for x in service.script(snap)]
    return keyed(plain(lines), "unit")


def announcer_document(snap: service.Snapshot, memo: dict[str, Any]) -> Document:
    """The announcer's script in running order (``order``), keyed by unit."""
    return {
        "plan": snap.loaded.plan_id,
        "revision": snap.loaded.revision,
        "checkins": snap.count,
        "now": service.iso_time(snap, snap.live.now),
        "timezone": snap.loaded.plan.parade.timezone,
        "script": _script(snap),
        "incidents": open_incidents(
            snap.loaded.plan, snap.loaded.schedule, snap.live, snap.incidents
        ),
    }


STREAMS: dict[str, Build] = {
    "control": control_document,
    "announcer": announcer_document,
    # The public tracker's (service/public/): what a spectator may see, no sign-in.
    "public": public_stream_document,
}


# --- the producer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One round of a producer: the new document and what to send for it."""

    document: Document
    #: "first" (nobody has an older one), "snapshot" (a new revision), "delta", "same".
    kind: str
    data: bytes = b""


def _compute(
    ctx: ServiceContext, plan_id: int, build: Build, before: Document | None, memo: dict[str, Any]
) -> Step:
    """In a worker thread: the new document, and its delta from ``before`` encoded once."""
    with ctx.db.sessions() as session:
        snap = service.snapshot(ctx, session, plan_id)
    document = build(snap, memo)
    if before is None:
        return Step(document, "first")
    if before.get("revision") != document.get("revision"):
        return Step(document, "snapshot", orjson.dumps(document))
    patch = diff(before, document)
    if not patch:
        return Step(before, "same")
    return Step(document, "delta", orjson.dumps(patch))


async def _produce(ctx: ServiceContext, plan_id: int, stream: str, channel: Channel) -> None:
    """Recompute on every committed change (at most every MIN_INTERVAL_S) while anyone watches."""
    build = STREAMS[stream]
    fresh = channel.fresh
    assert fresh is not None
    try:
        while channel.members > 0:
            seen = ctx.broadcaster.version(plan_id)
            try:
                step = await run_in_threadpool(
                    _compute, ctx, plan_id, build, channel.document, channel.memo
                )
            except Exception as e:
                if not fresh.done():  # nobody has a document yet: the joiners hear why
                    fresh.set_exception(e)
                    if channel.document is None:
                        # No such plan (say): keep no channel for it, or any number
                        # of made-up plan ids would each leave one behind.
                        ctx.broadcaster.forget(plan_id, stream, channel)
                    return
                # Keep the watchers and what they have; the next change tries again.
                logger.exception("plan %d: the %s stream's update failed", plan_id, stream)
            else:
                _publish(channel, step)
                if not fresh.done():
                    fresh.set_result(None)
            await asyncio.sleep(MIN_INTERVAL_S)
            await ctx.broadcaster.wait(plan_id, seen, HEARTBEAT_S)
    finally:
        channel.producer = None
        if not fresh.done():
            fresh.cancel()


def _publish(channel: Channel, step: Step) -> None:
    if step.kind == "delta":
        channel.delta(step.document, step.data)
    elif step.kind == "snapshot":
        channel.snapshot(step.document, step.data)
    elif step.kind == "first":
        channel.start(step.document)
    elif time.monotonic() - channel.last_sent > KEEP_ALIVE_S:
        channel.keep_alive()


async def fresh_channel(ctx: ServiceContext, plan_id: int, stream: str) -> Channel:
    """The channel, its producer running and its document up to date (404 if no such plan)."""
    channel = ctx.broadcaster.channel(plan_id, stream)
    if channel.producer is None:
        channel.fresh = asyncio.get_running_loop().create_future()
        channel.producer = asyncio.create_task(_produce(ctx, plan_id, stream, channel))
    assert channel.fresh is not None
    try:
        await asyncio.shield(channel.fresh)
    except plans.NotFound:
        raise HTTPException(404, detail=f"no plan {plan_id}") from None
    return channel


def last_event_id(header: str | None, query: str | None) -> int | None:
    """The id the client last saw: the header (EventSource's reconnect) or ``?last_event_id=``."""
    text = (header if header is not None else query or "").strip()
    if not text or len(text) > MAX_EVENT_ID_DIGITS or not text.isascii() or not text.isdigit():
        return None
    return int(text)


# --- the watchers' side ------------------------------------------------------------------


class EventStream(Response):
    """The ASGI response of one watcher: its queued events, until it leaves or is dropped.

    Written out rather than a StreamingResponse so that a disconnect frees the
    slot at once (not at the next event), and a watcher whose client stopped
    reading can be ended even while a write to it waits for the socket.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        watcher: Watcher,
        leave: Callable[[], None],
        signed_in: Callable[[], Awaitable[bool]],
        *,
        last_event: bytes = SIGNED_OUT,
    ) -> None:
        self.watcher = watcher
        self.leave = leave
        self.signed_in = signed_in
        #: Sent when ``signed_in`` turns False (a public stream: its plan made private).
        self.last_event = last_event
        self.status_code = 200
        self.background = None
        # No body, so no Content-Length; nginx would otherwise hold events back.
        self.init_headers({"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sender = listener = guard = None
        try:
            await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
            sender = asyncio.create_task(self._send_events(send))
            listener = asyncio.create_task(self._until_disconnect(receive))
            guard = asyncio.create_task(self._until_signed_out())
            self.watcher.on_drop = sender.cancel
            await asyncio.wait({sender, listener, guard}, return_when=asyncio.FIRST_COMPLETED)
            if self.watcher.dropped:
                # The server closes the connection (the response is left unfinished).
                logger.warning("watcher dropped: it fell %d events behind", self.watcher.limit)
            elif guard.done():
                logger.info("watcher ended: its sign-in has ended")
                sender.cancel()  # (its write, if one waits, has not begun)
                await asyncio.wait({sender})
                # A last event the page understands, then the end of the stream.
                last = {"type": "http.response.body", "body": self.last_event, "more_body": True}
                await send(last)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            for task in (sender, listener, guard):
                if task is not None:
                    task.cancel()
            self.leave()

    async def _send_events(self, send: Send) -> None:
        while True:
            chunk = await self.watcher.take()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def _until_signed_out(self) -> None:
        """Returns once the watcher's session has ended (logout, disable, delete, new key…)."""
        while True:
            try:
                if not await self.signed_in():
                    return
            except Exception:  # the database is away, say: keep the watcher, ask again
                logger.exception("a watcher's session could not be checked")
            await asyncio.sleep(SESSION_CHECK_S)

    @staticmethod
    async def _until_disconnect(receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass


#: Session checks in flight, by (database, token): a session's watchers share one.
_checks: dict[tuple[str, str], asyncio.Task[bool]] = {}


def session_check(ctx: ServiceContext, token: str) -> Callable[[], Awaitable[bool]]:
    """Whether ``token``'s session still holds, asked through the sessions' cache.

    The cache keeps an answer for at most ``sessions.FRESH_S`` (2 s), so an
    ended session (logout, disable, delete, role change, key rotation) ends
    its streams within about that, plus :data:`SESSION_CHECK_S`; a session's
    watchers share one question to the database.
    """
    key = (ctx.db.url, token)

    async def ask() -> bool:
        who = await sessions.principal_async(ctx.db, current_secret(ctx), token, ctx.now())
        return who is not None

    def done(task: asyncio.Task[bool]) -> None:
        if _checks.get(key) is task:
            del _checks[key]

    async def signed_in() -> bool:
        task = _checks.get(key)
        if task is None:
            task = _checks[key] = asyncio.create_task(ask())
            task.add_done_callback(done)
        return await asyncio.shield(task)

    return signed_in


def session_refusal(cap: int) -> JSONResponse:
    logger.warning("watcher refused: a session has its %d watchers", cap)
    return JSONResponse(
        {
            "detail": f"this sign-in already has the most streams allowed ({cap}); "
            "close another control-room or announcer page first"
        },
        status_code=429,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


def refusal(plan_id: int, cap: int) -> JSONResponse:
    logger.warning("watcher refused: plan %d has its %d watchers", plan_id, cap)
    return JSONResponse(
        {
            "detail": f"plan {plan_id} already has the most watchers allowed ({cap}); "
            f"try again in {RETRY_AFTER_S} s"
        },
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def open_stream(
    ctx: ServiceContext, plan_id: int, stream: str, last_seen: int | None, token: str
) -> Response:
    """A watcher of ``stream`` of the plan for ``token``'s session: slots taken, events queued."""
    cap = ctx.settings.max_watchers_per_plan
    session_cap = ctx.settings.max_watchers_per_session
    broadcaster = ctx.broadcaster
    if not broadcaster.reserve_session(token, session_cap):
        return session_refusal(session_cap)
    if not broadcaster.reserve(plan_id, cap):
        broadcaster.release_session(token)
        return refusal(plan_id, cap)
    channel = broadcaster.channel(plan_id, stream)
    channel.members += 1
    watcher = Watcher()

    def leave() -> None:
        channel.watchers.discard(watcher)
        channel.members -= 1
        broadcaster.release(plan_id)
        broadcaster.release_session(token)

    try:
        channel = await fresh_channel(ctx, plan_id, stream)
    except BaseException:
        leave()
        raise
    # From here to the end, no await: no event can slip between these and the watcher.
    for event in channel.catch_up(last_seen):
        watcher.offer(event)
    channel.watchers.add(watcher)
    response = EventStream(watcher, leave, session_check(ctx, token))
    # Which worker serves it (the high digits of its event ids): for operators and tests.
    response.headers["X-ParadeOps-Worker"] = str(broadcaster.tag)
    return response
