"""The public page's shell, its Content-Security-Policy, the tile setting; the ranges' timing."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paradeops.service.public import page, ranges

from .conftest import Clock
from .support import MSK, checkin, upload


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: nothing here differs on PostgreSQL (test_public_stream.py runs both)."""
    return str(tmp_path / "paradeops.sqlite")


def test_public_page_needs_no_sign_in_and_has_its_own_policy(client: TestClient) -> None:
    r = client.get("/public/1", follow_redirects=False)
    assert r.status_code == 200 and 'data-plan="1"' in r.text
    csp = r.headers["content-security-policy"]
    assert "worker-src 'self' blob:" in csp and "img-src 'self' data: blob:" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "connect-src" not in csp  # default-src 'self'
    # Every other page keeps the strict one.
    assert "blob:" not in client.get("/login").headers["content-security-policy"]
    for bad in ("/public/0", "/public/x", "/public/%ff", "/public/99999999999"):
        assert client.get(bad).status_code == 404, bad  # as every page with no valid id


@pytest.mark.parametrize(
    "value",
    [
        "http://tiles.example.org/{z}/{x}/{y}.png",  # not https
        "https://tiles.example.org/tile.png",  # no {z}/{x}/{y}
        "https://tiles.example.org/{z}/{x}/{y}.png; script-src *",  # smuggling a directive
        "https://a.example.org/{z}/{x}/{y}.png 'unsafe-inline'",
        "",
    ],
)
def test_unusable_tile_settings_are_ignored(value: str) -> None:
    assert page.tile_url(value) is None


def test_a_tile_host_is_allowed_for_images_and_fetches_only(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(page.TILES_VARIABLE, "https://tiles.example.org/{z}/{x}/{y}.png")
    r = client.get("/public/3")
    csp = r.headers["content-security-policy"]
    assert "img-src 'self' https://tiles.example.org data: blob:" in csp
    assert "connect-src 'self' https://tiles.example.org" in csp
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in r.text


def test_ranges_are_reused_then_made_again_in_the_background(
    client: TestClient,
    org: dict[str, str],
    mar: dict[str, str],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ranges, "MIN_INTERVAL_S", 0.0)  # remake whenever something happened
    plan_id = upload(client, org)
    r = client.put(
        f"/api/plans/{plan_id}/public", json={"public": True, "incidents": False}, headers=org
    )
    assert r.status_code == 200
    url = f"/api/public/plans/{plan_id}/eta?checkpoint=tribune"
    clock.at = dt.datetime(2025, 5, 9, 10, 0, 10, tzinfo=MSK)
    first = client.get(url).json()["computed"]
    assert first == "2025-05-09T10:00:10+03:00"
    assert client.get(url).json()["computed"] == first  # nothing happened: the same runs
    clock.at = dt.datetime(2025, 5, 9, 10, 0, 20, tzinfo=MSK)
    r = client.post(
        f"/api/plans/{plan_id}/checkins",
        json=checkin("colour-guard", "start", "head", "10:00:05"),
        headers=mar,
    )
    assert r.status_code in (200, 201)
    # A check-in: the asker gets the runs at hand at once, new ones are made meanwhile.
    assert client.get(url).json()["computed"] == first
    deadline = time.monotonic() + 10
    while client.get(url).json()["computed"] == first:
        assert time.monotonic() < deadline, "the ranges were never made again"
        time.sleep(0.05)
    assert client.get(url).json()["computed"] == "2025-05-09T10:00:20+03:00"


def test_etas_that_cannot_be_made_are_a_503_not_a_500(
    client: TestClient, org: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(snap: object) -> None:
        raise RuntimeError("the ranges process died")

    monkeypatch.setattr(ranges, "made_elsewhere", broken)
    plan_id = upload(client, org)
    r = client.put(
        f"/api/plans/{plan_id}/public", json={"public": True, "incidents": False}, headers=org
    )
    assert r.status_code == 200
    r = client.get(f"/api/public/plans/{plan_id}/eta?at_m=10")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert "try again" in r.json()["detail"]
