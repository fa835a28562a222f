"""Who may do what: no session no access; marshals at their checkpoints; viewers read only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .support import SMALL_PLAN, YAML, checkin, upload


def test_no_session_no_access(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    for method, path in [
        ("GET", "/api/plans"),
        ("GET", f"/api/plans/{pid}/status"),
        ("GET", f"/api/plans/{pid}/checkins"),
        ("GET", f"/api/plans/{pid}/live"),
        ("GET", f"/api/plans/{pid}/events"),
        ("GET", "/api/audit"),
        ("GET", "/api/me"),
        ("POST", f"/api/plans/{pid}/checkins"),
        ("POST", "/api/plans"),
        ("PUT", f"/api/plans/{pid}"),
    ]:
        r = client.request(method, path)
        assert r.status_code == 401, (method, path, r.status_code)
        forged = client.request(method, path, headers={"Authorization": "Bearer x.y"})
        assert forged.status_code == 401, (method, path)
    assert (
        client.post("/api/token", data={"username": "org", "password": "nope"}).status_code == 401
    )


def test_marshal_only_at_assigned_checkpoints(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    pid = upload(client, org)
    ok = client.post(
        f"/api/plans/{pid}/checkins", json=checkin("band", "start", "head", "10:00:20"), headers=mar
    )
    assert ok.status_code == 201 and ok.json()["recorded_by"] == "mar"
    elsewhere = checkin("band", "tribune", "head", "10:04:00")
    assert client.post(f"/api/plans/{pid}/checkins", json=elsewhere, headers=mar).status_code == 403
    assert client.post("/api/plans", content=SMALL_PLAN, headers={**mar, **YAML}).status_code == 403
    assert client.get("/api/audit", headers=mar).status_code == 403
    assert client.get(f"/api/plans/{pid}/status", headers=mar).status_code == 200


def test_viewer_reads_only(client: TestClient, org: dict[str, str], view: dict[str, str]) -> None:
    pid = upload(client, org)
    c = checkin("band", "start", "head", "10:00:20")
    assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=view).status_code == 403
    assert (
        client.put(f"/api/plans/{pid}", content=SMALL_PLAN, headers={**view, **YAML}).status_code
        == 403
    )
    assert client.get(f"/api/plans/{pid}/status", headers=view).status_code == 200
    assert client.get(f"/api/plans/{pid}/checkins", headers=view).json() == []
