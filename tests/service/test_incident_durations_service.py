"""A plan's ``simulation.incident_duration_s`` through the service: control room, `/status`, ETAs.

SMALL_PLAN (support.py): the colour guard steps off at 10:00:00 at 1.5 m/s; the
tribune is 300 m on. It breaks down at 10:01:20, 120 m on; the service's clock
says 10:02:00. The plans here give breakdowns a median of 300 s (the default
is 600 s): it stands until 10:06:20 and walks the 180 m left to the tribune in
120 s: 10:08:20, 300 s late (the planned 10:03:20).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from fastapi.testclient import TestClient

from .conftest import Clock
from .support import MSK, SMALL_PLAN, YAML, checkin, upload

#: Breakdowns: median 300 s, P90 900 s (the control room uses the median only).
LOGNORMAL = SMALL_PLAN + (
    "simulation:\n  incident_duration_s:\n    breakdown: {median_s: 300, p90_s: 900}\n"
)
#: No noise at all, and a breakdown of exactly 300 s: every run the same.
FIXED = SMALL_PLAN + (
    "simulation:\n"
    "  step_off_delay_s: {dist: fixed, value: 0}\n"
    "  speed_factor: {dist: fixed, value: 1}\n"
    "  show_stop_overrun_s: {dist: fixed, value: 0}\n"
    "  incident_duration_s:\n"
    "    breakdown: {median_s: 300, p90_s: 300}\n"
)


def clock_time(hh_mm_ss: str) -> dt.datetime:
    h, m, s = (int(x) for x in hh_mm_ss.split(":"))
    return dt.datetime(2025, 5, 9, h, m, s, tzinfo=MSK)


def broken_down(client: TestClient, org: dict[str, str], clock: Clock, plan_text: str) -> tuple:
    clock.at = clock_time("10:02:00")
    plan = upload(client, org, plan_text)
    r = client.post(
        f"/api/plans/{plan}/checkins",
        json=checkin("colour-guard", "start", "head", "10:00:00"),
        headers=org,
    )
    assert r.status_code == 201, r.text
    body = {
        "id": str(uuid.uuid4()),
        "code": "breakdown",
        "text": "The drum cart lost a wheel",
        "unit": "colour-guard",
        "at": clock_time("10:01:20").isoformat(),
    }
    r = client.post(f"/api/plans/{plan}/incidents", json=body, headers=org)
    assert r.status_code == 201, r.text
    return plan, body["id"]


def test_the_control_room_expects_the_plans_median(
    client: TestClient, org: dict[str, str], clock: Clock
) -> None:
    plan, incident_id = broken_down(client, org, clock, LOGNORMAL)
    status = client.get(f"/api/plans/{plan}/status", headers=org).json()
    guard = next(u for u in status["units"] if u["id"] == "colour-guard")
    assert guard["delay_s"] == pytest.approx(300.0)
    tribune = next(a for a in guard["ahead"] if a["checkpoint"] == "tribune")
    assert dt.datetime.fromisoformat(tribune["head"]) == clock_time("10:08:20")
    # `/status` lists the open incidents as `/live` does (with nulls where `/live` omits).
    shown = status["incidents"][incident_id]
    assert dt.datetime.fromisoformat(shown["expected_until"]) == clock_time("10:06:20")
    assert shown["code"] == "breakdown" and shown["order"] == 0
    live = client.get(f"/api/plans/{plan}/live", headers=org).json()["incidents"]
    assert set(live) == {incident_id}
    assert {k: v for k, v in shown.items() if v is not None} == live[incident_id]
    # Cleared: gone from `/status`.
    client.post(f"/api/plans/{plan}/incidents/{incident_id}/clear", headers=org)
    assert client.get(f"/api/plans/{plan}/status", headers=org).json()["incidents"] == {}


def test_the_public_etas_draw_the_plans_duration(
    client: TestClient, org: dict[str, str], clock: Clock
) -> None:
    plan, _ = broken_down(client, org, clock, FIXED)
    r = client.put(
        f"/api/plans/{plan}/public", json={"public": True, "incidents": True}, headers=org
    )
    assert r.status_code == 200, r.text
    r = client.get(f"/api/public/plans/{plan}/eta", params={"checkpoint": "tribune"})
    assert r.status_code == 200, r.text
    head = next(u for u in r.json()["units"] if u["id"] == "colour-guard")["head"]
    for k in ("p10", "p50", "p90"):  # 10:08:20 in every run (600 s later by default)
        got = dt.datetime.fromisoformat(head[k])
        assert abs((got - clock_time("10:08:20")).total_seconds()) < 1.0, (k, head)


def test_a_plan_with_impossible_durations_is_refused_naming_the_field(
    client: TestClient, org: dict[str, str]
) -> None:
    text = SMALL_PLAN + (
        "simulation:\n  incident_duration_s:\n    medical: {median_s: 600, p90_s: 300}\n"
    )
    r = client.post("/api/plans", content=text, headers={**org, **YAML})
    assert r.status_code == 400, r.text
    detail = str(r.json())
    assert "simulation.incident_duration_s.medical.p90_s" in detail
    assert "at least median_s" in detail
