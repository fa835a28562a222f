"""Run the service with uvicorn: one worker (the broadcaster lives in the process).

``python -m paradeops.service`` is ``paradeops serve`` without loading every
CLI command (quicker to start, which the tests and the benchmark like).
"""

from __future__ import annotations

import argparse

from paradeops.store.db import DEFAULT_URL


def run(database: str = DEFAULT_URL, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    from paradeops.service import create_app

    application = create_app(database)
    uvicorn.run(
        application,
        host=host,
        port=port,
        workers=1,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m paradeops.service")
    p.add_argument("--database", default=DEFAULT_URL)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    a = p.parse_args(argv)
    run(a.database, a.host, a.port)
