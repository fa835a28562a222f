"""Finding 1 of issue 9: the service read files named inside an uploaded plan.

An organiser's plan with ``route.geometry`` and ``equipment:
../../../../etc/shadow`` (or any absolute path) made the server read that
file, echo its lines in the 400 ("root:*:…: unknown field"), and tell whether
any path existed. Pointed at the service's own SQLite file, the open and
close dropped SQLite's locks, and acknowledged check-ins were later lost.

Now the files a plan names travel in the upload, or (a catalogue) come from
the operator's catalogue folder by a plain file name; nothing else is read.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.service.support import SMALL_PLAN, YAML

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
VICTORY = EXAMPLES / "victory-day-2025"
#: What a leak would show: the content of the file the plan names.
SECRET = "root:$6$SECRET-HASH:19000:0:99999:7:::"


def with_refs(geometry: str | None = None, equipment: str | None = None) -> str:
    text = SMALL_PLAN
    if geometry is not None:
        text = text.replace("route:\n", f"route:\n  geometry: {geometry}\n")
    if equipment is not None:
        text = text.replace("units:\n", f"equipment: {equipment}\nunits:\n")
    return text


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside anything the service may read, like /etc/shadow."""
    folder = tmp_path / "etc"
    folder.mkdir()
    path = folder / "shadow"
    path.write_text(SECRET + "\n")
    return path


@pytest.fixture
def catalogues(app: FastAPI, tmp_path: Path) -> Path:
    """The operator's catalogue folder (``serve --catalogue-dir``) with the example catalogue."""
    folder = tmp_path / "catalogues"
    folder.mkdir()
    shutil.copy(EXAMPLES / "equipment.yaml", folder / "equipment.yaml")
    ctx = app.state.ctx
    ctx.settings = dataclasses.replace(ctx.settings, catalogue_dir=folder)
    return folder


def post(client: TestClient, headers: dict[str, str], text: str) -> tuple[int, str]:
    r = client.post("/api/plans", content=text, headers={**headers, **YAML})
    return r.status_code, str(r.json().get("detail", ""))


def test_paths_named_in_a_plan_are_never_read(
    client: TestClient, org: dict[str, str], secret: Path
) -> None:
    climb = "../" * 20 + str(secret).lstrip("/")
    for ref in (str(secret), climb):
        for text, field in (
            (with_refs(equipment=ref), "equipment"),
            (with_refs(geometry=ref), "route.geometry"),
            (with_refs(geometry="route.geojson", equipment=ref), "equipment"),
        ):
            status, detail = post(client, org, text)
            assert status == 400, detail
            assert f": {field}: " in detail, detail  # the message names the field
            assert "SECRET" not in detail and "root:" not in detail, detail


def test_an_existing_and_a_missing_path_get_the_same_answer(
    client: TestClient, org: dict[str, str], secret: Path
) -> None:
    missing = secret.with_name("no-such-file")

    def as_catalogue(ref: str) -> str:
        return with_refs(equipment=ref)

    def as_geometry(ref: str) -> str:
        return with_refs(geometry=ref)

    def climbing(ref: str) -> str:
        return with_refs(equipment="../" * 20 + ref.lstrip("/"))

    for make in (as_catalogue, as_geometry, climbing):
        there = post(client, org, make(str(secret)))
        absent = post(client, org, make(str(missing)))
        assert there[0] == absent[0] == 400
        assert there[1].replace("shadow", "X") == absent[1].replace("no-such-file", "X")


def test_a_link_out_of_the_catalogue_folder_is_refused_like_a_missing_catalogue(
    client: TestClient, org: dict[str, str], catalogues: Path, secret: Path
) -> None:
    (catalogues / "leak.yaml").symlink_to(secret)
    (catalogues / "up.yaml").symlink_to(Path("..") / "etc" / "shadow")
    answers = {
        name: post(client, org, with_refs(equipment=name))
        for name in ("leak.yaml", "up.yaml", "gone.yaml")
    }
    for name, (status, detail) in answers.items():
        assert status == 400
        assert f"equipment: the service has no catalogue named '{name}'" in detail
        assert "SECRET" not in detail and str(secret) not in detail
    assert len({d.replace(n, "X") for n, (_, d) in answers.items()}) == 1


def test_victory_day_uploads_with_its_geometry_and_catalogue(
    client: TestClient, org: dict[str, str]
) -> None:
    # The plan names `route.geojson` and `../equipment.yaml`: both are satisfied by the form.
    files = {
        "plan": ("plan.yaml", (VICTORY / "plan.yaml").read_bytes(), "application/yaml"),
        "geometry": ("route.geojson", (VICTORY / "route.geojson").read_bytes(), "application/json"),
        "equipment": ("equipment.yaml", (EXAMPLES / "equipment.yaml").read_bytes(), "text/yaml"),
    }
    r = client.post("/api/plans", files=files, headers=org)
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    # The stored revision loads again, with its catalogue, from the database alone.
    client.app.state.ctx.schedules.clear()  # type: ignore[attr-defined]
    sched = client.get(f"/api/plans/{plan_id}/schedule", headers=org)
    assert sched.status_code == 200, sched.text
    without = {k: v for k, v in files.items() if k != "equipment"}
    r = client.post("/api/plans", files=without, headers=org)
    assert r.status_code == 400
    assert "equipment: '../equipment.yaml' is not the plain file name" in r.json()["detail"]


def test_a_catalogue_of_the_operators_folder_is_stored_with_the_revision(
    client: TestClient, org: dict[str, str], catalogues: Path
) -> None:
    plan = (VICTORY / "plan.yaml").read_text().replace(
        "equipment: ../equipment.yaml", "equipment: equipment.yaml"
    )
    files = {
        "plan": ("plan.yaml", plan.encode(), "application/yaml"),
        "geometry": ("route.geojson", (VICTORY / "route.geojson").read_bytes(), "application/json"),
    }
    r = client.post("/api/plans", files=files, headers=org)
    assert r.status_code == 201, r.text
    (catalogues / "equipment.yaml").unlink()  # the folder changes; the revision does not
    client.app.state.ctx.schedules.clear()  # type: ignore[attr-defined]
    sched = client.get(f"/api/plans/{r.json()['id']}/schedule", headers=org)
    assert sched.status_code == 200, sched.text


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path this process opens from Python while the test runs (an audit hook)."""
    seen: list[str] = []
    active = [True]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if active[0] and event == "open" and isinstance(args[0], str | bytes | Path):
            seen.append(str(args[0]))

    sys.addaudithook(hook)  # hooks cannot be removed: this one is switched off instead
    yield seen
    active[0] = False


def test_a_plan_naming_the_services_own_database_never_opens_it(
    client: TestClient, org: dict[str, str], database_url: str, app: FastAPI, opened: list[str]
) -> None:
    if "://" in database_url:
        pytest.skip("the finding is about the SQLite file")
    database = Path(database_url)
    # The worst an operator could do: the catalogue folder is the database's own.
    ctx = app.state.ctx
    ctx.settings = dataclasses.replace(ctx.settings, catalogue_dir=database.parent)
    (database.parent / "db.yaml").symlink_to(database)
    (database.parent / "wal.yaml").symlink_to(f"{database}-wal")
    refs = [
        database.name,
        str(database),
        "../" * 20 + str(database).lstrip("/"),
        f"{database.name}-wal",
        "db.yaml",
        "wal.yaml",
    ]
    opened.clear()
    for ref in refs:
        for text in (with_refs(equipment=ref), with_refs(geometry=ref)):
            status, detail = post(client, org, text)
            assert status == 400, detail
    touched = [p for p in opened if Path(p).name.startswith(database.name) or "db.yaml" in p]
    assert touched == []
