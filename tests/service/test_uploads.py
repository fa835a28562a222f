"""Bad uploads get a 4xx with exactly the message ``paradeops validate`` prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .support import SMALL_PLAN, YAML

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


_CLI = """
import contextlib, io, json, os, sys
from paradeops.cli import main
out = {}
for folder in sys.argv[1:]:
    os.chdir(folder)
    sys.argv = ["paradeops", "validate", "plan.yaml"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.suppress(SystemExit):
        main()
    out[folder] = err.getvalue()
print(json.dumps(out))
"""


def cli_messages(tmp_path: Path, files: dict[str, bytes]) -> dict[str, str]:
    """What ``paradeops validate plan.yaml`` prints for each file, run in its own folder.

    One interpreter for all of them: starting the CLI costs seconds.
    """
    folders = {}
    for key, data in files.items():
        folder = tmp_path / "cli" / key
        folder.mkdir(parents=True)
        (folder / "plan.yaml").write_bytes(data)
        folders[key] = str(folder)
    r = subprocess.run(
        [sys.executable, "-c", _CLI, *folders.values()],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "COLUMNS": "1000", "NO_COLOR": "1", "TERM": "dumb"},
    )
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    out = {}
    for key, folder in folders.items():
        assert printed[folder].startswith("error: "), printed[folder]
        out[key] = printed[folder][len("error: ") :].rstrip("\n")
    return out


BAD: dict[str, bytes] = {
    "malformed": SMALL_PLAN.replace('  start: "10:00:00"', "  start: [oops").encode(),
    "invalid": SMALL_PLAN.replace("ranks: 3", "ranks: -3")
    .replace("speed_kmh: 10", "speed_kmh: fast")
    .encode(),
    "empty": b"",
}
BAD["not-utf8"] = SMALL_PLAN.encode().replace(b"Colour guard", b"Colour \xff guard")


def test_bad_plans_get_the_cli_message(
    client: TestClient, org: dict[str, str], tmp_path: Path
) -> None:
    expected = cli_messages(tmp_path, BAD)
    for case, data in BAD.items():
        r = client.post(
            "/api/plans", content=data, params={"filename": "plan.yaml"}, headers={**org, **YAML}
        )
        assert r.status_code == 400, (case, r.text)
        assert r.json()["detail"] == expected[case], case


def test_an_upload_over_the_limit_is_refused(client: TestClient, org: dict[str, str]) -> None:
    # Over the service's default limit (10 MB), which is also the CLI's; the body
    # limit refuses it before the upload route reads it.
    huge = b"# padding\n" * 1_100_000 + SMALL_PLAN.encode()
    r = client.post("/api/plans", content=huge, headers={**org, **YAML})
    assert r.status_code == 413
    assert "10 MB" in r.json()["detail"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Uploads are checked before any database is touched: SQLite is enough here."""
    return str(tmp_path / "paradeops.sqlite")


def test_geometry_outside_the_upload_is_never_read(client: TestClient, org: dict[str, str]) -> None:
    # The CLI reads ../ paths relative to the plan; the service reads no path at all.
    data = SMALL_PLAN.replace("route:\n", "route:\n  geometry: ../../../etc/passwd\n")
    r = client.post("/api/plans", content=data, headers={**org, **YAML})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert "route.geometry: the geometry '../../../etc/passwd' was not uploaded" in detail
    assert "field `geometry`" in detail


GEO_PLAN = """\
version: 1
parade: {name: Red Square, date: 2025-05-09, timezone: Europe/Moscow, start: "10:00:00"}
route:
  geometry: route.geojson
  checkpoints:
    - {id: start, lon: 37.6127, lat: 55.7574}
    - {id: tribune, lon: 37.62014, lat: 55.75397, reviewing: true}
    - {id: release, lon: 37.62443, lat: 55.75075}
units:
  - {id: colours, kind: foot, ranks: 3, files: 3, cadence_spm: 120, pace_m: 0.75}
"""


def test_plan_with_its_geometry_as_a_form(client: TestClient, org: dict[str, str]) -> None:
    geometry = (EXAMPLES / "victory-day-2025" / "route.geojson").read_bytes()
    files = {
        "plan": ("plan.yaml", GEO_PLAN.encode(), "application/yaml"),
        "geometry": ("route.geojson", geometry, "application/geo+json"),
    }
    r = client.post("/api/plans", files=files, headers=org)
    assert r.status_code == 201, r.text
    sched = client.get(f"/api/plans/{r.json()['id']}/schedule", headers=org).json()
    assert 600 < sched["checkpoints"][1]["at_m"] < 660  # placed on the route by lon/lat
    alone = client.post("/api/plans", files={"plan": files["plan"]}, headers=org)
    assert alone.status_code == 400 and "route.geojson" in alone.json()["detail"]


def test_a_client_file_name_never_reaches_the_disk_unsafely() -> None:
    from paradeops.service.plans.upload import safe_name

    assert safe_name("../../etc/passwd", "plan.yaml") == "passwd"
    assert safe_name("C:\\plans\\day.yaml", "plan.yaml") == "day.yaml"
    assert safe_name("bad\x00name.yaml", "plan.yaml") == "plan.yaml"
    assert safe_name("tab\tname.yaml", "plan.yaml") == "plan.yaml"
    assert safe_name("..", "plan.yaml") == "plan.yaml"
    assert safe_name(None, "guests.yaml") == "guests.yaml"


def test_guest_book_upload_with_a_nul_in_its_name_is_not_a_500(
    client: TestClient, org: dict[str, str]
) -> None:
    r = client.post(
        "/api/guestbooks",
        params={"filename": "a\x00b.yaml"},
        content=b"not: [valid",
        headers={**org, "Content-Type": "application/yaml"},
    )
    assert 400 <= r.status_code < 500
