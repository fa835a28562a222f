"""An in-process broadcaster: check-ins (worker threads) wake control rooms (event loop).

With one uvicorn worker every check-in passes through this process, so a
version counter per plan is all the control room needs: it waits until the
version moves on, then fetches the new status. Several workers (or servers)
would need a shared channel instead (PostgreSQL LISTEN/NOTIFY, say).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import defaultdict


class Broadcaster:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[int, int] = defaultdict(int)
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = (
            defaultdict(set)
        )

    def version(self, plan_id: int) -> int:
        with self._lock:
            return self._versions[plan_id]

    def publish(self, plan_id: int) -> None:
        """Called from any thread after a change to ``plan_id`` is committed."""
        with self._lock:
            self._versions[plan_id] += 1
            waiters = list(self._waiters[plan_id])
        for loop, ev in waiters:
            # A RuntimeError means that loop has closed; its waiter is gone.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(ev.set)

    async def wait(self, plan_id: int, seen: int, timeout: float) -> int:
        """The plan's version, once it differs from ``seen`` or ``timeout`` passes."""
        ev = asyncio.Event()
        key = (asyncio.get_running_loop(), ev)
        with self._lock:
            if self._versions[plan_id] != seen:
                return self._versions[plan_id]
            self._waiters[plan_id].add(key)
        try:
            await asyncio.wait_for(ev.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            with self._lock:
                self._waiters[plan_id].discard(key)
        return self.version(plan_id)
