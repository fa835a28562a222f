"""One writer thread for check-ins, committing them in groups.

Fifty marshals' requests do not each take the database's write lock; they
queue here, and the writer stores whatever has gathered in one transaction
(group commit). A request is answered only after the commit that holds its
check-in, so an acknowledgement still means "on disk". Problems with one
check-in (a taken id, an unknown unit) go back to that request alone.

While one batch commits, the next gathers: under load a batch holds about
the check-ins that arrived during one commit, so throughput grows with the
load instead of every request paying for its own commit.

On PostgreSQL the rows a batch inserted are also notified inside its
transaction (``notify.py``): delivered on commit to every other worker and
host serving the database, whose control rooms then hear them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.service import notify
from paradeops.service.checkins import service
from paradeops.service.checkins import window as windows
from paradeops.service.checkins.models import CheckinIn, CheckinOut
from paradeops.service.context import ServiceContext
from paradeops.service.control.actuals import Row
from paradeops.service.plans import service as plans
from paradeops.service.users.signin import current_secret
from paradeops.service.users.tokens import Principal

#: At most this many check-ins per transaction.
BATCH = 256
#: Writer threads on PostgreSQL: while one batch waits for its commit (the WAL
#: flush), the next is already being sent. SQLite has one writer at a time, so
#: it gets one thread. Batches insert their ids in sorted order, so two
#: transactions never wait for each other's rows in a cycle (no deadlock).
PG_WRITERS = 2

Result = tuple[CheckinOut, bool] | BaseException
logger = logging.getLogger(__name__)


class NotStored(Exception):
    """The check-in was not stored (a failure on our side, logged): the client sends it again."""


@dataclass
class _Job:
    pending: service.Pending
    loop: asyncio.AbstractEventLoop
    done: asyncio.Future[tuple[CheckinOut, bool]]


class Writer:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        #: The plans' own check-in windows (the routes that change one forget it here).
        self.windows = windows.Cache()
        self._threads = [
            threading.Thread(target=self._run, name=f"checkin-writer-{i}", daemon=True)
            for i in range(1 if ctx.db.is_sqlite else PG_WRITERS)
        ]
        for t in self._threads:
            t.start()

    async def submit(
        self, plan_id: int, body: CheckinIn, who: Principal
    ) -> tuple[CheckinOut, bool]:
        if not any(t.is_alive() for t in self._threads):
            raise NotStored("the check-in writer has stopped")  # logged when it stopped
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
            self._deliver(batch, self._guarded(batch))

    def _guarded(self, batch: list[_Job]) -> list[Result]:
        """:meth:`_store`, with every failure logged and answered as :class:`NotStored`.

        The clients get a plain "not stored, try again" (their phones retry);
        the log gets the exception. KeyboardInterrupt and SystemExit are
        answered the same way, then end this thread (``submit`` then refuses).
        """
        try:
            results = self._store(batch)
        except Exception:
            logger.exception("check-in batch of %d not stored", len(batch))
            return [NotStored() for _ in batch]
        except BaseException:
            logger.critical(
                "check-in writer stopping: batch of %d not stored", len(batch), exc_info=True
            )
            self._deliver(batch, [NotStored() for _ in batch])
            raise
        self._after_commit(batch, results)
        return results

    def _store(self, batch: list[_Job]) -> list[Result]:
        """One transaction for the batch; per check-in, its row or its own problem."""
        results: list[Result | None] = [None] * len(batch)
        with self.ctx.db.writing() as session:
            valid: list[int] = []
            checked = self._checks(session, {job.pending.plan_id for job in batch})
            for i, job in enumerate(batch):
                results[i] = self._check(checked[job.pending.plan_id], job.pending)
                if results[i] is None:
                    valid.append(i)
            if valid:
                stored = service.record_many(session, [batch[i].pending for i in valid])
                for i, r in zip(valid, stored, strict=True):
                    results[i] = r
                if not self.ctx.db.is_sqlite:  # one process there: nobody else to tell
                    inserted = _inserted([batch[i] for i in valid], stored)
                    tag, secret = self.ctx.broadcaster.tag, current_secret(self.ctx)
                    notify.checkins_in(session, tag, secret, inserted)
        done = [r for r in results if r is not None]
        assert len(done) == len(batch), "every check-in of the batch has its answer"
        return done

    @staticmethod
    def _check(
        checked: tuple[plans.Loaded, windows.Window] | plans.NotFound, p: service.Pending
    ) -> BaseException | None:
        """This check-in's own problem, or None: it may be stored."""
        if isinstance(checked, plans.NotFound):
            return checked
        try:
            service.validate(checked[0], p.body, checked[1])
        except UserError as e:
            return e
        except Exception:  # a bug: this check-in alone fails, and it leaves a trace
            logger.exception("check-in of plan %d could not be validated", p.plan_id)
            return NotStored()
        return None

    def _checks(
        self, session: Session, plan_ids: set[int]
    ) -> dict[int, tuple[plans.Loaded, windows.Window] | plans.NotFound]:
        """Per plan of the batch: its latest revision and check-in window (one query)."""
        found: dict[int, tuple[plans.Loaded, windows.Window] | plans.NotFound] = {}
        own = self.windows.get(session, plan_ids)
        days = self.ctx.settings.checkin_window_days
        for plan_id in plan_ids:
            try:
                loaded = plans.load(self.ctx, session, plan_id)
            except plans.NotFound as e:
                found[plan_id] = e
            else:
                found[plan_id] = (
                    loaded,
                    windows.effective(loaded.plan, days, own[plan_id], loaded.schedule),
                )
        return found

    def _after_commit(self, batch: list[_Job], results: list[Result]) -> None:
        """The rows this batch inserted, to the control room's actuals, then the news.

        They are stored whatever happens here: a failure is logged and the
        plan's actuals are read afresh next time, never reported as "not stored".
        """
        for plan_id, rows in _inserted(batch, results).items():
            try:
                self.ctx.actuals.committed(plan_id, rows)
            except Exception:
                logger.exception("control room actuals of plan %d dropped, re-read", plan_id)
                self.ctx.actuals.forget(plan_id)
            # Only here: the other workers were notified by the transaction itself.
            self.ctx.broadcaster.wake(plan_id)

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


def _inserted(batch: list[_Job], results: Sequence[Result | Exception]) -> dict[int, list[Row]]:
    """Per plan, the rows this batch inserted (retries of stored check-ins left out)."""
    inserted: dict[int, list[Row]] = defaultdict(list)
    for job, res in zip(batch, results, strict=True):
        if isinstance(res, tuple) and res[1]:
            c = res[0]
            inserted[job.pending.plan_id].append(
                Row(c.id, c.received_at, c.unit, c.checkpoint, c.part, c.at)
            )
    return inserted


def _settle(items: list[tuple[_Job, Result]]) -> None:
    for job, r in items:
        if job.done.done():  # the request was cancelled (client gone)
            continue
        if isinstance(r, BaseException):
            job.done.set_exception(r)
        else:
            job.done.set_result(r)
