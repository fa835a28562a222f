"""One writer thread for check-ins, committing them in groups.

Fifty marshals' requests do not each take the database's write lock; they
queue here, and the writer stores whatever has gathered in one transaction
(group commit). A request is answered only after the commit that holds its
check-in, so an acknowledgement still means "on disk". Problems with one
check-in (a taken id, an unknown unit) go back to that request alone.

While one batch commits, the next gathers: under load a batch holds about
the check-ins that arrived during one commit, so throughput grows with the
load instead of every request paying for its own commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections import defaultdict
from dataclasses import dataclass

from paradeops.service.checkins import service
from paradeops.service.checkins.models import CheckinIn, CheckinOut
from paradeops.service.context import ServiceContext
from paradeops.service.control.actuals import Row
from paradeops.service.plans import service as plans
from paradeops.service.users.tokens import Principal

#: At most this many check-ins per transaction.
BATCH = 256
#: Writer threads on PostgreSQL: while one batch waits for its commit (the WAL
#: flush), the next is already being sent. SQLite has one writer at a time, so
#: it gets one thread. Batches insert their ids in sorted order, so two
#: transactions never wait for each other's rows in a cycle (no deadlock).
PG_WRITERS = 2

Result = tuple[CheckinOut, bool] | BaseException


@dataclass
class _Job:
    pending: service.Pending
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[tuple[CheckinOut, bool]]


class Writer:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._run, name=f"checkin-writer-{i}", daemon=True)
            for i in range(1 if ctx.db.is_sqlite else PG_WRITERS)
        ]
        for t in self._threads:
            t.start()

    async def submit(
        self, plan_id: int, body: CheckinIn, who: Principal
    ) -> tuple[CheckinOut, bool]:
        loop = asyncio.get_running_loop()
        job = _Job(service.Pending(plan_id, body, who, self.ctx.now()), loop, loop.create_future())
        self._jobs.put(job)
        return await job.done

    def close(self) -> None:
        self._jobs.put(None)  # passed on from thread to thread
        for t in self._threads:
            t.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                self._jobs.put(None)  # for the other writer threads
                return
            batch = [first]
            while len(batch) < BATCH:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._jobs.put(None)
                    break
                batch.append(nxt)
            self._deliver(batch, self._store(batch))

    def _store(self, batch: list[_Job]) -> list[Result]:
        results: list[Result | None] = [None] * len(batch)
        try:
            with self.ctx.db.writing() as session:
                # The plan's latest revision once per plan and batch, not per check-in.
                loaded: dict[int, plans.Loaded | BaseException] = {}
                valid: list[int] = []
                for i, job in enumerate(batch):
                    p = job.pending
                    if p.plan_id not in loaded:
                        try:
                            loaded[p.plan_id] = plans.load(self.ctx, session, p.plan_id)
                        except plans.NotFound as e:
                            loaded[p.plan_id] = e
                    got = loaded[p.plan_id]
                    try:
                        if isinstance(got, BaseException):
                            raise got
                        service.validate(got, p.body)
                    except Exception as e:  # this check-in's own problem
                        results[i] = e
                    else:
                        valid.append(i)
                if valid:
                    stored = service.record_many(session, [batch[i].pending for i in valid])
                    for i, r in zip(valid, stored, strict=True):
                        results[i] = r
        except BaseException as e:  # the commit failed: nothing in the batch is stored
            return [e] * len(batch)
        # The rows this batch inserted, to the control room's actuals, then the news.
        inserted: dict[int, list[Row]] = defaultdict(list)
        for job, res in zip(batch, results, strict=True):
            if isinstance(res, tuple) and res[1]:
                c = res[0]
                inserted[job.pending.plan_id].append(
                    Row(c.id, c.received_at, c.unit, c.checkpoint, c.part, c.at)
                )
        for plan_id, rows in inserted.items():
            self.ctx.actuals.committed(plan_id, rows)
            self.ctx.broadcaster.publish(plan_id)
        return results  # type: ignore[return-value]

    @staticmethod
    def _deliver(batch: list[_Job], results: list[Result]) -> None:
        # One wake-up of each event loop per batch, not one per check-in.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Result]]] = defaultdict(list)
        for job, r in zip(batch, results, strict=True):
            by_loop[job.loop].append((job, r))
        for loop, items in by_loop.items():
            # A RuntimeError means that loop has closed; nobody waits for these.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, items)


def _settle(items: list[tuple[_Job, Result]]) -> None:
    for job, r in items:
        if job.done.done():  # the request was cancelled (client gone)
            continue
        if isinstance(r, BaseException):
            job.done.set_exception(r)
        else:
            job.done.set_result(r)
