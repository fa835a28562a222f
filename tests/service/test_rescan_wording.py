"""A re-scan's answer as the service gives it, and as docs/security.md says it.

The tester's finding: docs/security.md promised "already admitted at HH:MM
(UTC±hh:mm)", while the service, whose clock is UTC, answers "already admitted
at 07:05 (UTC)". The service is right (an offset of zero is said as UTC); the
doc now says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paradeops.service.users.service import add_user

from .conftest import PASSWORD, Clock, login
from .test_badges import KEY, SCAN, token
from .test_guests import upload_book

SECURITY = Path(__file__).parents[2] / "docs" / "security.md"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the wording does not depend on the database."""
    return str(tmp_path / "paradeops.sqlite")


@pytest.fixture
def steward(app, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PARADEOPS_BADGE_KEY", KEY.hex())
    with app.state.ctx.db.writing() as s:
        add_user(s, name="stew", role="steward", password=PASSWORD, now=app.state.ctx.now())
    return login(client, "stew")


def test_a_rescan_on_the_services_utc_clock_says_utc(
    client: TestClient, org: dict[str, str], steward: dict[str, str], clock: Clock
) -> None:
    upload_book(client, org)
    # 10:05 in Moscow, as the service's own clock gives it: in UTC.
    clock.at = dt.datetime(2025, 5, 9, 7, 5, 30, tzinfo=dt.UTC)
    assert client.post(SCAN, json={"token": token("ushakov")}, headers=steward).status_code == 200
    again = client.post(SCAN, json={"token": token("ushakov")}, headers=steward)
    assert again.status_code == 200, again.text
    assert again.json()["detail"] == "already admitted at 07:05 (UTC)"
    doc = " ".join(SECURITY.read_text(encoding="utf-8").split())
    assert '"already admitted at HH:MM (UTC)"' in doc
    assert '"already admitted at 07:05 (UTC)"' in doc
    assert "already admitted at HH:MM (UTC±hh:mm)" not in doc
