"""One wheel and one base install per session, shared by the packaging tests.

The wheel is built from a copy of the sources and installed, with the base
dependencies only, into a fresh venv under pytest's temporary folder: the
repository's tree is never written to, and the installed program cannot see
it. Building and installing take most of a minute, so they happen once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from paradeops.validation import install as bench_install

ROOT = Path(__file__).resolve().parents[2]


def pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, sdist) built by ``python -m build``: the wheel is built from the sdist."""
    wheel, sdist = bench_install.build_dists(tmp_path_factory.mktemp("build"), ROOT)
    return wheel, sdist


@pytest.fixture(scope="session")
def base_install(dists: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A fresh venv holding the wheel and the base dependencies, nothing else."""
    return bench_install.install(
        dists[0], "base", tmp_path_factory.mktemp("venvs"), constraints=ROOT / "requirements.lock"
    )
