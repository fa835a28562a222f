"""Run the service with uvicorn: one worker (the broadcaster lives in the process).

``python -m paradeops.service`` is ``paradeops serve`` without loading every
CLI command (quicker to start, which the tests and the benchmark like).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time

from paradeops.service.context import Clock, system_clock
from paradeops.store.db import DEFAULT_URL


def replay_clock(start: dt.datetime) -> Clock:
    """A clock that starts at ``start`` and runs at the real pace: a rehearsal, a replay."""
    t0 = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - t0)


def run(
    database: str = DEFAULT_URL,
    host: str = "127.0.0.1",
    port: int = 8000,
    clock_start: dt.datetime | None = None,
    access_log: bool = False,
) -> None:
    import uvicorn

    from paradeops.service import create_app

    clock = system_clock if clock_start is None else replay_clock(clock_start)
    application = create_app(database, clock=clock)
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
        host=host,
        port=port,
        workers=1,
        # The C parser and event loop: measurably less CPU per check-in than
        # the pure-Python h11 and asyncio ones (benchmarks/bench_service.py).
        http="httptools",
        loop="uvloop",
        # A line per request costs CPU on the hot path; off unless asked for.
        log_level="info" if access_log else "warning",
        access_log=access_log,
        timeout_graceful_shutdown=5,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m paradeops.service")
    p.add_argument("--database", default=DEFAULT_URL)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument(
        "--clock-start",
        type=dt.datetime.fromisoformat,
        help="replay: the service's clock starts at this ISO 8601 time (with offset)",
    )
    p.add_argument(
        "--access-log", action="store_true", help="log every request (off: it costs CPU)"
    )
    a = p.parse_args(argv)
    if a.clock_start is not None and a.clock_start.tzinfo is None:
        p.error("--clock-start needs an offset, e.g. 2025-05-09T10:00:00+03:00")
    run(a.database, a.host, a.port, a.clock_start, access_log=a.access_log)
