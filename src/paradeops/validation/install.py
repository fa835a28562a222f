"""Build ParadeOps' wheel from a source checkout and measure what each install costs.

Used by ``benchmarks/bench_install.py`` (the figures) and the packaging tests
(the wheel alone installs and runs; the base install's size): both pass the
checkout's root. An adapter: it copies files, runs ``python -m build``, makes
venvs and runs pip in subprocesses.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: What a wheel is built from: the project's metadata and its package, nothing else.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "src")
#: What every venv holds before anything is installed; not counted.
VENV_OWN = ("pip", "setuptools", "_distutils_hack", "pkg_resources", "distutils-precedence.pth")
#: The issue's ceiling for the base install.
BASE_LIMIT_MB = 150.0


@dataclass(frozen=True)
class Install:
    """One fresh venv with the wheel installed."""

    extra: str
    venv: Path
    size_mb: float
    packages: int
    seconds: float

    @property
    def paradeops(self) -> Path:
        return self.venv / "bin" / "paradeops"

    def line(self) -> str:
        return (
            f"install={self.extra} size_mb={self.size_mb:.1f} packages={self.packages} "
            f"seconds={self.seconds:.1f}"
        )


def copied_sources(into: Path) -> Path:
    """Where :func:`build_dists` put the copy it built from."""
    return into / "src-copy"


def copy_sources(into: Path, root: Path) -> Path:
    """The files a build needs, copied without caches or earlier build leftovers."""
    tree = copied_sources(into)
    tree.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=ignore)
        else:
            shutil.copy2(source, tree / name)
    return tree


def build_dists(into: Path, root: Path, python: str = sys.executable) -> tuple[Path, Path]:
    """``python -m build`` on a copy of the sources: (wheel, sdist) in ``into``/dist."""
    tree = copy_sources(into, root)
    dist = into / "dist"
    subprocess.run(
        [python, "-m", "build", "--outdir", str(dist), str(tree)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    wheel = next(dist.glob("paradeops-*.whl"))
    sdist = next(dist.glob("paradeops-*.tar.gz"))
    return wheel, sdist


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def is_venv_own(name: str) -> bool:
    base = name.split("-")[0].lower()
    return name in VENV_OWN or base in VENV_OWN


def size_mb(folder: Path) -> float:
    """Apparent size of the files under ``folder`` that a venv does not come with."""
    total = 0
    for entry in folder.iterdir():
        if is_venv_own(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            total += sum(f.lstat().st_size for f in entry.rglob("*") if not f.is_dir())
        else:
            total += entry.lstat().st_size
    return total / 1e6


def count_distributions(folder: Path) -> int:
    return sum(1 for d in folder.glob("*.dist-info") if not is_venv_own(d.name))


def install(
    wheel: Path, extra: str, into: Path, *, constraints: Path, python: str = sys.executable
) -> Install:
    """A fresh venv in ``into`` with ``wheel`` (and ``extra`` unless it is 'base').

    ``constraints`` (the checkout's ``requirements.lock``) pins the versions.
    """
    venv = into / f"venv-{extra}"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
    target = str(wheel) if extra == "base" else f"paradeops[{extra}] @ {wheel.as_uri()}"
    started = time.perf_counter()
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-c", str(constraints), target],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    packages = site_packages(venv)
    return Install(extra, venv, size_mb(packages), count_distributions(packages), seconds)
