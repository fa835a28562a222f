"""The lock files and the extras table agree with pyproject.toml.

requirements.lock pins the runtime (every extra but dev), requirements-dev.lock
everything; the dev lock holds the runtime lock's pins unchanged, so a dev
venv is a runtime venv plus tools. src/paradeops/extras.py names, for each
library of an extra, the extra a user must install.
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from paradeops.extras import EXTRA_OF_MODULE
from tests.packaging.conftest import ROOT, pyproject

RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
RUNTIME_EXTRAS = ("charts", "sim", "protocol", "seating", "service", "print", "optimise")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    """``name==version`` lines of a uv lock file (comments and 'via' lines left out)."""
    found: dict[str, str] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in " #":
            continue
        name, sep, version = line.partition("==")
        assert sep, f"{lock.name}: not a pin: {line!r}"
        found[normalise(name)] = version.split(";")[0].strip()
    return found


def pulled_in_by(lock: Path) -> dict[str, set[str]]:
    """For each pin, what uv says needs it (its '# via' lines)."""
    result: dict[str, set[str]] = {}
    current = ""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and line[0] not in " #":
            current = normalise(line.partition("==")[0])
            result[current] = set()
        elif current and line.startswith("    #"):
            words = line.lstrip(" #").split()
            if words[:1] == ["via"]:
                words = words[1:]
            if words:
                result[current].add(words[0])
    return result


def declared(group: str | None) -> list[Requirement]:
    """The requirements of the base (None) or of one extra, other extras of ParadeOps expanded."""
    project = pyproject()["project"]
    texts = project["dependencies"] if group is None else project["optional-dependencies"][group]
    result: list[Requirement] = []
    for text in texts:
        req = Requirement(text)
        if normalise(req.name) == "paradeops":
            for inner in sorted(req.extras):
                result.extend(declared(inner))
        else:
            result.append(req)
    return result


def with_their_extras(reqs: list[Requirement]) -> list[Requirement]:
    """``reqs`` and what their own extras add (uvicorn[standard] → uvloop, …), where installed."""
    result = list(reqs)
    for req in reqs:
        for extra in req.extras:
            try:
                theirs = importlib.metadata.requires(req.name) or []
            except importlib.metadata.PackageNotFoundError:
                continue
            for text in theirs:
                inner = Requirement(text)
                if inner.marker is not None and inner.marker.evaluate({"extra": extra}):
                    result.append(inner)
    return result


def unpinned(reqs: list[Requirement], lock: Path) -> list[str]:
    """Requirements of ``reqs`` missing from ``lock`` or pinned outside their range."""
    pinned = pins(lock)
    wrong = []
    for req in with_their_extras(reqs):
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue  # not for this platform (e.g. uvloop on Windows)
        version = pinned.get(normalise(req.name))
        if version is None or not req.specifier.contains(version, prereleases=True):
            wrong.append(f"{req} (locked: {version})")
    return wrong


@pytest.mark.parametrize("group", [None, *RUNTIME_EXTRAS, "all"])
def test_runtime_lock_pins_the_base_and_every_runtime_extra(group: str | None) -> None:
    assert unpinned(declared(group), RUNTIME_LOCK) == []


@pytest.mark.parametrize("group", [None, *RUNTIME_EXTRAS, "all", "dev"])
def test_dev_lock_pins_everything(group: str | None) -> None:
    assert unpinned(declared(group), DEV_LOCK) == []


def test_dev_lock_holds_the_runtime_lock_unchanged() -> None:
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_runtime_lock_has_no_dev_tools() -> None:
    """A dev tool is in the runtime lock only when a runtime library needs it (pandas: OR-Tools)."""
    needs = pulled_in_by(RUNTIME_LOCK)
    all_runtime = {normalise(r.name) for r in declared("all")}
    dev_only = {normalise(r.name) for r in declared("dev")} - all_runtime
    assert "pytest" in dev_only and "eclipse-sumo" in dev_only
    for name in sorted(dev_only & set(needs)):
        assert needs[name] and "paradeops" not in needs[name], f"{name}: {needs[name]}"


def test_all_is_every_runtime_extra() -> None:
    every = {str(r) for extra in RUNTIME_EXTRAS for r in declared(extra)}
    assert {str(r) for r in declared("all")} == every


def test_seating_brings_the_protocol_libraries() -> None:
    seating = {normalise(r.name) for r in declared("seating")}
    assert {"ortools", "pycountry", "pyuca", "openpyxl"} <= seating


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_lock_says_how_it_was_made_and_names_no_outside_file(lock: Path) -> None:
    header = lock.read_text(encoding="utf-8").splitlines()[:2]
    command = header[1].lstrip("# ").split()
    assert command[:4] == ["uv", "pip", "compile", "pyproject.toml"]
    assert command[command.index("-o") + 1] == lock.name
    assert ("dev" in command) == (lock == DEV_LOCK)
    text = lock.read_text(encoding="utf-8")
    assert "-c " not in text and "/tmp" not in text and "/work" not in text


# --- the extras table of src/paradeops/extras.py ---------------------------------


@functools.cache
def modules_by_distribution() -> dict[str, frozenset[str]]:
    """Importable top-level names each installed distribution brings (this venv has them all)."""
    found: dict[str, set[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        if not module.startswith("_"):
            for dist in dists:
                found.setdefault(normalise(dist), set()).add(module)
    return {dist: frozenset(modules) for dist, modules in found.items()}


def top_level_modules(distribution: str) -> frozenset[str]:
    return modules_by_distribution().get(normalise(distribution), frozenset())


def test_every_extra_in_the_table_exists() -> None:
    extras = set(pyproject()["project"]["optional-dependencies"])
    assert set(EXTRA_OF_MODULE.values()) <= extras


@pytest.mark.parametrize("extra", RUNTIME_EXTRAS)
def test_every_library_of_an_extra_is_in_the_table(extra: str) -> None:
    """A missing library's message must name the extra that declares it."""
    own = [
        r for r in pyproject()["project"]["optional-dependencies"][extra] if "paradeops" not in r
    ]
    missing = []
    for text in own:
        name = Requirement(text).name
        modules = top_level_modules(name)
        assert modules, f"{name} is not installed in the test venv"
        # A library two extras declare (OR-Tools: seating, optimise) is named
        # by one of them; a command needing the other says so itself.
        if not any(named_extra_declares(m, name) for m in modules):
            missing.append(f"{name} (modules {sorted(modules)})")
    assert missing == []


def named_extra_declares(module: str, distribution: str) -> bool:
    """Whether the extra the table names for ``module`` declares ``distribution``."""
    extra = EXTRA_OF_MODULE.get(module)
    return extra is not None and any(
        normalise(r.name) == normalise(distribution) for r in declared(extra)
    )


def test_no_base_library_is_said_to_need_an_extra() -> None:
    base = {m for r in declared(None) for m in top_level_modules(r.name)}
    assert sorted(base & set(EXTRA_OF_MODULE)) == []
