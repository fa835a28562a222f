"""Shared helpers: build plans from text, find the repository's examples."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


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
