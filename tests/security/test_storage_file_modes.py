"""The SQLite database, its -wal and -shm, backups and restored files are 0600.

The tester's finding: the database (and the file ``restore`` writes) were
created 0644 under the usual umask, so every local user could read the
password hashes. Each file is made by the real code paths here, under umask 022.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from paradeops.store import open_database
from tests.conftest import Run
from tests.service.server import add_users


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _with_wal(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def test_a_new_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "paradeops.db"
    db = open_database(f"sqlite:///{path}")
    try:
        with db.engine.connect() as conn:  # held open: -wal and -shm exist meanwhile
            conn.execute(text("SELECT count(*) FROM sqlite_master")).fetchall()
            files = _with_wal(path)
            assert all(f.exists() for f in files), files
            assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        db.dispose()


def test_an_older_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "paradeops.db"
    open_database(f"sqlite:///{path}").dispose()
    os.chmod(path, 0o644)
    open_database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def test_backup_and_restored_database_are_owner_only(cli: Run, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'live.db'}"
    add_users(source)  # password hashes in it
    backup = tmp_path / "parade.backup"
    assert cli("backup", "--database", source, "-o", backup).code == 0
    assert _mode(backup) == 0o600
    restored = tmp_path / "restored.db"
    r = cli("restore", backup, "--database", f"sqlite:///{restored}")
    assert r.code == 0, r.err
    assert _mode(restored) == 0o600
    for f in _with_wal(restored)[1:]:
        assert not f.exists() or _mode(f) == 0o600
    db = open_database(f"sqlite:///{restored}")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 2
            assert all(_mode(f) == 0o600 for f in _with_wal(restored) if f.exists())
    finally:
        db.dispose()
