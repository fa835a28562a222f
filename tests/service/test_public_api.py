"""The public tracker's API: the organiser's switch, snapshot, ETAs, route, stream; 404s; privacy.

The plan is SMALL_PLAN (support.py): colour guard (3 ranks 1.4 m apart, the last 0.5 m deep: 3.3 m long) at 1.5 m/s from
10:00:00, then the band and the tanks; a 300 m route to the tribune, 600 m to
the release. The service's clock is set by each test (a replayed day).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from paradeops.service.public import flags
from paradeops.service.public.document import public_stream_document
from paradeops.service.users.models import AuditEntry

from .conftest import Clock
from .support import MSK, YAML, checkin, upload

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025" / "guests.yaml"
PUBLIC = {"public": True, "incidents": True}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: nothing here differs on PostgreSQL (test_public_stream.py runs both)."""
    return str(tmp_path / "paradeops.sqlite")


def make_public(client: TestClient, org: dict[str, str], plan_id: int, **body: bool) -> None:
    r = client.put(f"/api/plans/{plan_id}/public", json={**PUBLIC, **body}, headers=org)
    assert r.status_code == 200, r.text


def public_paths(plan_id: int) -> list[str]:
    base = f"/api/public/plans/{plan_id}"
    return [f"{base}/snapshot", f"{base}/eta?checkpoint=tribune", f"{base}/route", f"{base}/events"]


def test_a_plan_not_public_is_not_found_like_a_missing_one(
    client: TestClient, org: dict[str, str]
) -> None:
    plan_id = upload(client, org)
    for path in public_paths(plan_id):
        private, missing = client.get(path), client.get(path.replace(f"/{plan_id}/", "/999/"))
        assert private.status_code == missing.status_code == 404, path
        assert private.json()["detail"] == f"no public plan {plan_id}"
        assert missing.json()["detail"] == "no public plan 999"
    make_public(client, org, plan_id)
    assert client.get(public_paths(plan_id)[0]).status_code == 200
    make_public(client, org, plan_id, public=False)  # private again: at once in this worker
    assert client.get(public_paths(plan_id)[0]).status_code == 404


def test_only_organisers_switch_it_and_it_is_audited(
    client: TestClient, org: dict[str, str], mar: dict[str, str], view: dict[str, str]
) -> None:
    plan_id = upload(client, org)
    for who in (mar, view):
        assert (
            client.put(f"/api/plans/{plan_id}/public", json=PUBLIC, headers=who).status_code == 403
        )
    assert client.put(f"/api/plans/{plan_id}/public", json=PUBLIC).status_code == 401
    assert client.put("/api/plans/999/public", json=PUBLIC, headers=org).status_code == 404
    bad = client.put(f"/api/plans/{plan_id}/public", json={"public": "yes"}, headers=org)
    assert bad.status_code == 422
    make_public(client, org, plan_id, incidents=False)
    r = client.get(f"/api/plans/{plan_id}/public", headers=view)
    assert r.json() | {"updated_at": None} == {
        "plan": plan_id,
        "public": True,
        "incidents": False,
        "updated_at": None,
        "updated_by": "org",
    }
    db = client.app.state.ctx.db  # type: ignore[attr-defined]
    with db.sessions() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "plan.public")).one()
    assert (entry.actor, entry.target) == ("org", str(plan_id))


def test_snapshot_states_places_etag_and_no_personal_data(
    client: TestClient, org: dict[str, str], mar: dict[str, str], clock: Clock
) -> None:
    plan_id = upload(client, org)
    assert client.post(
        "/api/guestbooks", content=GUESTS.read_text(), headers={**org, **YAML}
    ).status_code in (200, 201)
    make_public(client, org, plan_id)
    # 10:01:40: the colour guard stepped off at 10:00:00 (seen), 1.5 m/s: its head at
    # 150 m, its tail 3.3 m behind. The band (planned to follow) has not been seen at
    # the start, which reports: it is waiting.
    clock.at = dt.datetime(2025, 5, 9, 10, 1, 40, tzinfo=MSK)
    assert client.post(
        f"/api/plans/{plan_id}/checkins",
        json=checkin("colour-guard", "start", "head", "10:00:00"),
        headers=mar,
    ).status_code in (200, 201)
    incident = {
        "id": str(uuid.uuid4()),
        "code": "medical",
        "text": "Pvt Ivanov fainted, ambulance called",
        "unit": "colour-guard",
    }
    assert (
        client.post(f"/api/plans/{plan_id}/incidents", json=incident, headers=mar).status_code
        == 201
    )
    r = client.get(f"/api/public/plans/{plan_id}/snapshot")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=5"
    doc = r.json()
    guard = doc["units"]["colour-guard"]
    assert guard["state"] == "on_route"
    assert guard["head_at_m"] == pytest.approx(150.0) and guard["tail_at_m"] == pytest.approx(146.7)
    assert doc["units"]["band"]["state"] == "waiting" and "head_at_m" not in doc["units"]["band"]
    assert doc["head_at_m"] == pytest.approx(150.0) and doc["tail_at_m"] == 0.0  # others wait
    assert doc["updated"] == "2025-05-09T10:01:40+03:00"
    (shown,) = doc["incidents"].values()
    assert shown["code"] == "medical" and "medical care" in shown["text"]
    # Nobody's name: not the marshal's, not what the marshal typed, no guest.
    text = r.text
    book = yaml.safe_load(GUESTS.read_text())
    guest_names = [g["name"] for g in book["guests"]]
    assert len(guest_names) > 10
    assert '"mar"' not in text  # the marshal's user name, as any JSON value
    for secret in ["Ivanov", "ambulance", "recorded_by", *guest_names]:
        assert secret not in text, secret
    etag = r.headers["etag"]
    again = client.get(f"/api/public/plans/{plan_id}/snapshot", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    # Incidents unpublished: none shown (within the flags' cache, at once in this worker).
    make_public(client, org, plan_id, incidents=False)
    assert "incidents" not in client.get(f"/api/public/plans/{plan_id}/snapshot").json()


def test_eta_at_a_checkpoint_and_a_place(
    client: TestClient, org: dict[str, str], mar: dict[str, str], clock: Clock
) -> None:
    plan_id = upload(client, org)
    make_public(client, org, plan_id)
    clock.at = dt.datetime(2025, 5, 9, 10, 1, 40, tzinfo=MSK)
    client.post(
        f"/api/plans/{plan_id}/checkins",
        json=checkin("colour-guard", "start", "head", "10:00:00"),
        headers=mar,
    )
    r = client.get(f"/api/public/plans/{plan_id}/eta", params={"checkpoint": "start"})
    assert r.status_code == 200, r.text
    e = r.json()
    assert e["parade"]["head"] == {"actual": "2025-05-09T10:00:00+03:00"}  # as seen
    guard = next(u for u in e["units"] if u["id"] == "colour-guard")
    assert guard["head"] == {"actual": "2025-05-09T10:00:00+03:00"}
    # At the tribune (300 m): the guard, at 150 m now at 1.5 m/s and with its own speed
    # factor (normal, sd 3 %) for the 150 m left, arrives about 100 s on: 10:03:20.
    r = client.get(f"/api/public/plans/{plan_id}/eta", params={"at_m": 300})
    head = next(u for u in r.json()["units"] if u["id"] == "colour-guard")["head"]
    p10, p50, p90 = (dt.datetime.fromisoformat(head[k]) for k in ("p10", "p50", "p90"))
    assert p10 <= p50 <= p90
    assert abs((p50 - dt.datetime(2025, 5, 9, 10, 3, 20, tzinfo=MSK)).total_seconds()) < 3
    assert r.json()["runs"] >= 100 and r.headers["cache-control"] == "public, max-age=5"


#: Each must be a 422: none, both, NaN, infinities, negative, beyond the route's
#: 600 m, not a number, an unknown checkpoint, an id longer than any.
HOSTILE: list[dict[str, str] | list[tuple[str, str]]] = [
    {},
    [("checkpoint", "start"), ("checkpoint", "tribune")],  # which one? (outside tester)
    [("at_m", "10"), ("at_m", "20")],
    {"checkpoint": "tribune", "at_m": "10"},
    {"at_m": "NaN"},
    {"at_m": "inf"},
    {"at_m": "-1"},
    {"at_m": "1e400"},
    {"at_m": "601"},
    {"at_m": "ten"},
    {"checkpoint": "nowhere"},
    {"checkpoint": "x" * 65},
]


def test_hostile_queries_are_422(client: TestClient, org: dict[str, str]) -> None:
    plan_id = upload(client, org)
    make_public(client, org, plan_id)
    for query in HOSTILE:
        r = client.get(f"/api/public/plans/{plan_id}/eta", params=query)
        assert r.status_code == 422, (query, r.text)
        assert r.json()["detail"], query


def test_route_without_geometry_is_a_straight_line(client: TestClient, org: dict[str, str]) -> None:
    plan_id = upload(client, org)
    make_public(client, org, plan_id)
    route = client.get(f"/api/public/plans/{plan_id}/route").json()
    assert route["geometry"] is False and route["length_m"] == 600
    # 600 m east along the equator: 600 / 111,320 m per degree.
    assert route["line"] == [[0.0, 0.0], [pytest.approx(0.0053899), 0.0]]
    tribune = next(c for c in route["checkpoints"] if c["id"] == "tribune")
    assert tribune["lonlat"] == [pytest.approx(0.0026949), 0.0] and tribune["reviewing"]


def test_the_stream_document_follows_the_published_flag(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    plan_id = upload(client, org)
    make_public(client, org, plan_id, incidents=False)
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    incident = {"id": str(uuid.uuid4()), "code": "crowd", "text": "Fans on the road", "at_m": 200}
    assert (
        client.post(f"/api/plans/{plan_id}/incidents", json=incident, headers=mar).status_code
        == 201
    )
    from paradeops.service.control import service

    with ctx.db.sessions() as s:
        snap = service.snapshot(ctx, s, plan_id)
    assert "incidents" not in public_stream_document(snap, {"ctx": ctx})
    make_public(client, org, plan_id, incidents=True)
    shown = public_stream_document(snap, {"ctx": ctx})["incidents"]
    assert [i["code"] for i in shown.values()] == ["crowd"]
    assert "Fans" not in str(shown)
    flags.forget(ctx, plan_id)
