"""How big each install of ParadeOps is: the wheel into a fresh venv, per extra.

Builds the wheel from a copy of the sources (so the checkout stays clean), then
for every install asked for (``base`` = no extra, ``all``, or any extra's name)
makes a fresh venv, installs the wheel with that extra under the versions of
``requirements.lock`` (as constraints), and prints one line per install::

    install=base size_mb=88.1 packages=17 seconds=21.4

``size_mb`` is the apparent size of every file in the venv's site-packages in
MB (10^6 bytes), pip and setuptools themselves left out (they come with any
venv); ``packages`` counts the installed distributions, ParadeOps included,
pip and setuptools not; ``seconds`` is the install's wall time, with pip's
cache as it is (a cold cache measures the network too). The issue's target:
base under 150 MB.

    .venv/bin/python benchmarks/bench_install.py            # base and all
    .venv/bin/python benchmarks/bench_install.py base sim   # just these
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def copy_sources(into: Path) -> Path:
    """The files a build needs, copied without caches or earlier build leftovers."""
    tree = copied_sources(into)
    tree.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=ignore)
        else:
            shutil.copy2(source, tree / name)
    return tree


def build_dists(into: Path, python: str = sys.executable) -> tuple[Path, Path]:
    """``python -m build`` on a copy of the sources: (wheel, sdist) in ``into``/dist."""
    tree = copy_sources(into)
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


def install(wheel: Path, extra: str, into: Path, *, python: str = sys.executable) -> Install:
    """A fresh venv in ``into`` with ``wheel`` (and ``extra`` unless it is 'base')."""
    venv = into / f"venv-{extra}"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, capture_output=True)
    target = str(wheel) if extra == "base" else f"paradeops[{extra}] @ {wheel.as_uri()}"
    started = time.perf_counter()
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-c", str(ROOT / "requirements.lock"), target],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    packages = site_packages(venv)
    return Install(extra, venv, size_mb(packages), count_distributions(packages), seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("installs", nargs="*", default=["base", "all"],
                        help="'base', 'all' or an extra's name (default: base all)")  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        wheel, sdist = build_dists(Path(tmp))
        print(f"wheel={wheel.name} wheel_kb={wheel.stat().st_size / 1e3:.0f} "
              f"sdist_kb={sdist.stat().st_size / 1e3:.0f}")  # fmt: skip
        for extra in args.installs:
            result = install(wheel, extra, Path(tmp))
            print(result.line(), flush=True)
            if extra == "base" and result.size_mb >= BASE_LIMIT_MB:
                print(f"  base is over {BASE_LIMIT_MB:.0f} MB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
