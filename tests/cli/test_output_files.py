"""Output files: a special file is never replaced or written through.

The tester's finding: as root, ``--ics /dev/full`` replaced the device by a
text file, and ``-o`` on a symbolic link, a named pipe or a device node
replaced them likewise (exit 0). Every file the project writes goes through
``paradeops.io.writefile``: what exists and is not a regular file is refused
(exit 2, naming the option and the path), links never followed; regular
files are replaced atomically. Everything here happens in a tmp folder: no
test touches a real system path.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from paradeops.io.writefile import write_file
from paradeops.store import open_database
from tests.conftest import EXAMPLES, Run

VICTORY = EXAMPLES / "victory-day-2025" / "plan.yaml"
CITY = EXAMPLES / "city-parade" / "plan.yaml"
KEPT = "read-only content that must stay\n"


def symlink(folder: Path, name: str) -> Path:
    target = folder / "readonly.txt"
    target.write_text(KEPT)
    target.chmod(0o444)
    link = folder / name
    link.symlink_to(target)
    return link


def fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def directory(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir()
    (path / "inside.txt").write_text(KEPT)
    return path


def device(folder: Path, name: str) -> Path:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    path = folder / name
    # A character device with /dev/null's numbers, made here: nothing is written to it.
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    return path


MAKERS: dict[str, Callable[[Path, str], Path]] = {
    "symlink": symlink,
    "fifo": fifo,
    "directory": directory,
    "device": device,
}


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry of ``folder`` (links not followed): kind and identity."""
    found = {}
    for entry in folder.iterdir():
        st = entry.lstat()
        found[entry.name] = (st.st_mode, st.st_ino, st.st_size)
    return found


def assert_refused(r: object, option: str, path: Path, folder: Path, before: object) -> None:
    code, err = r.code, r.err  # type: ignore[attr-defined]
    assert code == 2, err
    assert option in err and str(path) in err and "not a regular file" in err, err
    assert "name a regular file" in err
    assert snapshot(folder) == before  # untouched, and no temporary file left behind
    readonly = folder / "readonly.txt"
    if readonly.exists():
        assert readonly.read_text() == KEPT


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_schedule_output_refuses_special_files(cli: Run, tmp_path: Path, kind: str) -> None:
    target = MAKERS[kind](tmp_path, "out.json")
    before = snapshot(tmp_path)
    r = cli("schedule", CITY, "--format", "json", "-o", target)
    assert_refused(r, "--output", target, tmp_path, before)
    if kind == "directory":
        assert (target / "inside.txt").read_text() == KEPT


@pytest.mark.parametrize("kind", ["device", "symlink", "fifo"])
def test_rehearsals_ics_refuses_special_files(cli: Run, tmp_path: Path, kind: str) -> None:
    target = MAKERS[kind](tmp_path, "fakedev.ics")
    before = snapshot(tmp_path)
    r = cli("rehearsals", VICTORY, "--ics", target)
    assert_refused(r, "--ics", target, tmp_path, before)


@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_guests_import_refuses_special_files(cli: Run, tmp_path: Path, kind: str) -> None:
    src = tmp_path / "guests.csv"
    src.write_text("id,name,country,category,host\nru-president,V P,RU,head of state,yes\n")
    target = MAKERS[kind](tmp_path, "guests.yaml")
    before = snapshot(tmp_path)
    r = cli("guests", "import", src, "-o", target)
    assert_refused(r, "--output", target, tmp_path, before)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device"])
def test_backup_refuses_special_files(cli: Run, tmp_path: Path, kind: str) -> None:
    db_folder = tmp_path / "db"
    db_folder.mkdir()
    database = db_folder / "paradeops.db"
    open_database(str(database)).dispose()
    target = MAKERS[kind](tmp_path, "blink.db")
    before = snapshot(tmp_path)
    r = cli("backup", "--database", database, "-o", target)
    assert_refused(r, "-o", target, tmp_path, before)
    assert cli("backup", "--database", database, "-o", "-").code == 2  # binary: never stdout
    regular = tmp_path / "regular.db"
    assert cli("backup", "--database", database, "-o", regular).code == 0
    assert regular.stat().st_mode & 0o777 == 0o600  # password hashes: owner only


def test_regular_file_is_replaced_atomically_with_the_usual_mode(
    cli: Run, tmp_path: Path
) -> None:
    target = tmp_path / "schedule.json"
    target.write_text("old\n")
    target.chmod(0o600)
    old_inode = target.stat().st_ino
    r = cli("schedule", CITY, "--format", "json", "-o", target)
    assert r.code == 0, r.err
    assert json.loads(target.read_text())["units"]
    st = target.stat()
    assert st.st_ino != old_inode  # a new file renamed over it, not written in place
    mask = os.umask(0)
    os.umask(mask)
    assert st.st_mode & 0o777 == 0o666 & ~mask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schedule.json"]


def test_dash_is_stdout_for_text_and_never_a_file_named_dash(cli: Run, tmp_path: Path) -> None:
    r = cli("schedule", CITY, "--format", "json", "-o", "-")
    assert r.code == 0, r.err
    assert json.loads(r.out)["units"]
    assert not (Path.cwd() / "-").exists()
    r = cli("graph", CITY, "-o", "-")  # a picture: named .png or .svg, never stdout
    assert r.code == 2 and ".png or .svg" in r.err
    assert not (Path.cwd() / "-").exists()


def test_write_file_keeps_secrets_private_and_refuses_links(
    tmp_path: Path,
) -> None:
    key = tmp_path / "key"
    write_file(key, "secret\n", field="--secret-key-file", mode=0o600)
    assert key.stat().st_mode & 0o777 == 0o600 and key.read_text() == "secret\n"
    # keep_existing: another process's file stands.
    write_file(key, "other\n", field="--secret-key-file", mode=0o600, keep_existing=True)
    assert key.read_text() == "secret\n"
    link = symlink(tmp_path, "link")
    from paradeops.errors import UserError

    with pytest.raises(UserError, match="--secret-key-file"):
        write_file(link, "x", field="--secret-key-file")
    assert (tmp_path / "readonly.txt").read_text() == KEPT
