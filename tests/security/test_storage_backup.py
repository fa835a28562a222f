"""Finding 12 (backups): there was no backup and no documented restore.

``paradeops backup`` while a real server takes check-ins from several threads,
then ``paradeops restore`` into a fresh database: every check-in acknowledged
before the backup started is there. Restore refuses what it must refuse and
never leaves a half-restored database.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy import text

from paradeops.store import open_database
from tests.conftest import Run
from tests.service.conftest import PG_URL
from tests.service.server import Server, add_users
from tests.service.support import checkin

MARSHALS = 6


@pytest.fixture
def restore_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind (PostgreSQL: a new database, same schema name)."""
    if "://" not in database_url:
        yield str(tmp_path / "restored.sqlite")
        return
    name = f"paradeops_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url.replace("/test?", f"/{name}?")
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def stored_checkins(url: str) -> set[str]:
    db = open_database(url, migrate=False)
    try:
        with db.engine.connect() as conn:
            return {str(r[0]) for r in conn.execute(text("SELECT id FROM checkins"))}
    finally:
        db.dispose()


def test_backup_under_load_holds_every_acknowledged_checkin(
    database_url: str, restore_url: str, tmp_path: Path, cli: Run
) -> None:
    add_users(database_url)
    server = Server(database_url, tmp_path / "server.log").start()
    try:
        org = server.token("org")
        url = f"{server.base}/api/plans/{server.upload(org)}/checkins"
        acked: list[tuple[float, str]] = []  # (when the 201 came back, id)
        failures: list[str] = []
        stop = threading.Event()

        def marshal(n: int) -> None:
            with httpx.Client(headers=org, timeout=60) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    c = checkin("band", "start", "head", f"10:{n:02d}:{i % 60:02d}")
                    r = client.post(url, json=c)
                    if r.status_code == 201:
                        acked.append((time.monotonic(), c["id"]))
                    else:
                        failures.append(f"{r.status_code} {r.text[:200]}")

        threads = [threading.Thread(target=marshal, args=(n,)) for n in range(MARSHALS)]
        for t in threads:
            t.start()
        while len(acked) < 200 and not failures:
            time.sleep(0.05)
        started = time.monotonic()
        result = cli("backup", "--database", database_url, "-o", tmp_path / "parade.backup")
        finished = time.monotonic()
        time.sleep(0.5)  # and the load goes on after it
        stop.set()
        for t in threads:
            t.join(60)
    finally:
        server.stop()
    assert result.code == 0, result.err
    assert failures == []
    before = {cid for at, cid in acked if at < started}
    assert len(before) >= 200 and any(at > finished for at, _ in acked)

    result = cli("restore", tmp_path / "parade.backup", "--database", restore_url)
    assert result.code == 0, result.err
    restored = stored_checkins(restore_url)
    assert before <= restored
    assert restored <= {cid for _, cid in acked}  # nothing invented
    # The restored database serves: a server starts on it and lists them.
    again = Server(restore_url, tmp_path / "restored.log").start()
    try:
        listed = httpx.get(
            url.replace(server.base, again.base), headers=again.token("org"), timeout=60
        )
        assert before <= {c["id"] for c in listed.json()}
    finally:
        again.stop()


def test_restore_refuses_wrong_files_and_non_empty_targets(
    database_url: str, restore_url: str, tmp_path: Path, cli: Run
) -> None:
    add_users(database_url)
    backup_file = tmp_path / "parade.backup"
    assert cli("backup", "--database", database_url, "-o", backup_file).code == 0

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("SQLite format 2, honestly\n")
    r = cli("restore", not_a_backup, "--database", restore_url)
    assert r.code == 2 and "not a backup made by paradeops backup" in r.err

    # A backup of the other kind of database.
    if "://" in database_url:
        other_kind = tmp_path / "other.sqlite"
        add_users(str(other_kind))
    else:
        other_kind = tmp_path / "other.dump"
        other_kind.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(64))
    r = cli("restore", other_kind, "--database", restore_url)
    assert r.code == 2 and "the target is" in r.err, r.err

    # The source is not empty: refused without --force, and left as it was.
    r = cli("restore", backup_file, "--database", database_url)
    assert r.code == 2 and "--force" in r.err
    r = cli("restore", backup_file, "--database", database_url, "--force")
    assert r.code == 0, r.err
    assert cli("restore", backup_file, "--database", restore_url).code == 0


@pytest.mark.postgres
def test_failed_postgres_restore_changes_nothing(pg_url: str, tmp_path: Path, cli: Run) -> None:
    add_users(pg_url)
    backup_file = tmp_path / "parade.backup"
    assert cli("backup", "--database", pg_url, "-o", backup_file).code == 0
    # A target whose schema holds a table of its own and a view in the way of
    # the backup's "users" table: the restore fails half-way through.
    target = open_database(pg_url, migrate=False)
    try:
        with target.engine.begin() as conn:
            names = [
                str(r[0])
                for r in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
                )
            ]
            for name in names:
                conn.execute(text(f'DROP TABLE "{name}" CASCADE'))
            conn.execute(text("CREATE TABLE keep_me (note text)"))
            conn.execute(text("INSERT INTO keep_me VALUES ('still here')"))
            conn.execute(text("CREATE VIEW users AS SELECT 1 AS id"))
        r = cli("restore", backup_file, "--database", pg_url, "--force")
        assert r.code == 2 and "nothing was changed" in r.err
        with target.engine.connect() as conn:
            assert conn.execute(text("SELECT note FROM keep_me")).scalar_one() == "still here"
    finally:
        target.dispose()


def test_restore_is_refused_while_a_server_uses_the_database(
    database_url: str, tmp_path: Path, cli: Run
) -> None:
    """``restore --force`` under a running server made acknowledged check-ins vanish
    without the server noticing (exit 0). Now: refused while it runs, allowed after."""
    add_users(database_url)
    backup_file = tmp_path / "parade.backup"
    assert cli("backup", "--database", database_url, "-o", backup_file).code == 0
    server = Server(database_url, tmp_path / "server.log").start()
    try:
        org = server.token("org")
        url = f"{server.base}/api/plans/{server.upload(org)}/checkins"
        acked = httpx.post(url, json=checkin("band", "start", "head", "10:00:00"), headers=org)
        assert acked.status_code == 201, acked.text
        r = cli("restore", backup_file, "--database", database_url, "--force")
        assert r.code == 2, r.err
        assert "a server is using" in r.err and "stop the server" in r.err, r.err
        # Nothing was restored: the acknowledged check-in is still there.
        listed = httpx.get(url, headers=org, timeout=30)
        assert acked.json()["id"] in {c["id"] for c in listed.json()}
    finally:
        server.stop()
    # Stopped: the same restore goes through (PostgreSQL may take a moment to
    # notice that the server's sessions are gone).
    deadline = time.monotonic() + 10
    while True:
        r = cli("restore", backup_file, "--database", database_url, "--force")
        if r.code == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert r.code == 0, r.err
    assert stored_checkins(database_url) == set()  # the backup's content, from before
