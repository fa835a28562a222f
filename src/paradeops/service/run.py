"""Run the service with uvicorn: one process, or ``--workers N`` on PostgreSQL (workers.py).

``python -m paradeops.service ARGS`` is ``paradeops serve ARGS`` without
loading every CLI command (quicker to start, which the tests and the
benchmark like).
"""

from __future__ import annotations

import datetime as dt
import gc
import socket
import sys
import time
from typing import TYPE_CHECKING

from paradeops.service import logs, workers
from paradeops.service.context import Clock, system_clock
from paradeops.service.limits import guarded_http
from paradeops.service.settings import ServiceSettings
from paradeops.store.serving import serving

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

#: uvicorn's exit code for a server that never started.
STARTUP_FAILURE = 3


def replay_clock(start: dt.datetime, t0: float | None = None) -> Clock:
    """A clock that starts at ``start`` and runs at the real pace: a rehearsal, a replay.

    ``t0`` (``time.monotonic()`` when the replay began, by default now) lets
    several workers on one machine share one replayed clock.
    """
    origin = time.monotonic() if t0 is None else t0
    return lambda: start + dt.timedelta(seconds=time.monotonic() - origin)


def run(settings: ServiceSettings) -> None:
    # Before anything logs: our handler on the root logger, uvicorn's config off.
    logs.configure(settings)
    refusal = workers.sqlite_refusal(settings)
    if refusal is not None:
        raise refusal
    # Held to the end: restore refuses while a server uses the database.
    with serving(settings.database_url):
        if settings.workers == 1:
            serve(settings)
        else:
            workers.supervise(settings, serve)


def serve(
    settings: ServiceSettings, sock: socket.socket | None = None, t0: float | None = None
) -> None:
    """One server process: on ``sock`` (a worker's share of the port) or binding its own."""
    import uvicorn

    from paradeops.service import create_app

    start = settings.clock_start
    clock = system_clock if start is None else replay_clock(start, t0)
    application = create_app(clock=clock, settings=settings)
    # Everything imported and built at start (FastAPI, SQLAlchemy, numba, …) is
    # long-lived: frozen out of the collector, a full collection no longer walks
    # it. Without this, gen-2 collections stalled every request for 200-250 ms
    # now and then under load (the p99 of the check-in benchmark).
    # Young collections 15 times rarer (each a few ms), so the full ones
    # (which follow a count of young ones) come too seldom to reach the p99.
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    server = uvicorn.Server(_config(application, settings))
    server.run(sockets=None if sock is None else [sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def _config(application: FastAPI, settings: ServiceSettings) -> uvicorn.Config:
    import uvicorn

    return uvicorn.Config(
        application,
        host=settings.host,
        port=settings.port,
        workers=1,
        # The C parser and event loop: measurably less CPU per check-in than
        # the pure-Python h11 and asyncio ones (benchmarks/bench_service.py);
        # the parser's protocol with a header deadline and a connection cap.
        http=guarded_http(settings),
        loop="uvloop",
        log_config=None,
        access_log=settings.access_log,
        timeout_graceful_shutdown=5,
        # Not uvicorn's limit_concurrency: its 503 comes only once a request's
        # headers are in; guarded_http closes connections over the cap at once.
        timeout_keep_alive=int(settings.keep_alive_s),
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def main(argv: list[str] | None = None) -> None:
    from paradeops.cli import main as cli_main

    cli_main(["serve", *(sys.argv[1:] if argv is None else argv)])
