"""``serve --workers N``: N server processes on one listening socket, kept running.

The parent does once what the workers must not race over: it migrates the
database and settles the signing key (creating the key file if it is
missing, so that every worker reads the same one), then binds the port and
forks the workers; the kernel hands each new connection to one of them. A
worker that dies is replaced; one that could not start (its exit code says
so, or it died within :data:`STARTUP_S`) stops them all, since the next
would fail the same way.
SIGINT and SIGTERM stop every worker gracefully.

What crosses workers (check-ins, voids, revisions) goes through the database
(``notify.py``); what each worker keeps for itself is listed in
docs/service.md ("Running several workers and hosts").
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from paradeops.errors import UserError
from paradeops.service.settings import ServiceSettings

#: A worker that exits this soon after its start failed to start [s].
STARTUP_S = 10.0
#: Exit codes of a worker that could not start: a UserError (2), uvicorn's startup failure (3).
STARTUP_CODES = (2, 3)
#: How long a worker may take to stop before it is killed [s] (uvicorn's own grace is 5 s).
STOP_S = 10.0

#: ``serve(settings, listening socket, replay clock's monotonic start)``: one worker's server.
Serve = Callable[[ServiceSettings, socket.socket, float], None]
logger = logging.getLogger(__name__)


def sqlite_refusal(settings: ServiceSettings) -> UserError | None:
    """Why ``settings.workers`` cannot serve its database, if they cannot."""
    from sqlalchemy.engine import make_url

    from paradeops.store.db import normalise_url

    url = make_url(normalise_url(settings.database_url))
    if settings.workers == 1 or url.get_backend_name() != "sqlite":
        return None
    return UserError(
        f"{settings.workers} workers need PostgreSQL: SQLite lets one process write at a "
        "time, and the service's SQLite guards (its write lock, the WAL file watch) live in "
        "one process",
        field="--workers",
        hint="serve SQLite with one worker, or use --database postgresql://…",
    )


def prepare(settings: ServiceSettings) -> None:
    """Once, before the workers: the schema migrated, the signing key's file made if missing."""
    from paradeops.service.users import keys
    from paradeops.store import open_database

    keys.signing_key(settings.secret_key_file, settings.database_url)
    # Disposed before forking: no worker may inherit a pooled connection.
    open_database(settings.database_url).dispose()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket every worker accepts from (listen() is the worker's server's)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker(serve: Serve, settings: ServiceSettings, sock: socket.socket, t0: float) -> None:
    # The parent's handlers (set before the fork) only flag its own loop.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        serve(settings, sock, t0)
    except UserError as e:
        logger.error("worker %d cannot start: %s", os.getpid(), e)
        sys.exit(2)


@dataclass
class _Running:
    process: BaseProcess
    started: float


class Supervisor:
    """The parent: starts the workers, replaces the dead, stops them all on a signal."""

    def __init__(self, settings: ServiceSettings, serve: Serve, sock: socket.socket) -> None:
        self.settings, self.serve, self.sock = settings, serve, sock
        self.t0 = time.monotonic()
        self.stop = threading.Event()
        self.failed: str | None = None
        self._fork = multiprocessing.get_context("fork")

    def _start(self) -> _Running:
        args = (self.serve, self.settings, self.sock, self.t0)
        p = self._fork.Process(target=_worker, args=args, name="paradeops-worker")
        p.start()
        return _Running(p, time.monotonic())

    def run(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stop.set())
        running = [self._start() for _ in range(self.settings.workers)]
        logger.info("%d workers: %s", len(running), ", ".join(str(w.process.pid) for w in running))
        try:
            while not self.stop.wait(0.5):
                for i, w in enumerate(running):
                    if not w.process.is_alive() and not self.stop.is_set():
                        running[i] = self._replace(w)
        finally:
            self._stop_all(running)

    def _replace(self, w: _Running) -> _Running:
        code = w.process.exitcode
        if code in STARTUP_CODES or time.monotonic() - w.started < STARTUP_S:
            self.failed = f"worker {w.process.pid} exited while starting (exit code {code})"
            logger.error("%s: stopping every worker", self.failed)
            self.stop.set()
            return w
        logger.warning("worker %d died (exit code %s): starting another", w.process.pid, code)
        return self._start()

    @staticmethod
    def _stop_all(running: list[_Running]) -> None:
        for w in running:
            if w.process.is_alive():
                w.process.terminate()
        deadline = time.monotonic() + STOP_S
        for w in running:
            w.process.join(max(0.0, deadline - time.monotonic()))
            if w.process.is_alive():
                logger.warning("worker %d did not stop in %.0f s: killed", w.process.pid, STOP_S)
                w.process.kill()
                w.process.join()


def supervise(settings: ServiceSettings, serve: Serve) -> None:
    """Run ``settings.workers`` workers until SIGINT/SIGTERM (or one fails to start)."""
    prepare(settings)
    sock = bind(settings.host, settings.port)
    try:
        supervisor = Supervisor(settings, serve, sock)
        supervisor.run()
    finally:
        sock.close()
    if supervisor.failed:
        raise UserError(f"{supervisor.failed}; its message is above", field="--workers")
