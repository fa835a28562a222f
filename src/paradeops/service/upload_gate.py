"""One upload check at a time: parsing and scheduling a plan or a guest book holds the GIL.

Checks run in the thread pool, off the event loop, but pure-Python parsing
holds the GIL for all but the switch interval: four expensive uploads checked
at once took most of it from the event loop, and check-ins waited (p99 from
17 ms to 485 ms). The gate lets one check run at a time; a few more wait in
line (at most :data:`WAIT_S` each), and beyond that an upload is answered 503
with ``Retry-After`` at once. Uploads are an organiser's occasional act;
check-ins are the day's traffic.

The read time of an upload is also bounded tighter than the CLI's
(:data:`UPLOAD_READ_SECONDS`): a plan or a guest book reads in well under a
second, so one that needs more is not a plan (a 400,000-key file is not).
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Callable
from typing import TypeVar

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from paradeops.model.yamlsource import ReadLimits

T = TypeVar("T")

#: Checks running at once.
CONCURRENT = 1
#: Uploads waiting for their turn; one more is refused at once.
QUEUE = 4
#: The longest an upload waits for its turn [s].
WAIT_S = 30.0
#: What a refused upload is told to wait [s].
RETRY_AFTER_S = 10
#: The GIL's switch interval while a check runs [s] (Python's default: 0.005).
CHECK_SWITCH_INTERVAL_S = 0.0005
#: Reading an uploaded document may take this long [s] (the CLI allows 10 s).
UPLOAD_READ_SECONDS = 3.0


def upload_limits(limits: ReadLimits) -> ReadLimits:
    """``limits`` with the upload's tighter read time."""
    return dataclasses.replace(limits, max_seconds=min(limits.max_seconds, UPLOAD_READ_SECONDS))


class UploadGate:
    """Runs upload checks in the thread pool, :data:`CONCURRENT` at a time."""

    def __init__(
        self, concurrent: int = CONCURRENT, queue: int = QUEUE, wait_s: float = WAIT_S
    ) -> None:
        self.concurrent = concurrent
        self.queue = queue
        self.wait_s = wait_s
        self.waiting = 0
        # asyncio primitives belong to one event loop: a new one per loop (tests
        # run one app under several loops, one after the other).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(concurrent)

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._slots = asyncio.Semaphore(self.concurrent)
        return self._slots

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in the thread pool once a slot is free; 503 if none comes."""
        slots = self._semaphore()
        if slots.locked():
            if self.waiting >= self.queue:
                self._busy(f"{self.waiting} uploads are already waiting to be checked")
            self.waiting += 1
            try:
                await asyncio.wait_for(slots.acquire(), self.wait_s)
            except TimeoutError:
                self._busy(f"no turn to check the upload came within {self.wait_s:g} s")
            finally:
                self.waiting -= 1
        else:
            await slots.acquire()
        # While a check runs, the GIL changes hands every 0.5 ms rather than 5 ms:
        # a thread coming back from I/O (the event loop, the check-in writer)
        # waits that long for it, several times per check-in.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, CHECK_SWITCH_INTERVAL_S))
        try:
            return await run_in_threadpool(fn, *args)
        finally:
            sys.setswitchinterval(interval)
            slots.release()

    @staticmethod
    def _busy(why: str) -> None:
        raise HTTPException(
            503,
            detail=f"the service is checking other uploads ({why}); try again shortly",
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
