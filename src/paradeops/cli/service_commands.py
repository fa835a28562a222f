"""``serve``: run the service (HTTP API and pages)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.errors import UserError
from paradeops.extras import require

if TYPE_CHECKING:
    from paradeops.service.settings import ServiceSettings

#: ``paradeops.store.db.DEFAULT_URL``, here so that listing the options does not
#: load SQLAlchemy (tests/cli/test_extras.py checks that the two agree).
DEFAULT_URL = "sqlite:///paradeops.db"
#: What the service runs on (its optional extra, ``service``).
SERVICE_LIBRARIES = ("fastapi", "uvicorn", "sqlalchemy", "alembic", "jinja2", "argon2")
#: What the commands that only open the database need.
DATABASE_LIBRARIES = ("sqlalchemy", "alembic")

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


# The options of `serve`, one alias each so that its signature stays readable.
HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on")]

PortOpt = Annotated[int, typer.Option("--port", help="TCP port", min=1, max=65535)]

WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        help="Server processes sharing the port (PostgreSQL only; changes cross "
        "through LISTEN/NOTIFY)",
        min=1,
        max=64,
    ),
]

AccessLogOpt = Annotated[
    bool, typer.Option("--access-log", help="Log every request (off: it costs CPU)")
]

LogJsonOpt = Annotated[
    bool, typer.Option("--log-json", help="Log lines as JSON objects, one per line")
]

MaxUploadMbOpt = Annotated[
    float,
    typer.Option("--max-upload-mb", help="Largest upload accepted [MB]", min=0.01, max=1024),
]

CatalogueDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalogue-dir",
        help="Folder of equipment catalogues that uploaded plans may name by file name",
    ),
]

MaxConnectionsOpt = Annotated[
    int,
    typer.Option("--max-connections", help="Open connections beyond this are refused", min=1),
]

MaxJsonKbOpt = Annotated[
    int,
    typer.Option("--max-json-kb", help="Largest body of a JSON route [kB]", min=1, max=4096),
]

HeaderTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--header-timeout",
        help="Close a connection whose request headers take longer [s]",
        min=0.1,
    ),
]

KeepAliveOpt = Annotated[
    float,
    typer.Option("--keep-alive", help="Close idle keep-alive connections after this [s]", min=1),
]

MaxWatchersOpt = Annotated[
    int,
    typer.Option("--max-watchers", help="Control-room and announcer streams per plan", min=1),
]

MaxPublicWatchersOpt = Annotated[
    int,
    typer.Option(
        "--max-public-watchers",
        help="Public tracker streams per plan (anonymous; counted apart from the others)",
        min=1,
    ),
]

MaxWatchersPerSessionOpt = Annotated[
    int,
    typer.Option(
        "--max-watchers-per-session",
        help="Control-room and announcer streams one sign-in may hold open",
        min=1,
    ),
]

MaxHeaderKbOpt = Annotated[
    int,
    typer.Option(
        "--max-header-kb",
        help="Largest request line and headers together [kB] (more: 431)",
        min=1,
        max=1024,
    ),
]

BodyTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--body-timeout",
        help="A small route's whole body must arrive within this; an upload's "
        "minimum rate applies after it [s]",
        min=0.5,
    ),
]

MinUploadRateKbpsOpt = Annotated[
    float,
    typer.Option(
        "--min-upload-rate",
        help="An upload slower than this on average after --body-timeout is cut off [kB/s]",
        min=0,
    ),
]

SecretKeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--secret-key-file",
        help="Token-signing key (created 0600 if missing); PARADEOPS_SECRET_KEY overrides",
    ),
]

BadgeKeyFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--badge-key-file",
        help="The guest badges' key (default: beside the key file, <name>.badge.key); "
        "PARADEOPS_BADGE_KEY overrides",
    ),
]

ForwardedAllowIpsOpt = Annotated[
    str | None,
    typer.Option(
        "--forwarded-allow-ips",
        help="Reverse proxies whose X-Forwarded-For/-Proto are trusted (comma-separated)",
    ),
]

HstsOpt = Annotated[
    bool, typer.Option("--hsts", help="Send Strict-Transport-Security (behind TLS only)")
]

CheckinWindowDaysOpt = Annotated[
    float,
    typer.Option(
        "--checkin-window-days",
        help="Check-ins must say they happened within the parade's date ± this many days "
        "(a plan's own window, set by an organiser, takes precedence)",
        min=0,
        max=366,
    ),
]

ClockStartOpt = Annotated[
    str | None,
    typer.Option(
        "--clock-start",
        help="Replay: the service's clock starts at this ISO 8601 time (with offset)",
    ),
]


@app.command()
def serve(
    database: DatabaseOpt = DEFAULT_URL,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: WorkersOpt = 1,
    access_log: AccessLogOpt = False,
    log_json: LogJsonOpt = False,
    max_upload_mb: MaxUploadMbOpt = 10.0,
    catalogue_dir: CatalogueDirOpt = None,
    max_connections: MaxConnectionsOpt = 4000,
    max_json_kb: MaxJsonKbOpt = 64,
    header_timeout: HeaderTimeoutOpt = 10.0,
    keep_alive: KeepAliveOpt = 5.0,
    max_watchers: MaxWatchersOpt = 2000,
    max_watchers_per_session: MaxWatchersPerSessionOpt = 4,
    max_public_watchers: MaxPublicWatchersOpt = 10000,
    max_header_kb: MaxHeaderKbOpt = 32,
    body_timeout: BodyTimeoutOpt = 10.0,
    min_upload_rate_kbps: MinUploadRateKbpsOpt = 10.0,
    secret_key_file: SecretKeyFileOpt = None,
    forwarded_allow_ips: ForwardedAllowIpsOpt = None,
    hsts: HstsOpt = False,
    checkin_window_days: CheckinWindowDaysOpt = 1.0,
    clock_start: ClockStartOpt = None,
    badge_key_file: BadgeKeyFileOpt = None,
) -> None:
    """Run the service (HTTP API and pages); migrates the database first."""
    require(*SERVICE_LIBRARIES, what="paradeops serve")
    from paradeops.service.run import run
    from paradeops.service.workers import sqlite_refusal

    settings = _settings(
        database, host, port, _instant(clock_start), access_log, log_json, max_upload_mb,
        catalogue_dir, max_connections, max_json_kb, header_timeout, keep_alive, max_watchers,
        max_watchers_per_session, max_header_kb, body_timeout, min_upload_rate_kbps,
        secret_key_file, forwarded_allow_ips, hsts, checkin_window_days, workers,
        max_public_watchers,
    )  # fmt: skip
    settings = dataclasses.replace(settings, badge_key_file=badge_key_file)
    refusal = sqlite_refusal(settings)
    if refusal is not None:
        raise refusal
    on = f" with {workers} workers" if workers > 1 else ""
    err.print(Text(f"ParadeOps on http://{host}:{port}/{on} (database {database})"))
    try:
        run(settings)
    except UserError:
        raise
    except OSError as e:  # the port is taken, the SQLite folder is not writable…
        raise UserError(f"cannot start: {e}") from None


def _settings(  # noqa: PLR0913 - one argument per option of `serve`, in its order
    database: str,
    host: str,
    port: int,
    clock_start: dt.datetime | None,
    access_log: bool,
    log_json: bool,
    max_upload_mb: float,
    catalogue_dir: Path | None,
    max_connections: int,
    max_json_kb: int,
    header_timeout: float,
    keep_alive: float,
    max_watchers: int,
    max_watchers_per_session: int,
    max_header_kb: int,
    body_timeout: float,
    min_upload_rate_kbps: float,
    secret_key_file: Path | None,
    forwarded_allow_ips: str | None,
    hsts: bool,
    checkin_window_days: float,
    workers: int = 1,
    max_public_watchers: int = 10000,
) -> ServiceSettings:
    """The service's settings from ``serve``'s options (names differ where units do)."""
    from paradeops.service.settings import ServiceSettings

    return ServiceSettings(
        database_url=database,
        host=host,
        port=port,
        clock_start=clock_start,
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
        max_public_watchers_per_plan=max_public_watchers,
        max_header_kb=max_header_kb,
        body_timeout_s=body_timeout,
        min_upload_rate_kbps=min_upload_rate_kbps,
        secret_key_file=secret_key_file,
        forwarded_allow_ips=forwarded_allow_ips,
        hsts=hsts,
        checkin_window_days=checkin_window_days,
        workers=workers,
    )
