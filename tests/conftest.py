"""Shared helpers: build plans from text, find the repository's examples, keep the tree clean.

Tests leave files for a person to look at (charts, screenshots) in the
``artefacts`` folder, never in the repository: a session that writes into the
repository's tree fails at its end, naming the files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: Set to a folder to collect every test's artefacts there instead of pytest's tmp_path.
OUTPUT_ENV = "PARADEOPS_TEST_OUTPUT"


@pytest.fixture
def artefacts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path]:
    """A folder for files a person may want to see; where it is is said on failure.

    pytest keeps the tmp_path of its last three runs, so a failure's charts can
    still be opened afterwards; with ``PARADEOPS_TEST_OUTPUT`` set they go there.
    """
    chosen = os.environ.get(OUTPUT_ENV)
    folder = Path(chosen) if chosen else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    request.node.add_report_section("teardown", "artefacts", f"written to {folder}")


# --- the repository's tree stays as the session found it --------------------------

#: Paths a run may create in the repository: caches, and nothing else.
CACHE_PARTS = {".pytest_cache", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache"}
CACHE_SUFFIXES = (".nbi", ".nbc", ".pyc")
#: Flags of os.open that write.
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


#: pytest makes .pytest_cache in a temporary folder of this name, then renames it.
CACHE_PREFIXES = ("pytest-cache-files-",)


def is_cache(relative: str) -> bool:
    parts = Path(relative).parts
    return (
        bool(CACHE_PARTS & set(parts))
        or relative.endswith(CACHE_SUFFIXES)
        or any(part.startswith(CACHE_PREFIXES) for part in parts)
    )


def opens_for_writing(event: str, args: tuple[object, ...]) -> str | None:
    """The path an audit event writes to, or None (see the audit events table of the docs)."""
    if event == "open" and len(args) >= 3:
        path, mode, flags = args[0], args[1], args[2]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS
        )
        if writes and isinstance(path, str | bytes | os.PathLike):
            return os.fsdecode(os.fspath(path))
    if event == "sqlite3.connect" and args and isinstance(args[0], str | bytes | os.PathLike):
        path = os.fsdecode(os.fspath(args[0]))
        return None if path == ":memory:" or path.startswith("file:") else path
    return None


class TreeWatch:
    """What this test process writes inside the repository, and what appears there.

    Writes by this process are known exactly (an audit hook) and fail the
    session. Files that appear otherwise (a server subprocess, or another
    person working in the same checkout while the tests run) cannot be told
    apart by a snapshot, so they are listed as a warning only.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[str] = set()
        self.before = self.untracked()
        sys.addaudithook(self.hook)  # hooks cannot be removed; it lives as long as the session

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if event != "open" and event != "sqlite3.connect":
            return
        path = opens_for_writing(event, args)
        if path is None:
            return
        absolute = os.path.abspath(path)
        if absolute.startswith(str(self.root) + os.sep):
            relative = os.path.relpath(absolute, self.root)
            if not relative.startswith((".git" + os.sep, ".venv" + os.sep)) and not is_cache(
                relative
            ):
                self.written.add(relative)

    def untracked(self) -> set[str]:
        """Untracked and ignored files, one by one, outside .venv and the caches."""
        got = subprocess.run(
            # No optional locks: a status must not hold index.lock while others commit.
            ["git", "--no-optional-locks", "status", "--porcelain", "--ignored",
             "--untracked-files=all", "-z", "--", ".", ":(exclude).venv"],
            cwd=self.root, capture_output=True, check=False,
        )  # fmt: skip
        if got.returncode != 0:
            return set()
        entries = got.stdout.decode(errors="replace").split("\0")
        return {e[3:] for e in entries if e[:2] in ("??", "!!") and not is_cache(e[3:])}


#: ``K/N``: run only the K-th of N shares of the test modules (scripts/test runs the
#: shares side by side, one per core). Whole modules stay together, so that a
#: module's server or browser is started once; modules alternate in path order,
#: which spreads each folder's heavy ones over the shares.
SHARD_ENV = "PARADEOPS_TEST_SHARD"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = os.environ.get(SHARD_ENV)
    if not shard:
        return
    k, n = (int(x) for x in shard.split("/"))
    modules = sorted({str(item.path) for item in items})
    mine = {m for i, m in enumerate(modules) if i % n == k}
    keep = [item for item in items if str(item.path) in mine]
    config.hook.pytest_deselected(items=[item for item in items if str(item.path) not in mine])
    items[:] = keep


def pytest_sessionstart(session: pytest.Session) -> None:
    if (ROOT / ".git").exists():
        session.config.stash[TREE_WATCH] = TreeWatch(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    watch = session.config.stash.get(TREE_WATCH, None)
    if watch is None:
        return
    appeared = sorted(watch.untracked() - watch.before - watch.written)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:
        if reporter is not None:
            reporter.write_sep("-", "repository tree")
            reporter.write_line(line)
        else:
            print(line, file=sys.stderr)

    if appeared:
        say(
            "note: new files in the repository while the tests ran (a test's subprocess, "
            "or someone else working here): " + ", ".join(appeared[:20])
        )
    if watch.written:
        say(
            "FAILED: tests wrote into the repository's tree (use the artefacts fixture or "
            "tmp_path): " + ", ".join(sorted(watch.written)[:20])
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


TREE_WATCH = pytest.StashKey[TreeWatch]()


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


@dataclass
class Result:
    """What one CLI run gave: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """The real CLI in-process (``paradeops.cli.main``): ``cli("schedule", plan)``."""
    from paradeops.cli import main

    def run(*args: object) -> Result:
        capsys.readouterr()
        monkeypatch.setenv("COLUMNS", "200")
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def plan_text(units: str, *, extra: str = "", checkpoints: str | None = None) -> str:
    """A plan on a 450 m route (start 0, tribune 180, release 450) with ``units``."""
    cps = checkpoints or textwrap.dedent(
        """\
        - {id: start, at_m: 0}
        - {id: tribune, at_m: 180, reviewing: true}
        - {id: release, at_m: 450}
        """
    )
    return (
        textwrap.dedent(
            """\
            version: 1
            parade: {name: Test parade, date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"}
            route:
              checkpoints:
            """
        )
        + textwrap.indent(cps, "    ")
        + extra
        + "units:\n"
        + textwrap.indent(textwrap.dedent(units), "  ")
    )
