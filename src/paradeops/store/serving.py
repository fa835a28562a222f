"""Who is serving a database: restore (anything destructive) refuses while a server is.

SQLite: every server holds a shared advisory lock (``flock``) on
``<database>.serve.lock`` beside the database for as long as it runs; the
kernel drops it when the process ends, however it ends. Restore takes the
same lock exclusively, without waiting: if a server holds it, restore is
refused; while restore holds it, a server does not start.

PostgreSQL: the server's sessions carry ``application_name``
``paradeops-serve`` (then ``paradeops-serve:<schema>`` once connected);
restore refuses while ``pg_stat_activity`` shows one on the same database
for the same schema (or an untagged one).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from paradeops.errors import UserError
from paradeops.store.db import normalise_url

#: ``application_name`` of the server's PostgreSQL sessions.
SERVE_APPLICATION_NAME = "paradeops-serve"
_STOP_HINT = "stop the server first (and start it again after the restore)"


def lock_path(database: Path) -> Path:
    """The lock file of an SQLite database: ``<database>.serve.lock`` beside it."""
    return database.with_name(database.name + ".serve.lock")


def _sqlite_file(url: str) -> Path | None:
    u = make_url(normalise_url(url))
    if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:"):
        return None
    return Path(u.database).absolute()


def _open_lock(database: Path) -> int:
    path = lock_path(database)
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    except OSError as e:
        raise UserError(
            f"cannot open the lock file {path}: {e.strerror}",
            field="--database",
            hint="it must be a regular file the server's user may write (or absent)",
        ) from None


@contextlib.contextmanager
def serving(database_url: str) -> Iterator[None]:
    """Held by a server for as long as it runs (a shared lock for SQLite files)."""
    database = _sqlite_file(database_url)
    if database is None:
        yield
        return
    database.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(database)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                f"a restore is running on {database}", field="--database", hint="wait for it"
            ) from None
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def no_server(database: Path) -> Iterator[None]:
    """Exclusive use of an SQLite file against servers: refused if one runs on it."""
    fd = _open_lock(database.absolute())
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError(
                f"a server is using {database} (it holds {lock_path(database)})",
                field="--database",
                hint=_STOP_HINT,
            ) from None
        yield
    finally:
        os.close(fd)


def tag_sessions(engine: Engine) -> None:
    """Name the server's PostgreSQL sessions after the schema they serve."""

    @event.listens_for(engine, "connect")
    def _tag(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute(
            "SELECT set_config('application_name', %s || coalesce(current_schema(), ''), false)",
            (SERVE_APPLICATION_NAME + ":",),
        )
        cur.close()
        dbapi_conn.commit()


def require_no_pg_server(url: URL, schema: str) -> None:
    """Refuse while a server's sessions are connected to ``url``'s database for ``schema``."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND application_name IN (:plain, :tagged)"
                ),
                {"plain": SERVE_APPLICATION_NAME, "tagged": f"{SERVE_APPLICATION_NAME}:{schema}"},
            ).scalar_one()
    finally:
        engine.dispose()
    if found:
        raise UserError(
            f"a server is using schema {schema} of this database ({found} sessions named "
            f"{SERVE_APPLICATION_NAME} in pg_stat_activity)",
            field="--database",
            hint=_STOP_HINT,
        )
