"""A command whose optional extra is not installed says which one, and exits 2.

Each case runs the CLI in a subprocess whose ``sitecustomize`` blocks the
extra's libraries (as a base install lacks them): the blocked command must
name the extra in one short message, never print a traceback, while a
command of the base install still works in the same interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from paradeops.cli.service_commands import DEFAULT_URL

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "examples" / "city-parade" / "plan.yaml"
GUESTS = ROOT / "examples" / "victory-day-2025" / "guests.yaml"
TRIBUNES = ROOT / "examples" / "victory-day-2025" / "tribunes.yaml"

BLOCKER = '''
import importlib.abc, os, sys

BLOCKED = set(os.environ["PARADEOPS_TEST_BLOCK"].split(","))


class Blocker(importlib.abc.MetaPathFinder):
    """As if the blocked top-level packages were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Blocker())
'''


def run_blocked(
    tmp_path: Path, blocked: str, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    """``paradeops ARGS`` with the comma-separated top-level packages ``blocked`` missing."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCKER, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT / "src")]),
        "PARADEOPS_TEST_BLOCK": blocked,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "paradeops", *map(str, args)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_needs_extra(got: subprocess.CompletedProcess[str], extra: str) -> None:
    assert got.returncode == 2, got.stderr
    assert "Traceback" not in got.stderr, got.stderr
    assert f"pip install 'paradeops[{extra}]'" in got.stderr, got.stderr
    assert got.stderr.startswith("error: "), got.stderr


def test_the_blocker_blocks(tmp_path: Path) -> None:
    site = run_blocked(tmp_path, "matplotlib", "--help")
    assert site.returncode == 0, site.stderr


def test_graph_needs_charts(tmp_path: Path) -> None:
    assert_needs_extra(run_blocked(tmp_path, "matplotlib", "graph", PLAN, "-o", "x.png"), "charts")
    assert not (tmp_path / "x.png").exists()


def test_schedule_needs_no_charts(tmp_path: Path) -> None:
    got = run_blocked(tmp_path, "matplotlib", "schedule", PLAN)
    assert got.returncode in (0, 1), got.stderr  # 1: the plan's findings include an error
    assert "Traceback" not in got.stderr


def test_compose_chart_needs_charts_and_compose_does_not(tmp_path: Path) -> None:
    got = run_blocked(tmp_path, "matplotlib", "compose", PLAN, "--chart", "c.svg")
    assert_needs_extra(got, "charts")
    assert run_blocked(tmp_path, "matplotlib", "compose", PLAN).returncode == 0


def test_simulate_needs_sim(tmp_path: Path) -> None:
    got = run_blocked(tmp_path, "numba,llvmlite", "simulate", PLAN, "--runs", "2")
    assert_needs_extra(got, "sim")
    assert "simulate needs numba" in got.stderr


def test_seat_needs_seating(tmp_path: Path) -> None:
    got = run_blocked(tmp_path, "ortools", "seat", GUESTS, TRIBUNES)
    assert_needs_extra(got, "seating")


def test_seat_without_protocol_names_seating_which_brings_it(tmp_path: Path) -> None:
    """Naming 'protocol' would send the user back a second time, for OR-Tools."""
    got = run_blocked(tmp_path, "pycountry,pyuca,ortools", "seat", GUESTS, TRIBUNES)
    assert_needs_extra(got, "seating")


def test_guests_needs_protocol(tmp_path: Path) -> None:
    got = run_blocked(tmp_path, "pycountry,pyuca", "guests", "status", GUESTS)
    assert_needs_extra(got, "protocol")


@pytest.mark.parametrize(
    "args",
    [
        ("serve",),
        ("user", "list"),
        ("secret", "rotate"),
        ("backup", "-o", "b.sqlite"),
        ("restore", "b.sqlite"),
        ("db", "upgrade"),
    ],
)
def test_service_commands_need_service(tmp_path: Path, args: tuple[str, ...]) -> None:
    got = run_blocked(tmp_path, "fastapi,sqlalchemy,alembic,uvicorn", *args)
    assert_needs_extra(got, "service")
    assert not (tmp_path / "paradeops.db").exists()


def test_the_default_database_is_the_stores() -> None:
    pytest.importorskip("sqlalchemy")
    from paradeops.store.db import DEFAULT_URL as STORE_DEFAULT

    assert DEFAULT_URL == STORE_DEFAULT


COMMAND_MODULES = [
    "composition_commands",
    "simulate_commands",
    "guests_commands",
    "service_commands",
    "user_commands",
    "backup_commands",
]
HEAVY = ("matplotlib", "numba", "ortools", "fastapi", "sqlalchemy", "uvicorn", "alembic")


@pytest.mark.parametrize("module", COMMAND_MODULES)
def test_importing_a_command_module_loads_no_heavy_library(module: str) -> None:
    code = (
        f"import sys, paradeops.cli.{module}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    got = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert got.stdout.strip() == ""
