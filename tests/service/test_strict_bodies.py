"""Request bodies take JSON's own types: no text read as a number, no 1 or "yes" as true.

The tester's finding: pydantic's lax mode took ``"seconds": "60"`` and
``"seconds": true`` (a 1 s hold) for an order, and ``{"public": "yes",
"incidents": 1}`` for the public switch. Each is now a 422 naming the field,
worded as the others ("must be a number", "must be true or false"). And a
hold is whole seconds from 1 to 1800, as the message for a missing one says:
``0.0001`` was taken.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import Clock
from .support import MSK, upload


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: validation happens before the database is reached."""
    return str(tmp_path / "paradeops.sqlite")


@pytest.fixture
def plan(client: TestClient, org: dict[str, str], clock: Clock) -> int:
    clock.at = dt.datetime(2025, 5, 9, 9, 58, tzinfo=MSK)  # before the step-off
    return upload(client, org)


def order(seconds: Any) -> dict[str, Any]:
    return {"unit": "band", "checkpoint": "start", "action": "hold", "seconds": seconds}


def only_error(r: Any) -> dict[str, Any]:
    assert r.status_code == 422, r.text
    (error,) = r.json()["detail"]
    return dict(error)


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        ("60", "must be a number"),
        (True, "must be a number"),
        (False, "must be a number"),
        (0.0001, "must be 1 or more"),
        (0.5, "must be 1 or more"),
        (60.5, "must be a whole number of seconds, 1 to 1800"),
        (1800.5, "must be at most 1800"),
    ],
)
def test_order_seconds_must_be_whole_seconds_as_a_json_number(
    client: TestClient, org: dict[str, str], plan: int, seconds: Any, message: str
) -> None:
    r = client.post(f"/api/plans/{plan}/orders", json=order(seconds), headers=org)
    error = only_error(r)
    assert error["loc"] == ["body", "seconds"] and error["msg"] == message, error


@pytest.mark.parametrize("seconds", [1, 60, 60.0, 1800])
def test_order_seconds_in_range_are_taken(
    client: TestClient, org: dict[str, str], plan: int, seconds: Any
) -> None:
    r = client.post(f"/api/plans/{plan}/orders", json=order(seconds), headers=org)
    assert r.status_code == 201, r.text
    assert r.json()["seconds"] == float(seconds)


def test_a_hold_without_seconds_says_the_same_rule(
    client: TestClient, org: dict[str, str], plan: int
) -> None:
    r = client.post(f"/api/plans/{plan}/orders", json=order(None), headers=org)
    assert r.status_code == 422, r.text
    assert "a whole number from 1 to 1800" in r.text


@pytest.mark.parametrize(
    "body",
    [
        {"public": "yes", "incidents": True},
        {"public": True, "incidents": 1},
        {"public": 0, "incidents": False},
        {"public": "true", "incidents": "false"},
    ],
)
def test_public_switch_takes_only_true_or_false(
    client: TestClient, org: dict[str, str], plan: int, body: dict[str, Any]
) -> None:
    r = client.put(f"/api/plans/{plan}/public", json=body, headers=org)
    assert r.status_code == 422, r.text
    wrong = {k for k, v in body.items() if not isinstance(v, bool)}
    errors = r.json()["detail"]
    assert {e["loc"][-1] for e in errors} == wrong
    assert {e["msg"] for e in errors} == {"must be true or false"}
    # Nothing was switched: the plan is still private.
    assert client.get(f"/api/public/plans/{plan}").status_code == 404


@pytest.mark.parametrize("at_m", ["150", True])
def test_incident_place_must_be_a_json_number(
    client: TestClient, org: dict[str, str], plan: int, at_m: Any
) -> None:
    body = {"id": str(uuid.uuid4()), "code": "breakdown", "text": "A wheel", "at_m": at_m}
    error = only_error(client.post(f"/api/plans/{plan}/incidents", json=body, headers=org))
    assert error["loc"] == ["body", "at_m"] and error["msg"] == "must be a number", error
