"""Public watchers: the public stream of a plan, without a sign-in.

One more stream kind of ``control/stream.py`` (``"public"``): the same
producer, channel, deltas and history, and so the same crossing of workers
through PostgreSQL LISTEN/NOTIFY. What differs: no session (so no cap per
sign-in), its own cap per plan (:func:`cap`; a crowd of spectators must not
take the control room's slots), and the stream ends with ``event: closed``
within :data:`paradeops.service.public.flags.FRESH_S` + 0.5 s of the plan
being made private.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable

from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from paradeops.service.broadcast import Broadcaster, Watcher
from paradeops.service.context import ServiceContext
from paradeops.service.control import stream
from paradeops.service.public import flags

STREAM = "public"
CLOSED = b"event: closed\ndata: {}\n\n"
_counts: weakref.WeakKeyDictionary[Broadcaster, dict[int, int]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def cap(ctx: ServiceContext) -> int:
    """Public watchers per plan and worker (``--max-public-watchers``), counted apart
    from the signed-in ones, so that a crowd cannot take the control room's slots."""
    return ctx.settings.max_public_watchers_per_plan


def _watching(broadcaster: Broadcaster) -> dict[int, int]:
    with _lock:
        found = _counts.get(broadcaster)
        if found is None:
            found = _counts[broadcaster] = defaultdict(int)
        return found


def _still_public(ctx: ServiceContext, plan_id: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        found = await run_in_threadpool(flags.flags, ctx, plan_id)
        return found.public

    return check


async def open_public_stream(ctx: ServiceContext, plan_id: int, last_seen: int | None) -> Response:
    """A public watcher of the plan: a slot taken, its events queued (event loop)."""
    watching = _watching(ctx.broadcaster)
    if watching[plan_id] >= cap(ctx):
        return stream.refusal(plan_id, cap(ctx))
    watching[plan_id] += 1
    channel = ctx.broadcaster.channel(plan_id, STREAM)
    channel.memo["ctx"] = ctx  # the document reads the flags through it
    channel.members += 1
    watcher = Watcher()

    def leave() -> None:
        channel.watchers.discard(watcher)
        channel.members -= 1
        watching[plan_id] -= 1
        if watching[plan_id] <= 0:
            del watching[plan_id]

    try:
        channel = await stream.fresh_channel(ctx, plan_id, STREAM)
    except BaseException:
        leave()
        raise
    # From here to the end, no await: no event can slip between these and the watcher.
    for event in channel.catch_up(last_seen):
        watcher.offer(event)
    channel.watchers.add(watcher)
    response = stream.EventStream(watcher, leave, _still_public(ctx, plan_id), last_event=CLOSED)
    response.headers["X-ParadeOps-Worker"] = str(ctx.broadcaster.tag)
    return response
