"""``serve``: run the service (HTTP API and pages)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.errors import UserError
from paradeops.store.db import DEFAULT_URL

DatabaseOpt = Annotated[
    str,
    typer.Option(
        "--database",
        help="SQLAlchemy URL or SQLite file path (postgresql://… uses psycopg 3)",
        envvar="PARADEOPS_DATABASE",
    ),
]


def _instant(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"not an ISO 8601 time: {text!r}",
            field="--clock-start",
            hint="e.g. 2025-05-09T10:00:00+03:00",
        ) from None
    if t.tzinfo is None:
        raise UserError(
            "--clock-start needs an offset",
            field="--clock-start",
            hint="e.g. 2025-05-09T10:00:00+03:00",
        )
    return t


@app.command()
def serve(
    database: DatabaseOpt = DEFAULT_URL,
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port", min=1, max=65535)] = 8000,
    access_log: Annotated[
        bool, typer.Option("--access-log", help="Log every request (off: it costs CPU)")
    ] = False,
    log_json: Annotated[
        bool, typer.Option("--log-json", help="Log lines as JSON objects, one per line")
    ] = False,
    max_upload_mb: Annotated[
        float,
        typer.Option("--max-upload-mb", help="Largest upload accepted [MB]", min=0.01, max=1024),
    ] = 10.0,
    catalogue_dir: Annotated[
        Path | None,
        typer.Option(
            "--catalogue-dir",
            help="Folder of equipment catalogues that uploaded plans may name by file name",
        ),
    ] = None,
    max_connections: Annotated[
        int,
        typer.Option("--max-connections", help="Open connections beyond this are refused", min=1),
    ] = 4000,
    max_json_kb: Annotated[
        int,
        typer.Option("--max-json-kb", help="Largest body of a JSON route [kB]", min=1, max=4096),
    ] = 64,
    header_timeout: Annotated[
        float,
        typer.Option(
            "--header-timeout",
            help="Close a connection whose request headers take longer [s]",
            min=0.1,
        ),
    ] = 10.0,
    keep_alive: Annotated[
        float,
        typer.Option(
            "--keep-alive", help="Close idle keep-alive connections after this [s]", min=1
        ),
    ] = 5.0,
    max_watchers: Annotated[
        int,
        typer.Option(
            "--max-watchers", help="Control-room and announcer streams per plan", min=1
        ),
    ] = 2000,
    max_watchers_per_session: Annotated[
        int,
        typer.Option(
            "--max-watchers-per-session",
            help="Control-room and announcer streams one sign-in may hold open",
            min=1,
        ),
    ] = 4,
    max_header_kb: Annotated[
        int,
        typer.Option(
            "--max-header-kb",
            help="Largest request line and headers together [kB] (more: 431)",
            min=1,
            max=1024,
        ),
    ] = 32,
    body_timeout: Annotated[
        float,
        typer.Option(
            "--body-timeout",
            help="A small route's whole body must arrive within this; an upload's "
            "minimum rate applies after it [s]",
            min=0.5,
        ),
    ] = 10.0,
    min_upload_rate_kbps: Annotated[
        float,
        typer.Option(
            "--min-upload-rate",
            help="An upload slower than this on average after --body-timeout is cut off [kB/s]",
            min=0,
        ),
    ] = 10.0,
    secret_key_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-key-file",
            help="Token-signing key (created 0600 if missing); PARADEOPS_SECRET_KEY overrides",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Reverse proxies whose X-Forwarded-For/-Proto are trusted (comma-separated)",
        ),
    ] = None,
    hsts: Annotated[
        bool, typer.Option("--hsts", help="Send Strict-Transport-Security (behind TLS only)")
    ] = False,
    checkin_window_days: Annotated[
        float,
        typer.Option(
            "--checkin-window-days",
            help="Check-ins must say they happened within the parade's date ± this many days "
            "(a plan's own window, set by an organiser, takes precedence)",
            min=0,
            max=366,
        ),
    ] = 1.0,
    clock_start: Annotated[
        str | None,
        typer.Option(
            "--clock-start",
            help="Replay: the service's clock starts at this ISO 8601 time (with offset)",
        ),
    ] = None,
) -> None:
    """Run the service (HTTP API and pages) with one worker; migrates the database first."""
    from paradeops.service.run import run
    from paradeops.service.settings import ServiceSettings

    settings = ServiceSettings(
        database_url=database,
        host=host,
        port=port,
        clock_start=_instant(clock_start),
        access_log=access_log,
        log_json=log_json,
        max_upload_mb=max_upload_mb,
        catalogue_dir=catalogue_dir,
        max_connections=max_connections,
        max_json_kb=max_json_kb,
        header_timeout_s=header_timeout,
        keep_alive_s=keep_alive,
        max_watchers_per_plan=max_watchers,
        max_watchers_per_session=max_watchers_per_session,
        max_header_kb=max_header_kb,
        body_timeout_s=body_timeout,
        min_upload_rate_kbps=min_upload_rate_kbps,
        secret_key_file=secret_key_file,
        forwarded_allow_ips=forwarded_allow_ips,
        hsts=hsts,
        checkin_window_days=checkin_window_days,
    )
    err.print(Text(f"ParadeOps on http://{host}:{port}/ (database {database})"))
    try:
        run(settings)
    except UserError:
        raise
    except OSError as e:  # the port is taken, the SQLite folder is not writable…
        raise UserError(f"cannot start: {e}") from None
