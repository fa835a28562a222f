"""Shared helpers: build plans from text, find the repository's examples."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def examples() -> Path:
    return EXAMPLES


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
