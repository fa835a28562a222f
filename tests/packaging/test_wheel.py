"""The wheel alone, with the base dependencies only, plans and times a parade.

``python -m build`` makes the sdist and builds the wheel from it (so the sdist
is complete too); the wheel goes into a fresh venv with no extra. The shipped
examples are copied out of the repository first, and the commands run in that
copy with no PYTHONPATH, so nothing of the checkout can help. Commands whose
extra is missing must say which one to install, with exit code 2.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import paradeops
from tests.packaging.conftest import ROOT, bench_install

pytestmark = pytest.mark.slow

#: Libraries of the extras: none may be in the base install.
EXTRA_LIBRARIES = (
    "matplotlib",
    "numba",
    "ortools",
    "pycountry",
    "fastapi",
    "sqlalchemy",
    "typst",
    "segno",
)


def run(install: Any, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PARADEOPS_"))}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [str(install.paradeops), *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Victory Day example copied out of the repository (its plan names ../equipment.yaml)."""
    copy = tmp_path_factory.mktemp("outside") / "examples"
    shutil.copytree(ROOT / "examples" / "victory-day-2025", copy / "victory-day-2025")
    shutil.copy2(ROOT / "examples" / "equipment.yaml", copy / "equipment.yaml")
    return copy


def package_files(dists: tuple[Path, Path]) -> set[str]:
    """Every file of src/paradeops a wheel must carry, as paths inside the wheel.

    Taken from the copy the wheel was built from: the checkout may change meanwhile.
    """
    src = bench_install.copied_sources(dists[0].parents[1]) / "src"
    return {
        p.relative_to(src).as_posix()
        for p in (src / "paradeops").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


def test_wheel_holds_every_file_of_the_package(dists: tuple[Path, Path]) -> None:
    """Python modules and what the program reads: migrations, pages, schemas, py.typed."""
    with zipfile.ZipFile(dists[0]) as wheel:
        inside = {n for n in wheel.namelist() if n.startswith("paradeops/")}
    expected = package_files(dists)
    assert {
        "paradeops/py.typed",
        "paradeops/store/migrations/script.py.mako",
        "paradeops/reports/schedule_schema.json",
        "paradeops/service/pages/templates/base.html",
    } <= expected
    assert sorted(expected - inside) == []


def test_sdist_holds_the_sources_and_the_licence(dists: tuple[Path, Path]) -> None:
    with tarfile.open(dists[1]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "LICENSE"} <= names
    assert sorted({f"src/{f}" for f in package_files(dists)} - names) == []


def test_version_is_the_package_version(base_install: Any, tmp_path: Path) -> None:
    got = run(base_install, "--version", cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    assert paradeops.__version__ in got.stdout
    assert (
        bench_install.site_packages(base_install.venv)
        .joinpath(f"paradeops-{paradeops.__version__}.dist-info")
        .is_dir()
    )


def test_program_runs_from_the_venv_not_the_checkout(base_install: Any, tmp_path: Path) -> None:
    python = base_install.venv / "bin" / "python"
    got = subprocess.run(
        [str(python), "-c", "import paradeops; print(paradeops.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True, env={"PATH": os.defpath},
    )  # fmt: skip
    assert Path(got.stdout.strip()).is_relative_to(base_install.venv)


def test_base_install_has_no_extra(base_install: Any) -> None:
    packages = bench_install.site_packages(base_install.venv)
    assert [lib for lib in EXTRA_LIBRARIES if (packages / lib).exists()] == []


def test_base_install_is_under_150_mb(base_install: Any) -> None:
    """Measured by bench_install: site-packages without pip and setuptools."""
    assert base_install.size_mb < bench_install.BASE_LIMIT_MB, base_install.line()


def test_validate_the_shipped_plan(base_install: Any, examples: Path) -> None:
    got = run(base_install, "validate", "victory-day-2025/plan.yaml", cwd=examples)
    assert got.returncode == 0, got.stderr
    assert "Traceback" not in got.stderr


def test_schedule_the_shipped_plan(base_install: Any, examples: Path) -> None:
    """The colour guard steps off at the parade's start, at 120 steps/min of 0.75 m."""
    got = run(
        base_install, "schedule", "victory-day-2025/plan.yaml", "--format", "json", cwd=examples
    )
    assert got.returncode == 0, got.stderr
    first = json.loads(got.stdout)["units"][0]
    assert first["id"] == "colour-guard"
    assert first["step_off"] == "2025-05-09T10:00:00+03:00"  # parade.start, Moscow time
    assert first["speed_kmh"] == pytest.approx(120 * 0.75 * 60 / 1000)  # 5.4 km/h = 1.5 m/s
    at_start = first["passes"][0]
    assert at_start["checkpoint"] == "start"
    tail_after_head = datetime.fromisoformat(at_start["tail"]) - datetime.fromisoformat(
        at_start["head"]
    )
    assert tail_after_head.total_seconds() == pytest.approx(first["length_m"] / 1.5, abs=0.05)
    table = run(base_install, "schedule", "victory-day-2025/plan.yaml", cwd=examples)
    assert table.returncode == 0, table.stderr
    assert "colour-guard" in table.stdout


#: Commands of the extras, with the extra their message must name.
NEEDS_AN_EXTRA = [
    pytest.param("sim", ["simulate", "victory-day-2025/plan.yaml", "--runs", "2"], id="simulate"),
    pytest.param(
        "charts",
        ["graph", "victory-day-2025/plan.yaml", "-o", "graph.png"],
        id="graph",
    ),
    pytest.param(
        "seating",
        ["seat", "victory-day-2025/guests.yaml", "victory-day-2025/tribunes.yaml"],
        id="seat",
    ),
    pytest.param(
        "service", ["serve", "--database", "sqlite:///never.db", "--port", "1"], id="serve"
    ),
    pytest.param(
        "print",
        ["print", "victory-day-2025/plan.yaml", "--what", "all", "-o", "papers.pdf"],
        id="print",
    ),
]


@pytest.mark.parametrize(("extra", "args"), NEEDS_AN_EXTRA)
def test_command_without_its_extra_names_it(
    base_install: Any, examples: Path, extra: str, args: list[str]
) -> None:
    before = set(examples.rglob("*"))
    got = run(base_install, *args, cwd=examples)
    assert got.returncode == 2, got.stderr
    assert f"paradeops[{extra}]" in got.stderr
    assert "Traceback" not in got.stderr
    assert set(examples.rglob("*")) == before  # nothing written, no database created
