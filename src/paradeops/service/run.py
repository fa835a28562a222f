"""Run the service with uvicorn: one worker (the broadcaster lives in the process).

``python -m paradeops.service ARGS`` is ``paradeops serve ARGS`` without
loading every CLI command (quicker to start, which the tests and the
benchmark like).
"""

from __future__ import annotations

import datetime as dt
import gc
import time

from paradeops.service import logs
from paradeops.service.context import Clock, system_clock
from paradeops.service.limits import guarded_http
from paradeops.service.settings import ServiceSettings
from paradeops.store.serving import serving


def replay_clock(start: dt.datetime) -> Clock:
    """A clock that starts at ``start`` and runs at the real pace: a rehearsal, a replay."""
    t0 = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - t0)


def run(settings: ServiceSettings) -> None:
    # Before anything logs: our handler on the root logger, uvicorn's config off.
    logs.configure(settings)
    # Held to the end: restore refuses while a server uses the database.
    with serving(settings.database_url):
        _run(settings)


def _run(settings: ServiceSettings) -> None:
    import uvicorn

    from paradeops.service import create_app

    start = settings.clock_start
    clock = system_clock if start is None else replay_clock(start)
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
    uvicorn.run(
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
    import sys

    from paradeops.cli import main as cli_main

    cli_main(["serve", *(sys.argv[1:] if argv is None else argv)])
