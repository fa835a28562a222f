"""The check-in fast path (checkins/fast.py) answers exactly as the FastAPI route does."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from .support import checkin, upload


def _post(client: TestClient, pid: int, body: dict, headers: dict[str, str], fast: bool):  # type: ignore[no-untyped-def]
    # The fast path takes only application/json; FastAPI reads any "+json" type too.
    kind = "application/json" if fast else "application/x-checkin+json"
    return client.post(
        f"/api/plans/{pid}/checkins",
        content=json.dumps(body),
        headers={**headers, "Content-Type": kind},
    )


def test_fast_path_and_route_agree(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    pid = upload(client, org)
    for fast in (True, False):
        c = checkin("band", "start", "head", "10:00:20")
        first = _post(client, pid, c, mar, fast)
        assert first.status_code == 201, (fast, first.text)
        assert first.headers["content-type"] == "application/json"
        row = first.json()
        assert row["recorded_by"] == "mar" and row["id"] == c["id"] and row["at"] == c["at"]
        again = _post(client, pid, c, mar, not fast)  # a retry may take the other path
        assert again.status_code == 200 and again.json() == row
        other = _post(client, pid, dict(c, part="tail"), mar, fast)
        assert other.status_code == 409
        assert other.json() == {
            "detail": f"check-in {c['id']} is already stored with different values"
        }
        unknown = _post(client, pid, checkin("nobody", "start", "head", "10:00:20"), org, fast)
        assert unknown.status_code == 400 and "nobody" in unknown.json()["detail"]
        missing = _post(client, 999, checkin("band", "start", "head", "10:00:20"), org, fast)
        assert missing.status_code == 404 and missing.json() == {"detail": "no plan 999"}
        elsewhere = _post(client, pid, checkin("band", "tribune", "head", "10:04:00"), mar, fast)
        assert elsewhere.status_code == 403
        bad = _post(client, pid, dict(c, part="middle"), mar, fast)
        assert bad.status_code == 422
    stored = client.get(f"/api/plans/{pid}/checkins", headers=org).json()
    assert len(stored) == 2
    audit = client.get("/api/audit", headers=org).json()
    assert sum(a["action"] == "checkin.add" for a in audit) == 2
