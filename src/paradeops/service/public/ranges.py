"""ETA ranges per plan, made in a process of their own, at most every :data:`MIN_INTERVAL_S`.

The conditioned runs (:mod:`paradeops.live.conditioned`) take 0.1–0.4 s of
CPU for a parade of 40–120 units, nearly all of it holding the interpreter's
lock: on a thread of the service they put ~300 ms on the check-ins' p99
(``benchmarks/bench_conditioned.py --service``). So they run in one process
of their own per worker process (spawned on first use, niced, shared by every
app of the process), which sends back only the summary a spot's ETAs need
(:func:`paradeops.live.eta_ranges.summarise`, under 1 MB). One thread per
app hands it the jobs and waits: a request that finds ranges made from an
older state gets them at once and has new ones made for the next request;
only the very first request of a plan waits for them. New ranges are made
when check-ins or incidents have arrived since (at most every
:data:`MIN_INTERVAL_S`), or when they are :data:`STALE_S` old (time moves on:
a unit not seen is later by the minute).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import threading
import time
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from paradeops.live.conditioned import MAX_GRID, conditioned
from paradeops.live.eta_ranges import Summary, summarise
from paradeops.live.incidents import Incident
from paradeops.live.model import LiveStatus
from paradeops.model.simulation_spec import SimulationSpec
from paradeops.service.broadcast import Broadcaster
from paradeops.service.control import service
from paradeops.timing.schedule import Schedule

logger = logging.getLogger(__name__)
#: Runs per plan (fewer for very large parades: see :func:`runs_for`).
RUNS = 300
#: Most numbers a job makes (unit × run × grid point): 8 M floats, 64 MB in the ranges process.
MAX_VALUES = 8_000_000
MIN_INTERVAL_S = 5.0
STALE_S = 30.0
#: The first request of a plan waits at most this long for its ranges [s].
WAIT_S = 20.0
#: Plans whose summaries a worker keeps (the least recently made are dropped).
MAX_PLANS = 16
#: The ranges process's niceness, so the service's own processes win the CPU.
NICE = 10


@dataclass(frozen=True)
class Made:
    """Ranges made from one state of a plan."""

    key: tuple[int, int]  # (revision, broadcast version)
    at: float  # monotonic s
    summary: Summary
    snap: service.Snapshot


def runs_for(units: int) -> int:
    return max(20, min(RUNS, MAX_VALUES // max(1, units * MAX_GRID)))


@dataclass(frozen=True)
class Job:
    """What the ranges process needs (pickled to it): no database, no service."""

    schedule: Schedule
    live: LiveStatus
    spec: SimulationSpec
    incidents: tuple[Incident, ...]
    min_gap_m: float
    seed: tuple[int, int, int]
    runs: int


def job_of(snap: service.Snapshot) -> Job:
    plan, s = snap.loaded.plan, snap.loaded.schedule
    return Job(
        s,
        snap.live,
        plan.simulation,
        tuple(snap.incidents.core),
        plan.defaults.min_gap_m,
        (snap.loaded.plan_id, snap.loaded.revision, snap.count),
        runs_for(len(s.units)),
    )


def run(j: Job) -> Summary:
    """In the ranges process: the runs, summarised."""
    rng = np.random.default_rng(list(j.seed))
    r = conditioned(
        j.schedule, j.live, j.spec, rng, runs=j.runs, incidents=j.incidents, min_gap_m=j.min_gap_m
    )
    return summarise(r)


def _niced() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not where nice() exists
        os.nice(NICE)


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def pool() -> ProcessPoolExecutor:
    """This process's ranges process (spawned: forking a threaded server is unsafe)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(1, mp_context=context, initializer=_niced)
        return _pool


def made_elsewhere(snap: service.Snapshot) -> Summary:
    """The summary of the plan's runs, made in the ranges process (a new one if it died)."""
    global _pool
    try:
        return pool().submit(run, job_of(snap)).result()
    except BrokenProcessPool:
        with _pool_lock:
            _pool = None  # killed (out of memory, say): the next job spawns another
        raise


def _fresh(made: Made, key: tuple[int, int], age: float) -> bool:
    """Good enough to answer with: recent, or nothing has happened since (and not stale)."""
    return age < MIN_INTERVAL_S or (made.key == key and age < STALE_S)


class RangesWorker:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[int, Made] = {}
        self._pending: dict[int, Future[Made]] = {}
        self._jobs: queue.SimpleQueue[tuple[service.Snapshot, tuple[int, int], Future[Made]]] = (
            queue.SimpleQueue()
        )
        self._thread: threading.Thread | None = None

    def ranges(self, snap: service.Snapshot, version: int) -> Made:
        """Ranges for the plan of ``snap`` (any thread; may wait for the first ones)."""
        plan_id, key, now = snap.loaded.plan_id, (snap.loaded.revision, version), time.monotonic()
        with self._lock:
            made = self._made.get(plan_id)
            if made is not None and made.key[0] != key[0]:
                made = None  # another revision: another route, other units
            if made is not None and _fresh(made, key, now - made.at):
                return made
            job = self._pending.get(plan_id)
            if job is None:
                job = self._pending[plan_id] = Future()
                self._jobs.put((snap, key, job))
                self._start()
        return made if made is not None else job.result(timeout=WAIT_S)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="eta-ranges", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            snap, key, job = self._jobs.get()
            try:
                made = Made(key, time.monotonic(), made_elsewhere(snap), snap)
            except Exception as e:
                logger.exception("plan %d: ETA ranges failed", snap.loaded.plan_id)
                self._done(snap.loaded.plan_id, job, None, e)
            else:
                self._done(snap.loaded.plan_id, job, made, None)

    def _done(
        self, plan_id: int, job: Future[Made], made: Made | None, error: Exception | None
    ) -> None:
        with self._lock:
            self._pending.pop(plan_id, None)
            if made is not None:
                self._made.pop(plan_id, None)
                self._made[plan_id] = made
                while len(self._made) > MAX_PLANS:
                    del self._made[next(iter(self._made))]
        if made is not None:
            job.set_result(made)
        else:
            assert error is not None
            job.set_exception(error)


_workers: weakref.WeakKeyDictionary[Broadcaster, RangesWorker] = weakref.WeakKeyDictionary()
_workers_lock = threading.Lock()


def worker(broadcaster: Broadcaster) -> RangesWorker:
    """The ranges worker of a service (one per app: its broadcaster names it)."""
    with _workers_lock:
        found = _workers.get(broadcaster)
        if found is None:
            found = _workers[broadcaster] = RangesWorker()
        return found
