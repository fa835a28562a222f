"""Backup and restore of the service's database, safe while the server runs.

SQLite: SQLite's online backup API copies a consistent snapshot (one read
transaction; in WAL mode writers go on meanwhile) into a new single file
(journal mode DELETE, no -wal beside it), checked with ``integrity_check``.
Restore copies it back with the same API in one write transaction, so the
target holds either the whole backup or what it held before.

PostgreSQL: ``pg_dump -Fc`` of the service's schema (the URL's current
schema) is one consistent snapshot. Restore turns it into SQL with
``pg_restore`` and loads it with ``psql --single-transaction`` after
dropping what the schema held (``--force`` only), so a failure anywhere
leaves the target as it was. The password travels in ``PGPASSWORD``, never
on a command line; no shell is involved.

Either way the file is written next to its final name and renamed into
place only when complete: an interrupted backup never leaves a truncated
file under the name asked for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from paradeops.errors import UserError
from paradeops.io.writefile import refuse_special, replacing
from paradeops.store.append_only import FUNCTION
from paradeops.store.db import PRIVATE_MODE, make_private, normalise_url
from paradeops.store.serving import no_server, require_no_pg_server

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"
#: A TABLE line of ``pg_restore -l``: "12; 1259 16390 TABLE myschema checkins owner".
_TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(\S+) (\S+) ")
_TOC_SCHEMA = re.compile(r"^\d+; \d+ \d+ SCHEMA - (\S+) ")


@dataclass(frozen=True)
class Target:
    """Where a database lives: an SQLite file or a PostgreSQL URL."""

    url: URL

    @classmethod
    def parse(cls, database: str) -> Target:
        try:
            return cls(make_url(normalise_url(database)))
        except Exception:  # noqa: BLE001 - any unparsable URL is the user's to fix
            raise UserError(
                "not a database URL or SQLite file path",
                field="--database",
                hint="e.g. paradeops.db or postgresql://user@host/dbname",
            ) from None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        database = self.url.database or ""
        if database in ("", ":memory:"):
            raise UserError("an in-memory database has nothing to back up", field="--database")
        return Path(database)

    def check_backend(self) -> None:
        if not self.is_sqlite and self.url.get_backend_name() != "postgresql":
            raise UserError(
                f"backups of {self.url.get_backend_name()} databases are not supported",
                field="--database",
                hint="use an SQLite file or a postgresql:// URL",
            )


# --- backup ---------------------------------------------------------------------------


def backup(database: str, out: Path) -> Path:
    """Write a consistent copy of ``database`` to ``out``; returns ``out``."""
    target = Target.parse(database)
    target.check_backend()
    if str(out) == "-":
        raise UserError(
            "a backup is binary and cannot go to stdout", field="-o", hint="name the backup file"
        )
    out = out.expanduser().absolute()
    # A regular file or a new one, written beside its name and renamed into
    # place (never a link, a pipe or a device: see io/writefile.py).
    # Password hashes inside: owner only.
    with replacing(out, field="-o", mode=PRIVATE_MODE, stdout_ok=False) as partial:
        if target.is_sqlite:
            _sqlite_backup(target.sqlite_path, partial, out)
        else:
            _pg_dump(target.url, partial)
    log.info("backup written to %s", out)
    return out


def _sqlite_backup(source: Path, partial: Path, out: Path) -> None:
    if not source.is_file():
        raise UserError(f"no database file {source}", field="--database")
    if out.exists() and out.samefile(source):
        raise UserError("the backup would overwrite the database itself", field="-o")
    with contextlib.closing(_open_existing(source, "--database")) as src:
        _require_paradeops(src, str(source), "--database")
        with contextlib.closing(sqlite3.connect(partial)) as dst:
            # pages=-1 (the default): one step, one read snapshot of the source.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            _require_intact(dst, str(out), "-o")


def _open_existing(path: Path, option: str) -> sqlite3.Connection:
    """Open an SQLite file that must exist (never create an empty one by mistake)."""
    try:
        with open(path, "rb") as f:
            magic = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}", field=option) from None
    if magic != SQLITE_MAGIC:
        raise UserError(f"{path} is not an SQLite database", field=option)
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=30)


def _require_paradeops(conn: sqlite3.Connection, name: str, option: str) -> None:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
    ).fetchone()
    if found is None:
        raise UserError(f"{name} is not a ParadeOps database (no {VERSION_TABLE})", field=option)


def _require_intact(conn: sqlite3.Connection, name: str, option: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchall()
    if result != [("ok",)]:
        raise UserError(f"{name} is damaged: {result[0][0]}", field=option)


def _pg_dump(url: URL, partial: Path) -> None:
    schema = _pg_current_schema(url)
    _run_pg(
        url,
        ["pg_dump", "--format=custom", f"--schema={schema}", f"--file={partial}"],
        what="pg_dump",
    )


def _pg_current_schema(url: URL) -> str:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            if schema is None:
                raise UserError(
                    "no schema on the search_path of this database exists",
                    field="--database",
                )
            return str(schema)
    except UserError:
        raise
    except Exception as e:  # noqa: BLE001 - connection failures are the operator's to fix
        raise UserError(
            f"cannot connect: {type(e).__name__}: {str(e).splitlines()[0]}", field="--database"
        ) from None
    finally:
        engine.dispose()


# --- PostgreSQL client tools ---------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """``--dbname`` for a client tool (no password) and the environment carrying it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise UserError(
            f"{name} is not installed",
            hint="install the PostgreSQL client tools of the server's major version",
        )
    return found


def _run_pg(url: URL, argv: list[str], *, what: str) -> str:
    dbname, env = _libpq(url)
    cmd = [_tool(argv[0]), *argv[1:], "--no-password", f"--dbname={dbname}"]
    return _run(cmd, env=env, what=what)


def _run(cmd: list[str], *, env: dict[str, str] | None = None, what: str) -> str:
    done = subprocess.run(
        cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        message = (done.stderr.strip() or f"exit code {done.returncode}").splitlines()
        raise UserError(f"{what} failed: {message[-1] if message else ''}")
    return done.stdout


# --- restore --------------------------------------------------------------------------


def restore(backup_file: Path, database: str, *, force: bool = False) -> None:
    """Replace ``database``'s content with ``backup_file``: all of it or nothing."""
    target = Target.parse(database)
    target.check_backend()
    kind = _backup_kind(backup_file)
    wanted = "sqlite" if target.is_sqlite else "postgresql"
    if kind != wanted:
        raise UserError(
            f"{backup_file} is a backup of {_kind_name(kind)}, the target is {_kind_name(wanted)}",
            field="FILE",
            hint="restore it into a database of the same kind",
        )
    if target.is_sqlite:
        _sqlite_restore(backup_file, target.sqlite_path, force=force)
    else:
        _pg_restore(backup_file, target.url, force=force)
    log.info("restored %s", backup_file)


def _kind_name(kind: str) -> str:
    return "SQLite" if kind == "sqlite" else "PostgreSQL"


def _backup_kind(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise UserError(f"cannot read {path}: {e.strerror}", field="FILE") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise UserError(
        f"{path} is not a backup made by paradeops backup",
        field="FILE",
        hint="an SQLite database file or a pg_dump custom-format (-Fc) file",
    )


def _not_empty_hint() -> str:
    return "add --force to replace what it holds (take a backup of it first)"


def _sqlite_restore(backup_file: Path, path: Path, *, force: bool) -> None:
    refuse_special(path, field="--database", stdout_ok=False)
    if path.exists() and path.samefile(backup_file):
        raise UserError("the backup file is the target database itself", field="--database")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not while a server uses it: it would go on serving what it had cached
    # and acknowledged check-ins would vanish under it.
    with no_server(path), contextlib.closing(_open_existing(backup_file, "FILE")) as src:
        _require_paradeops(src, str(backup_file), "FILE")
        _require_intact(src, str(backup_file), "FILE")
        existed = path.exists()
        make_private(path)  # 0600 (created or made so), and so its -wal and -shm
        dst = _open_existing(path, "--database") if existed else sqlite3.connect(path, timeout=30)
        with contextlib.closing(dst):
            tables = dst.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
            if tables and not force:
                raise UserError(
                    f"{path} is not empty ({tables} tables)",
                    field="--database",
                    hint=_not_empty_hint(),
                )
            dst.execute("PRAGMA journal_mode=WAL")  # as the server keeps it
            # One write transaction on the target: all of the backup, or nothing.
            src.backup(dst)
            _require_intact(dst, str(path), "--database")


def _pg_restore(backup_file: Path, url: URL, *, force: bool) -> None:
    schema = _dump_schema(backup_file)
    _require_on_search_path(url, schema)
    require_no_pg_server(url, schema)
    held = _pg_tables(url, schema)
    if held and not force:
        raise UserError(
            f"schema {schema} of the target already holds {len(held)} tables",
            field="--database",
            hint=_not_empty_hint(),
        )
    with tempfile.TemporaryDirectory(prefix="paradeops-restore-") as folder:
        listing = Path(folder) / "toc.list"
        script = Path(folder) / "restore.sql"
        # Everything in the backup but the schema itself, which is kept (its
        # owner and grants stay the operator's) and emptied below.
        toc = _run([_tool("pg_restore"), "--list", str(backup_file)], what="pg_restore")
        listing.write_text(
            "".join(line + "\n" for line in toc.splitlines() if not _TOC_SCHEMA.match(line))
        )
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-acl",
                f"--use-list={listing}",
                f"--file={script}",
                str(backup_file),
            ],
            what="pg_restore",
        )
        quoted = _quote_ident(schema)
        drops = [f"DROP TABLE IF EXISTS {quoted}.{_quote_ident(t)} CASCADE" for t in held]
        drops.append(f"DROP FUNCTION IF EXISTS {quoted}.{FUNCTION}() CASCADE")
        dbname, env = _libpq(url)
        _run(
            [
                _tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={dbname}",
                f"--command=CREATE SCHEMA IF NOT EXISTS {quoted}",
                *(f"--command={d}" for d in drops),
                f"--file={script}",
            ],
            env=env,
            what="restore (nothing was changed)",
        )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _dump_schema(backup_file: Path) -> str:
    """The one schema a ParadeOps backup holds (checked: it has alembic_version)."""
    try:
        toc = _run([_tool("pg_restore"), "--list", str(backup_file)], what="pg_restore")
    except UserError:
        raise UserError(
            f"{backup_file} is not a readable pg_dump custom-format file",
            field="FILE",
            hint="make backups with paradeops backup (pg_dump -Fc), "
            "with client tools at least as new as the server",
        ) from None
    tables = [m.groups() for m in map(_TOC_TABLE.match, toc.splitlines()) if m]
    schemas = {schema for schema, _ in tables}
    if len(schemas) != 1 or not any(name == VERSION_TABLE for _, name in tables):
        raise UserError(f"{backup_file} is not a backup of one ParadeOps schema", field="FILE")
    return schemas.pop()


def _require_on_search_path(url: URL, schema: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            path = str(conn.execute(text("SHOW search_path")).scalar_one())
            user = str(conn.execute(text("SELECT current_user")).scalar_one())
    except Exception as e:  # noqa: BLE001 - connection failures are the operator's to fix
        raise UserError(
            f"cannot connect: {type(e).__name__}: {str(e).splitlines()[0]}", field="--database"
        ) from None
    finally:
        engine.dispose()
    names = [p.strip().strip('"') for p in path.split(",")]
    names = [user if n == "$user" else n for n in names]
    if not names or names[0] != schema:
        raise UserError(
            f"the backup holds schema {schema}; the target's search_path is {path}",
            field="--database",
            hint=f"restore into a database whose search_path starts with {schema} "
            f"(e.g. ?options=-csearch_path%3D{schema} in the URL)",
        )


def _pg_tables(url: URL, schema: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"),
                {"s": schema},
            )
            return [str(r[0]) for r in rows]
    finally:
        engine.dispose()
