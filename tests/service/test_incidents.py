"""Incidents over HTTP: post, retry, list, clear; roles; hostile input; audit; the streams.

The plan is SMALL_PLAN (support.py): colour guard 1.5 m/s from 10:00:00, a 300 m
route to the tribune, 600 m to the release.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from paradeops.service.control import service, stream
from paradeops.service.users.service import add_user

from .conftest import PASSWORD, Clock, login
from .support import MSK, checkin, upload


def incident(code: str = "breakdown", unit: str | None = "colour-guard", **extra: Any) -> dict:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "code": code,
        "text": "The drum cart lost a wheel",
    }
    if unit is not None:
        body["unit"] = unit
    return {**body, **extra}


def at(hh_mm_ss: str) -> str:
    h, m, s = (int(x) for x in hh_mm_ss.split(":"))
    return dt.datetime(2025, 5, 9, h, m, s, tzinfo=MSK).isoformat()


@pytest.fixture
def plan(client: TestClient, org: dict[str, str], clock: Clock) -> int:
    clock.at = dt.datetime(2025, 5, 9, 10, 2, tzinfo=MSK)
    return upload(client, org)


def test_post_retry_list_clear(client: TestClient, org: dict[str, str], plan: int) -> None:
    body = incident(at=at("10:01:40"), at_m=150.0)
    r = client.post(f"/api/plans/{plan}/incidents", json=body, headers=org)
    assert r.status_code == 201, r.text
    posted = r.json()
    assert posted["id"] == body["id"] and posted["recorded_by"] == "org"
    assert posted["cleared"] is None and posted["at_m"] == 150.0
    # The queue sends it again (its answer was lost): the same, stored once.
    again = client.post(f"/api/plans/{plan}/incidents", json=body, headers=org)
    assert again.status_code == 200 and again.json() == posted
    # The same instant written with another offset is the same incident.
    utc = {**body, "at": "2025-05-09T07:01:40+00:00"}
    assert client.post(f"/api/plans/{plan}/incidents", json=utc, headers=org).status_code == 200
    other = {**body, "code": "medical"}
    r = client.post(f"/api/plans/{plan}/incidents", json=other, headers=org)
    assert r.status_code == 409 and body["id"] in r.json()["detail"]

    listed = client.get(f"/api/plans/{plan}/incidents", headers=org).json()
    assert listed == [posted]
    r = client.post(f"/api/plans/{plan}/incidents/{body['id']}/clear", headers=org)
    assert r.status_code == 201, r.text
    assert r.json()["cleared"]["cleared_by"] == "org"
    r = client.post(f"/api/plans/{plan}/incidents/{body['id']}/clear", headers=org)
    assert r.status_code == 409 and "cleared already by org" in r.json()["detail"]
    (listed,) = client.get(f"/api/plans/{plan}/incidents", headers=org).json()
    assert listed["cleared"]["cleared_by"] == "org"  # cleared, still listed
    # Every step audited once (the retries added nothing).
    log = client.get("/api/audit", headers=org).json()
    mine = [(e["action"], e["actor"]) for e in log if e["target"] == body["id"]]
    assert sorted(mine) == [("incident.clear", "org"), ("incident.post", "org")]
    # Without `at` it began when the service received it (its clock says 10:02).
    r = client.post(f"/api/plans/{plan}/incidents", json=incident(unit=None), headers=org)
    assert r.status_code == 201, r.text
    assert dt.datetime.fromisoformat(r.json()["at"]) == dt.datetime(2025, 5, 9, 10, 2, tzinfo=MSK)


def test_roles(
    app: Any,
    client: TestClient,
    org: dict[str, str],
    mar: dict[str, str],
    view: dict[str, str],
    plan: int,
) -> None:
    # A marshal assigned a checkpoint of the plan posts and clears their own.
    mine = incident(code="medical")
    assert client.post(f"/api/plans/{plan}/incidents", json=mine, headers=mar).status_code == 201
    theirs = incident(code="crowd", unit=None)
    assert client.post(f"/api/plans/{plan}/incidents", json=theirs, headers=org).status_code == 201
    r = client.post(f"/api/plans/{plan}/incidents/{theirs['id']}/clear", headers=mar)
    assert r.status_code == 403 and "ask an organiser" in r.json()["detail"]
    r = client.post(f"/api/plans/{plan}/incidents/{mine['id']}/clear", headers=mar)
    assert r.status_code == 201 and r.json()["cleared"]["cleared_by"] == "mar"
    # Viewers read, never write.
    assert len(client.get(f"/api/plans/{plan}/incidents", headers=view).json()) == 2
    r = client.post(f"/api/plans/{plan}/incidents", json=incident(), headers=view)
    assert r.status_code == 403
    r = client.post(f"/api/plans/{plan}/incidents/{theirs['id']}/clear", headers=view)
    assert r.status_code == 403
    # The organiser clears anyone's.
    r = client.post(f"/api/plans/{plan}/incidents/{theirs['id']}/clear", headers=org)
    assert r.status_code == 201
    # Nobody signed in: 401.
    assert client.get(f"/api/plans/{plan}/incidents").status_code == 401
    assert client.post(f"/api/plans/{plan}/incidents", json=incident()).status_code == 401
    # A marshal with no checkpoint in this plan posts nothing in it.
    with app.state.ctx.db.writing() as s:
        add_user(s, name="other", role="marshal", password=PASSWORD, now=dt.datetime.now(dt.UTC))
    other = login(client, "other")
    r = client.post(f"/api/plans/{plan}/incidents", json=incident(), headers=other)
    assert r.status_code == 403 and "not assigned to a checkpoint of plan" in r.json()["detail"]


BAD = [
    ({"code": "fire"}, "code"),
    ({"text": ""}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "x" * 501}, "text"),
    ({"text": "two\nlines"}, "text"),
    ({"text": "escape \x1b[31m red"}, "text"),
    ({"text": "bidi \u202e override"}, "text"),
    ({"text": "line\u2028separator"}, "text"),
    ({"unit": "no-such-unit"}, "unit"),
    ({"unit": "../etc"}, "unit"),
    ({"at_m": -1.0}, "at_m"),
    ({"at_m": 600.5}, "at_m"),
    ({"at_m": "near the stand"}, "at_m"),
    ({"at": 1746770400}, "at"),
    ({"at": "2025-05-09T10:00:00"}, "at"),
    ({"id": "short"}, "id"),
    ({"colour": "red"}, "colour"),
]


def test_hostile_input_is_refused_naming_the_field(
    client: TestClient, org: dict[str, str], plan: int
) -> None:
    url = f"/api/plans/{plan}/incidents"
    for change, field in BAD:
        r = client.post(url, json={**incident(), **change}, headers=org)
        assert r.status_code == 422, (change, r.text)
        assert [e["loc"][-1] for e in r.json()["detail"]] == [field], change
    # The time out of the plan's window, or later than the service's clock (10:02)
    # by more than a phone's clock may be off: 400, saying which.
    for when, says in [
        ("2025-05-12T10:00:00+03:00", "check-in window"),
        ("2025-05-09T10:08:00+03:00", "later than now"),
    ]:
        r = client.post(url, json=incident(at=when), headers=org)
        assert r.status_code == 400 and says in r.json()["detail"], r.text
    assert client.get(url, headers=org).json() == []  # none of them stored
    # At its limit, in any script: taken.
    body = incident(text="Поломка " + "я" * 492)  # 500 characters
    assert client.post(url, json=body, headers=org).status_code == 201
    assert client.post("/api/plans/999/incidents", json=incident(), headers=org).status_code == 404
    assert client.get("/api/plans/999/incidents", headers=org).status_code == 404
    assert client.post(f"{url}/nosuchincident/clear", headers=org).status_code == 404


def test_the_tables_are_append_only(
    app: Any, client: TestClient, org: dict[str, str], plan: int
) -> None:
    body = incident()
    client.post(f"/api/plans/{plan}/incidents", json=body, headers=org)
    client.post(f"/api/plans/{plan}/incidents/{body['id']}/clear", headers=org)
    for sql in (
        "UPDATE incidents SET text = 'nothing happened'",
        "DELETE FROM incidents",
        "DELETE FROM incident_clears",
    ):
        with pytest.raises(DBAPIError, match="append-only"), app.state.ctx.db.writing() as s:
            s.execute(text(sql))


def test_the_streams_show_it_and_the_unit_is_held(
    app: Any, client: TestClient, org: dict[str, str], plan: int
) -> None:
    # The colour guard stepped off at 10:00:00 (1.5 m/s) and broke down at 10:01:20,
    # 120 m on; a breakdown is expected to last 600 s, so it stands there until 10:11:20,
    # then walks the 180 m to the tribune in 120 s: 10:13:20, 600 s later than planned
    # (10:03:20). The service's clock says 10:02:00. Nearest checkpoint: Start (120 m
    # from it, the tribune 180 m).
    r = client.post(
        f"/api/plans/{plan}/checkins",
        json=checkin("colour-guard", "start", "head", "10:00:00"),
        headers=org,
    )
    assert r.status_code == 201, r.text
    body = incident(at="2025-05-09T07:01:20+00:00")  # the phone's clock on UTC
    assert client.post(f"/api/plans/{plan}/incidents", json=body, headers=org).status_code == 201
    status = client.get(f"/api/plans/{plan}/status", headers=org).json()
    guard = next(u for u in status["units"] if u["id"] == "colour-guard")
    assert guard["delay_s"] == pytest.approx(600.0)
    tribune = next(a for a in guard["ahead"] if a["checkpoint"] == "tribune")
    assert dt.datetime.fromisoformat(tribune["head"]) == dt.datetime(
        2025, 5, 9, 10, 13, 20, tzinfo=MSK
    )

    ctx = app.state.ctx
    with ctx.db.sessions() as s:
        snap = service.snapshot(ctx, s, plan)
    control = stream.control_document(snap, {})["incidents"]
    announcer = stream.announcer_document(snap, {})["incidents"]
    assert client.get(f"/api/plans/{plan}/live", headers=org).json()["incidents"] == control
    shown = control[body["id"]]
    began = dt.datetime.fromisoformat(shown["at"])  # on the parade's clock, not the phone's
    assert began == dt.datetime(2025, 5, 9, 10, 1, 20, tzinfo=MSK)
    assert began.utcoffset() == dt.timedelta(hours=3)
    assert shown["unit_name"] == "Colour guard" and shown["place"] == "Start"
    assert dt.datetime.fromisoformat(shown["expected_until"]) == dt.datetime(
        2025, 5, 9, 10, 11, 20, tzinfo=MSK
    )
    assert announcer[body["id"]]["line"] == (
        "The parade is paused: Colour guard has broken down near Start; it will resume shortly."
    )
    # Cleared: gone from both documents, and the unit walks on from where it stood.
    client.post(f"/api/plans/{plan}/incidents/{body['id']}/clear", headers=org)
    with ctx.db.sessions() as s:
        snap = service.snapshot(ctx, s, plan)
    assert stream.control_document(snap, {})["incidents"] == {}
    assert stream.announcer_document(snap, {})["incidents"] == {}
    guard = next(u for u in service.status(snap).units if u.id == "colour-guard")
    # Cleared at 10:02:00 having stood since 10:01:20 (40 s): tribune at 10:04:00.
    assert guard.delay_s == pytest.approx(40.0)


def test_without_at_the_service_clock_must_be_on_the_parade_day(
    client: TestClient, org: dict[str, str], plan: int, clock: Clock
) -> None:
    # No `at`: the incident began when received; a service clock a year after the
    # parade (a server left running, no replay clock) is outside the window too.
    url = f"/api/plans/{plan}/incidents"
    assert client.post(url, json=incident(), headers=org).status_code == 201
    clock.at = dt.datetime(2026, 5, 9, 10, 2, tzinfo=MSK)
    org = login(client, "org")  # the sign-in of a year ago has ended
    r = client.post(url, json=incident(), headers=org)
    assert r.status_code == 400 and "check-in window" in r.json()["detail"], r.text
