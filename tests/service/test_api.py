"""The API contract, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from .conftest import Clock
from .support import MSK, SMALL_PLAN, YAML, checkin, upload


def test_plan_revisions_and_diff(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    changed = SMALL_PLAN.replace("speed_kmh: 10", "speed_kmh: 8").replace(
        "  - id: band\n", "  - id: band-2\n"
    )
    r = client.put(f"/api/plans/{pid}", content=changed, headers={**org, **YAML})
    assert r.status_code == 201 and r.json() == {"id": pid, "revision": 2}
    revs = client.get(f"/api/plans/{pid}/revisions", headers=org).json()
    assert [x["revision"] for x in revs] == [1, 2]
    d = client.get(f"/api/plans/{pid}/diff", params={"from": 1, "to": 2}, headers=org).json()
    assert d["added"] == ["band-2"] and d["removed"] == ["band"]
    assert any(c["unit"] == "tanks" and c["delta_s"] > 0 for c in d["times_changed"])
    # The JSON form of a plan is accepted too.
    r = client.post("/api/plans", json={"not": "a plan"}, headers=org)
    assert r.status_code == 400 and "plan.json" in r.json()["detail"]
    listing = client.get("/api/plans", headers=org).json()
    assert [p["revision"] for p in listing] == [2]
    sched = client.get(f"/api/plans/{pid}/schedule", headers=org).json()
    assert sched["revision"] == 2 and sched["units"][0]["id"] == "colour-guard"


def test_checkin_is_idempotent(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    c = checkin("colour-guard", "start", "head", "10:00:05")
    first = client.post(f"/api/plans/{pid}/checkins", json=c, headers=org)
    assert first.status_code == 201, first.text
    again = client.post(f"/api/plans/{pid}/checkins", json=c, headers=org)
    assert again.status_code == 200 and again.json() == first.json()
    # The same instant written with another offset is the same check-in.
    utc = dict(c, at=dt.datetime.fromisoformat(c["at"]).astimezone(dt.UTC).isoformat())
    assert client.post(f"/api/plans/{pid}/checkins", json=utc, headers=org).status_code == 200
    other = dict(c, part="tail")
    r = client.post(f"/api/plans/{pid}/checkins", json=other, headers=org)
    assert r.status_code == 409
    stored = client.get(f"/api/plans/{pid}/checkins", headers=org).json()
    assert [x["id"] for x in stored] == [c["id"]]
    bad = checkin("no-such-unit", "start", "head", "10:00:05")
    assert client.post(f"/api/plans/{pid}/checkins", json=bad, headers=org).status_code == 400
    assert (
        client.post(
            "/api/plans/999/checkins",
            json=checkin("band", "start", "head", "10:00:00"),
            headers=org,
        ).status_code
        == 404
    )
    audit = client.get("/api/audit", headers=org).json()
    assert {"plan.create", "checkin.add"} <= {a["action"] for a in audit}
    assert all(a["actor"] == "org" for a in audit if a["action"] == "checkin.add")


def test_status_projects_from_actuals(
    client: TestClient, org: dict[str, str], clock: Clock
) -> None:
    pid = upload(client, org)
    clock.at = dt.datetime(2025, 5, 9, 10, 4, 50, tzinfo=MSK)
    # The colour guard passes the tribune 90 s late (planned 10:03:20).
    for c in (
        checkin("colour-guard", "start", "head", "10:00:00"),
        checkin("colour-guard", "tribune", "head", "10:04:50"),
    ):
        assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=org).status_code == 201
    st = client.get(f"/api/plans/{pid}/status", headers=org).json()
    units = {u["id"]: u for u in st["units"]}
    cg = units["colour-guard"]
    assert cg["delay_s"] == 90.0
    # Its head is past the tribune, its tail not yet; then the release point.
    tribune, release = cg["ahead"]
    assert tribune["checkpoint"] == "tribune" and tribune["head"] is None and tribune["tail"]
    assert release["head"] == "2025-05-09T10:08:10+03:00"
    assert cg["last"] == {
        "checkpoint": "tribune",
        "part": "head",
        "at": "2025-05-09T10:04:50+03:00",
    }
    assert {a["kind"] for a in st["alerts"]} >= {"late"}
    script = client.get(f"/api/plans/{pid}/announcer", headers=org).json()
    assert [s["unit"] for s in script][0] == "colour-guard" and script[0]["observed"]


def test_live_document_and_pages(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    doc = client.get(f"/api/plans/{pid}/live", headers=org).json()
    assert doc["graph"]["units"][0]["planned"] and doc["script"]
    assert client.get("/", follow_redirects=False).status_code == 303
    r = client.post(
        "/login",
        data={"username": "org", "password": "correct-horse-battery"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    for path in (
        "/",
        f"/plans/{pid}",
        f"/plans/{pid}/control",
        f"/plans/{pid}/marshal",
        f"/plans/{pid}/announcer",
        "/sw.js",
        "/static/control.js",
    ):
        assert client.get(path).status_code == 200, path


def test_made_up_plan_ids_leave_no_trace(app, client: TestClient, org: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    # Asking for plans that do not exist must not make the server remember them
    # (a crawler walking ids would grow its memory without end).
    for plan_id in (999_999, 123_456_789):
        for path in ("live", "status", "announcer"):
            assert client.get(f"/api/plans/{plan_id}/{path}", headers=org).status_code == 404
        assert not app.state.ctx.broadcaster.knows(plan_id)
