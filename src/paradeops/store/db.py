"""Engine and session setup for SQLite (embedded default) and PostgreSQL.

SQLite is opened in WAL mode with ``synchronous=NORMAL``: a commit is in the
write-ahead log (in the OS page cache) before it returns, so it survives the
*process* being killed (SIGKILL, a crash) — what a marshal's acknowledged
check-in needs. It does not promise to survive a power cut of the machine;
``?synchronous=FULL`` in the URL buys that with an fsync per commit.

SQLite has one writer at a time. Rather than let 50 marshals' threads fight
for the lock (``database is locked``), :attr:`Database.write_lock` serialises
writers inside the process; ``busy_timeout`` covers any other process (a CLI
command run while the server is up).

SQLite's automatic WAL checkpoint runs inside whichever commit crosses 1000
pages, and with its fsync it stalled the check-in writer for 300 ms now and
then under load (every request waiting on that batch). Checkpoints are
therefore made by a background thread of their own, every second, in
PASSIVE mode (never blocking writers or readers).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

DEFAULT_URL = "sqlite:///paradeops.db"
#: Execution option: begin this SQLite transaction as a writer (see ``writing``).
IMMEDIATE = "paradeops_sqlite_immediate"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` (psycopg 3 driver) and plain file paths for SQLite."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


@dataclass
class Database:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    #: Serialises writers for SQLite; a no-op lock for PostgreSQL.
    write_lock: contextlib.AbstractContextManager[object] = field(
        default_factory=contextlib.nullcontext
    )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for one write transaction, committed before returning."""
        with self.write_lock, self.sessions.begin() as session:
            if self.is_sqlite:
                # BEGIN IMMEDIATE: the write lock is taken (or waited for, up to
                # busy_timeout) at the start. A deferred BEGIN that read first
                # and then wrote failed at once with "database is locked" when
                # another process had written meanwhile (busy_timeout cannot
                # help a stale snapshot): a CLI command, or a second server.
                session.connection(execution_options={IMMEDIATE: True})
            yield session

    #: Stops the SQLite checkpointer thread (if any) when set.
    _stop: threading.Event = field(default_factory=threading.Event)

    def dispose(self) -> None:
        self._stop.set()
        self.engine.dispose()


def open_database(url: str = DEFAULT_URL, *, migrate: bool = True) -> Database:
    """Connect (creating an SQLite file if needed) and bring the schema up to date."""
    url = normalise_url(url)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        db = _sqlite(u.render_as_string(hide_password=False))
    else:
        engine = create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
        db = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from paradeops.store.migrate import upgrade

        upgrade(db.engine)
    return db


def _sqlite(url: str) -> Database:
    u = make_url(url)
    synchronous = str(u.query.get("synchronous", "NORMAL")).upper()
    if synchronous not in ("NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"synchronous={synchronous}: use NORMAL, FULL or EXTRA")
    u = u.difference_update_query(["synchronous"])
    database = u.database or ""
    checkpointer = database not in ("", ":memory:")
    if checkpointer:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Connections are pooled (opening one runs the pragmas below) and may move
    # between the server's worker threads: each is used by one thread at a time.
    engine = create_engine(
        u,
        poolclass=QueuePool,
        pool_size=8,
        max_overflow=56,
        pool_timeout=60,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy issue BEGIN itself (pysqlite's own handling defers it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        if checkpointer:
            cur.execute("PRAGMA wal_autocheckpoint=0")  # the thread below does it
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    db = Database(
        u.render_as_string(hide_password=False),
        engine,
        sessionmaker(engine, expire_on_commit=False),
        write_lock=threading.Lock(),
    )
    if checkpointer:
        threading.Thread(
            target=_checkpoints,
            args=(database, db._stop),
            name="wal-checkpoint",
            daemon=True,
        ).start()
    return db


def _checkpoints(path: str, stop: threading.Event, every_s: float = 1.0) -> None:
    """Copy the WAL back into the database now and then, off the writers' path."""
    conn: sqlite3.Connection | None = None
    try:
        while not stop.wait(every_s):
            try:
                if conn is None:
                    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                # The file went away (a test's folder) or is busy: try again later.
                if conn is not None:
                    conn.close()
                conn = None
    finally:
        if conn is not None:
            conn.close()
