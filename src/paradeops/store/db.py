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

The same thread guards the database files (:class:`WalGuard`). SQLite's POSIX
locks are per process and dropped by *any* close() of the file in that
process: if the database file is opened and closed without SQLite, the next
SQLite client that closes the database believes it is the last one and deletes
the ``-wal`` file while the server goes on writing into the deleted inode, and
acknowledged writes vanish at the next start. The
guard keeps a descriptor on the ``-wal`` file from start and checks, before
and after every write and every second, that the file at that path is still
the one it holds; if not, it copies what it can back into the database, logs
a CRITICAL line and ends the process (exit code 70) before anything else is
acknowledged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///paradeops.db"
#: Exit code of a process whose database files were taken from under it (EX_SOFTWARE).
EXIT_DATABASE_LOST = 70
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
        guard = self.guard
        with self.write_lock:
            if guard is not None:
                guard.require()
            with self.sessions.begin() as session:
                if self.is_sqlite:
                    # BEGIN IMMEDIATE: the write lock is taken (or waited for, up to
                    # busy_timeout) at the start. A deferred BEGIN that read first
                    # and then wrote failed at once with "database is locked" when
                    # another process had written meanwhile (busy_timeout cannot
                    # help a stale snapshot): a CLI command, or a second server.
                    session.connection(execution_options={IMMEDIATE: True})
                yield session
            # Committed: if it went into a WAL file no longer on disk, the caller
            # must not acknowledge it (require() stops the process).
            if guard is not None:
                guard.require()

    #: Stops the SQLite checkpointer thread (if any) when set.
    _stop: threading.Event = field(default_factory=threading.Event)
    #: Watches an SQLite file's WAL (None for PostgreSQL and in-memory SQLite).
    guard: WalGuard | None = None

    def dispose(self) -> None:
        self._stop.set()
        self.engine.dispose()
        if self.guard is not None:
            self.guard.close()


def open_database(
    url: str = DEFAULT_URL, *, migrate: bool = True, server: bool = False
) -> Database:
    """Connect (creating an SQLite file if needed) and bring the schema up to date.

    ``server``: the service's own sessions, named ``paradeops-serve`` on
    PostgreSQL so that restore can tell a server is connected (store/serving.py).
    """
    url = normalise_url(url)
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        db = _sqlite(u.render_as_string(hide_password=False))
    else:
        engine = create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)
        if server:
            from paradeops.store.serving import tag_sessions

            tag_sessions(engine)
        db = Database(url, engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from paradeops.store.migrate import upgrade

        upgrade(db.engine)
    return db


#: Read and write for the owner only: the database holds password hashes and guests' data.
PRIVATE_MODE = 0o600


def make_private(path: Path) -> None:
    """Create the SQLite file ``path`` with mode 0600 if it does not exist yet.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's mode, so
    they are 0600 too. A file of ours made earlier with group or other access
    (ParadeOps before 0600, or a copy) loses it, and so do its ``-wal``/``-shm``.
    """
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    for f in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            st = os.stat(f)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.chmod(f, stat.S_IMODE(st.st_mode) & 0o700)
            log.warning("%s was readable by others: now owner-only (%o)", f, st.st_mode & 0o700)


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
        make_private(Path(database))
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
        db.guard = WalGuard(database)
        threading.Thread(
            target=_checkpoints,
            args=(database, db._stop, db.guard),
            name="wal-checkpoint",
            daemon=True,
        ).start()
    return db


def _checkpoints(path: str, stop: threading.Event, guard: WalGuard, every_s: float = 1.0) -> None:
    """Copy the WAL back into the database now and then, off the writers' path."""
    conn: sqlite3.Connection | None = None
    try:
        while not stop.wait(every_s):
            guard.require()
            try:
                if conn is None:
                    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                # Busy: try again later.
                if conn is not None:
                    conn.close()
                conn = None
    finally:
        if conn is not None:
            conn.close()


class WalGuard:
    """Holds the ``-wal`` file of an SQLite database open and checks it is still there.

    Its own connection, opened first and kept to the end, keeps the WAL in
    being (SQLite removes it only when the last connection closes) and is the
    one that copies the WAL's frames back into the database if the file is
    unlinked under us: its descriptor still reads the deleted inode.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.wal_path = path + "-wal"
        self._lock = threading.Lock()
        self._closed = False
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL").fetchall()
        self._conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the WAL
        self._db_inode = _identity(os.stat(path))
        self._wal_fd = os.open(self.wal_path, os.O_RDONLY | os.O_CLOEXEC)
        self.require()

    def problem(self) -> str | None:
        """What is wrong with the files, or None while they are still ours."""
        held = os.fstat(self._wal_fd)
        if held.st_nlink == 0:
            return f"{self.wal_path} was deleted while the server was using it"
        try:
            wal = os.stat(self.wal_path)
        except FileNotFoundError:
            return f"{self.wal_path} was deleted while the server was using it"
        if _identity(wal) != _identity(held):
            return f"{self.wal_path} was replaced by another file while the server was using it"
        try:
            main = os.stat(self.path)
        except FileNotFoundError:
            return f"{self.path} was deleted while the server was using it"
        if _identity(main) != self._db_inode:
            return f"{self.path} was replaced by another file while the server was using it"
        return None

    def require(self) -> None:
        """Return if the files are still ours; else salvage, log and end the process."""
        with self._lock:
            if self._closed:
                return
            problem = self.problem()
            if problem is None:
                return
            salvaged = self._salvage()
            log.critical(
                "database files lost: %s; %s; stopping the server so that no write is "
                "acknowledged into a file that will be gone at the next start. Another "
                "process opened the database file without SQLite (a copy, an editor, a "
                "plan upload pointing at it) or deleted it: find it, then restart.",
                problem,
                salvaged,
            )
            logging.shutdown()
            os._exit(EXIT_DATABASE_LOST)

    def _salvage(self) -> str:
        # The deleted WAL is still readable through this connection: copying its
        # frames into the main file keeps the writes acknowledged until now.
        try:
            busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
        except sqlite3.Error as e:
            return f"the writes not yet in the database file could not be copied ({e})"
        if busy or copied != frames:
            return f"only {copied} of {frames} WAL pages could be copied into the database file"
        return f"all {frames} WAL pages were copied into the database file"

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            os.close(self._wal_fd)
            self._conn.close()


def _identity(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)
