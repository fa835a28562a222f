from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from paradeops.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Run:
    """Runs the real CLI in-process: ``cli("schedule", "plan.yaml")``."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = int(e.code or 0) if not isinstance(e.code, str) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
