"""Orders over HTTP: issue, retry, the state machine, roles, hostile input, audit,
append-only storage, and an issued hold in the projection.

The plan is SMALL_PLAN (support.py): the colour guard steps off at 10:00:00 at
1.5 m/s; the band (10.3 m) when the guard's head is 3.3 + 20 m on, at
23.3 / 1.5 = 15.53 s; the tanks behind it. Only ``start`` is before the tribune
(the reviewing stand at 300 m): the one control point. ``mar`` is assigned it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from paradeops.service.control import service, stream
from paradeops.service.users.service import add_user

from .conftest import PASSWORD, Clock, login
from .support import MSK, upload


def order(**extra: Any) -> dict[str, Any]:
    return {"unit": "band", "checkpoint": "start", "action": "hold", "seconds": 120, **extra}


def step_id() -> dict[str, str]:
    return {"id": str(uuid.uuid4())}


@pytest.fixture
def plan(client: TestClient, org: dict[str, str], clock: Clock) -> int:
    clock.at = dt.datetime(2025, 5, 9, 9, 58, tzinfo=MSK)  # before the step-off
    return upload(client, org)


def test_issue_retry_the_steps_in_order_audit_append_only(
    app: Any, client: TestClient, org: dict[str, str], mar: dict[str, str], plan: int
) -> None:
    url = f"/api/plans/{plan}/orders"
    body = order(id=str(uuid.uuid4()))
    r = client.post(url, json=body, headers=org)
    assert r.status_code == 201, r.text
    issued = r.json()
    assert (issued["state"], issued["issued_by"], issued["steps"]) == ("issued", "org", [])
    assert client.post(url, json=body, headers=org).json() == issued  # a retry: the same
    r = client.post(url, json={**body, "seconds": 60}, headers=org)
    assert r.status_code == 409 and body["id"] in r.json()["detail"]
    oid = body["id"]

    # Out of order: not acknowledged before confirmed, not executed before acknowledged.
    assert client.post(f"{url}/{oid}/ack", json=step_id(), headers=mar).status_code == 409
    r = client.post(f"{url}/{oid}/execute", json=step_id(), headers=mar)
    assert r.status_code == 409 and "must be acknowledged" in r.json()["detail"]
    seen = step_id()
    r = client.post(f"{url}/{oid}/confirm", json=seen, headers=mar)
    assert r.status_code == 201 and r.json()["state"] == "confirmed"
    # The offline queue sends the same tap again: harmless, the same answer.
    again = client.post(f"{url}/{oid}/confirm", json=seen, headers=mar)
    assert again.status_code == 200 and again.json() == r.json()
    # A second tap (another id) on a step done: refused, naming who did it.
    r = client.post(f"{url}/{oid}/confirm", json=step_id(), headers=mar)
    assert r.status_code == 409 and "confirmed already by mar" in r.json()["detail"]
    # A step id reused for another step is not a retry.
    assert client.post(f"{url}/{oid}/ack", json=seen, headers=mar).status_code == 409
    assert client.post(f"{url}/{oid}/ack", json=step_id(), headers=mar).status_code == 201
    done = {"id": str(uuid.uuid4()), "at": "2025-05-09T09:57:30+03:00"}
    r = client.post(f"{url}/{oid}/execute", json=done, headers=mar)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["state"] == "executed"
    assert [s["step"] for s in out["steps"]] == ["confirmed", "acknowledged", "executed"]
    assert dt.datetime.fromisoformat(out["steps"][2]["at"]) == dt.datetime(
        2025, 5, 9, 9, 57, 30, tzinfo=MSK
    )

    listed = client.get(url, headers=org).json()
    assert [o["id"] for o in listed["issued"]] == [oid]
    assert listed["issued"][0]["state"] == "executed"
    assert isinstance(listed["recommended"], list)
    # Every step audited once; the retries added nothing.
    log = client.get("/api/audit", headers=org).json()
    details = [(e["action"], json.loads(e["detail"] or "{}")) for e in log]
    mine = sorted(a for a, d in details if d.get("order") == oid)
    assert mine == ["order.acknowledged", "order.confirmed", "order.executed"]
    assert [e["action"] for e in log if e["target"] == oid] == ["order.issue"]
    # Stored for good: neither changed nor removed, even by hand.
    for sql in (
        "UPDATE orders SET seconds = 1",
        "DELETE FROM orders",
        "UPDATE order_steps SET step = 'executed'",
        "DELETE FROM order_steps",
    ):
        with pytest.raises(DBAPIError, match="append-only"), app.state.ctx.db.writing() as s:
            s.execute(text(sql))


def test_roles(
    app: Any,
    client: TestClient,
    org: dict[str, str],
    mar: dict[str, str],
    view: dict[str, str],
    plan: int,
) -> None:
    url = f"/api/plans/{plan}/orders"
    for who in (mar, view):
        r = client.post(url, json=order(), headers=who)
        assert r.status_code == 403 and "only organisers" in r.json()["detail"]
    oid = client.post(url, json=order(), headers=org).json()["id"]
    assert client.get(url, headers=view).status_code == 200
    assert client.post(f"{url}/{oid}/confirm", json=step_id(), headers=view).status_code == 403
    with app.state.ctx.db.writing() as s:
        add_user(s, name="other", role="marshal", password=PASSWORD, now=dt.datetime.now(dt.UTC))
    r = client.post(f"{url}/{oid}/confirm", json=step_id(), headers=login(client, "other"))
    assert r.status_code == 403 and "not assigned to start" in r.json()["detail"]
    # An organiser may act for the marshal (by radio).
    assert client.post(f"{url}/{oid}/confirm", json=step_id(), headers=org).status_code == 201
    assert client.get(url).status_code == 401


HOSTILE: list[tuple[dict[str, Any], str]] = [
    (order(unit="nobody"), "unit"),
    (order(checkpoint="tribune"), "checkpoint"),  # at the stand: too late to hold
    (order(checkpoint="nowhere"), "checkpoint"),
    (order(seconds=None), "seconds"),
    ({"unit": "band", "checkpoint": "start", "action": "hold"}, "seconds"),
    (order(action="release"), "seconds"),
    (order(seconds=0), "seconds"),
    (order(seconds=1801), "seconds"),
    (order(seconds="NaN"), "seconds"),
    (order(action="stop"), "action"),
    (order(id="short"), "id"),
    (order(unit="x" * 65), "unit"),
    (order(extra=1), "extra"),
]


def test_hostile_orders_and_steps(
    client: TestClient, org: dict[str, str], mar: dict[str, str], plan: int
) -> None:
    for body, field in HOSTILE:
        r = client.post(f"/api/plans/{plan}/orders", json=body, headers=org)
        assert r.status_code == 422, (body, r.text)
        assert any(field in map(str, e["loc"]) for e in r.json()["detail"]), (body, r.json())
    url = f"/api/plans/{plan}/orders"
    oid = client.post(url, json=order(), headers=org).json()["id"]
    for body in ({}, {"id": "x"}, {"id": step_id()["id"], "at": "yesterday"}, [1]):
        r = client.post(f"{url}/{oid}/confirm", json=body, headers=mar)
        assert r.status_code == 422, (body, r.text)
    raw = '{"unit": "band", "checkpoint": "start", "action": "hold", "seconds": 1e309}'
    r = client.post(url, content=raw, headers={**org, "Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    far = {"id": step_id()["id"], "at": "2025-05-10T09:58:00+03:00"}  # a day ahead
    r = client.post(f"{url}/{oid}/confirm", json=far, headers=mar)
    assert r.status_code == 422 and "at" in map(str, r.json()["detail"][0]["loc"])
    assert client.post(f"{url}/nosuchorder/confirm", json=step_id(), headers=mar).status_code == 404
    assert client.post(f"{url}/{oid}/undo", json=step_id(), headers=mar).status_code in (404, 405)
    assert client.post("/api/plans/999/orders", json=order(), headers=org).status_code == 404
    assert client.get("/api/plans/999/orders", headers=org).status_code == 404


def test_an_issued_hold_delays_the_unit_in_the_projection(
    app: Any, client: TestClient, org: dict[str, str], mar: dict[str, str], plan: int
) -> None:
    # Before the step-off (09:58) the band (1.375 m/s) is due at the start at 15.53 s
    # and at the tribune (300 m) at 15.53 + 300 / 1.375 = 15.53 + 218.18 = 233.71 s.
    # Held at the start 120 s by an order not yet done: it stands there until
    # 135.53 s, at the tribune at 353.71 s. Done (executed) at 10:00:30: held until
    # 30 + 120 = 150 s, at the tribune at 368.18 s.
    def band_at_tribune() -> float:
        units = client.get(f"/api/plans/{plan}/status", headers=org).json()["units"]
        band = next(u for u in units if u["id"] == "band")
        at = next(a for a in band["ahead"] if a["checkpoint"] == "tribune")["head"]
        return (
            dt.datetime.fromisoformat(at) - dt.datetime(2025, 5, 9, 10, tzinfo=MSK)
        ).total_seconds()

    assert band_at_tribune() == pytest.approx(233.71, abs=0.1)
    url = f"/api/plans/{plan}/orders"
    oid = client.post(url, json=order(), headers=org).json()["id"]
    assert band_at_tribune() == pytest.approx(353.71, abs=0.1)
    for step in ("confirm", "ack"):
        assert client.post(f"{url}/{oid}/{step}", json=step_id(), headers=mar).status_code == 201
    done = {"id": step_id()["id"], "at": "2025-05-09T10:00:30+03:00"}
    assert client.post(f"{url}/{oid}/execute", json=done, headers=mar).status_code == 201
    assert band_at_tribune() == pytest.approx(368.18, abs=0.1)
    # The control room's stream carries it, executed, keyed by id, without nulls.
    ctx = app.state.ctx
    with ctx.db.sessions() as s:
        doc = stream.control_document(service.snapshot(ctx, s, plan), {})["orders"]
    assert doc["issued"][oid]["state"] == "executed" and "id" not in doc["issued"][oid]
    assert isinstance(doc["recommended"], list)
