"""One writer thread for check-ins, committing them in groups.

Fifty marshals' requests do not each take the database's write lock; they
queue here, and the writer stores whatever has gathered in one transaction
(group commit). A request is answered only after the commit that holds its
check-in, so an acknowledgement still means "on disk". Problems with one
check-in (a taken id, an unknown unit) go back to that request alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from paradeops.service.checkins import service
from paradeops.service.checkins.models import CheckinIn, CheckinOut
from paradeops.service.context import ServiceContext
from paradeops.service.plans import service as plans
from paradeops.service.users.tokens import Principal

#: At most this many check-ins per transaction.
BATCH = 256


@dataclass
class _Job:
    plan_id: int
    body: CheckinIn
    who: Principal
    now: dt.datetime
    done: Future[tuple[CheckinOut, bool]] = field(default_factory=Future)


class Writer:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="checkin-writer", daemon=True)
        self._thread.start()

    async def submit(
        self, plan_id: int, body: CheckinIn, who: Principal
    ) -> tuple[CheckinOut, bool]:
        job = _Job(plan_id, body, who, self.ctx.now())
        self._jobs.put(job)
        return await asyncio.wrap_future(job.done)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
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
            self._store(batch)

    def _store(self, batch: list[_Job]) -> None:
        results: list[tuple[_Job, tuple[CheckinOut, bool] | BaseException]] = []
        try:
            with self.ctx.db.writing() as session:
                for job in batch:
                    try:
                        # A savepoint would cost more; nothing below fails in SQL
                        # for one row alone, so problems are found before writing.
                        service.validate(plans.load(self.ctx, session, job.plan_id), job.body)
                        results.append(
                            (
                                job,
                                service.record(
                                    session, job.plan_id, job.body, who=job.who, now=job.now
                                ),
                            )
                        )
                    except Exception as e:  # this check-in's own problem
                        results.append((job, e))
        except BaseException as e:  # the commit failed: nothing in the batch is stored
            for job in batch:
                if not job.done.done():
                    job.done.set_exception(e)
            return
        touched = set()
        for job, r in results:
            if isinstance(r, BaseException):
                job.done.set_exception(r)
            else:
                job.done.set_result(r)
                if r[1]:
                    touched.add(job.plan_id)
        for plan_id in touched:
            self.ctx.broadcaster.publish(plan_id)
