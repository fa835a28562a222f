"""A badge key file the service cannot use: the 503 says why, the log says how to fix it.

The tester's finding: with the key file at mode 644 on the server, every scan
answered 503 "the service has no badge key", and the log said only "error
answer", while the command line says ``chmod 600``. The answer now says the
file is unusable and why (never its path or any of the key), and a WARNING
line gives the operator the path and the fix.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paradeops.service.guests.badges import badge_key_path
from paradeops.service.users.service import add_user

from .conftest import PASSWORD, login
from .test_badges import KEY, SCAN, token
from .test_guests import upload_book


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the key is read from a file, whatever the database."""
    return str(tmp_path / "paradeops.sqlite")


@pytest.fixture
def steward(app, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("PARADEOPS_BADGE_KEY", raising=False)  # the file is the key
    with app.state.ctx.db.writing() as s:
        add_user(s, name="stew", role="steward", password=PASSWORD, now=app.state.ctx.now())
    return login(client, "stew")


def test_a_key_file_others_may_read_is_named_unusable_and_logged(
    app, client: TestClient, org: dict[str, str], steward: dict[str, str],  # type: ignore[no-untyped-def]
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    upload_book(client, org)
    key_file = badge_key_path(app.state.ctx.settings)
    key_file.write_text(KEY.hex() + "\n")
    key_file.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        r = client.post(SCAN, json={"token": token("ushakov")}, headers=steward)
    assert r.status_code == 503, r.text
    detail = r.json()["detail"]
    assert detail == (
        "the service's badge key is unusable: the badge key file may be read by others "
        "(mode 644); its operator fixes it (the service's log says how)"
    )
    assert str(key_file) not in detail and KEY.hex() not in r.text
    warnings = [
        x for x in caplog.records if x.levelno == logging.WARNING and "badge" in x.getMessage()
    ]
    assert len(warnings) == 1, [x.getMessage() for x in caplog.records]
    line = warnings[0].getMessage()
    assert f"chmod 600 {key_file}" in line and "mode 644" in line and KEY.hex() not in line
    # Fixed as the log says: the same badge admits its guest.
    key_file.chmod(0o600)
    r = client.post(SCAN, json={"token": token("ushakov")}, headers=steward)
    assert r.status_code == 200 and r.json()["outcome"] == "admitted", r.text


def test_a_key_file_that_is_not_a_key_says_so_without_its_content(
    app, client: TestClient, org: dict[str, str], steward: dict[str, str],  # type: ignore[no-untyped-def]
) -> None:  # fmt: skip
    upload_book(client, org)
    key_file = badge_key_path(app.state.ctx.settings)
    key_file.write_text("abcd1234\n")  # 4 bytes: too short to be a key
    key_file.chmod(0o600)
    r = client.post(SCAN, json={"token": token("ushakov")}, headers=steward)
    assert r.status_code == 503, r.text
    detail = r.json()["detail"]
    assert detail.startswith("the service's badge key is unusable: the badge key file: not a key")
    assert "abcd1234" not in detail and str(key_file) not in detail


def test_no_key_at_all_is_still_said_as_before(
    client: TestClient, org: dict[str, str], steward: dict[str, str]
) -> None:
    upload_book(client, org)
    r = client.post(SCAN, json={"token": token("ushakov")}, headers=steward)
    assert r.status_code == 503 and "has no badge key" in r.json()["detail"], r.text
