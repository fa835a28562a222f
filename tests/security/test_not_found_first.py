"""A page or plan that does not exist is a 404 before any question of who asks.

The tester's findings: anonymous ``/plans/%ff/control`` answered 422 (a
validation error ahead of the sign-in check), and a marshal checking in on a
plan 99 that does not exist got 403 (not assigned) rather than 404.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.support import checkin, upload

KINDS = ["application/json", "application/x-checkin+json"]  # the fast path, then the route


@pytest.mark.parametrize("page", ["/plans/%ff/control", "/plans/x/announcer", "/plans/%ff"])
def test_a_page_with_no_valid_id_is_404_for_anyone(
    client: TestClient, org: dict[str, str], page: str
) -> None:
    anonymous = client.get(page, follow_redirects=False)
    assert anonymous.status_code == 404, anonymous.text
    assert client.get(page, headers=org, follow_redirects=False).status_code == 404


def test_anonymous_on_a_real_page_is_sent_to_sign_in(client: TestClient) -> None:
    r = client.get("/plans/1/control", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and "/login" in r.headers["location"]


@pytest.mark.parametrize("ctype", KINDS)
def test_checking_in_on_a_plan_that_does_not_exist_is_404(
    client: TestClient, org: dict[str, str], mar: dict[str, str], ctype: str
) -> None:
    pid = upload(client, org)  # mar is assigned `start` of this plan only
    body = checkin("band", "start", "head", "10:00:00")
    r = client.post("/api/plans/99/checkins", json=body, headers={**mar, "Content-Type": ctype})
    assert r.status_code == 404 and r.json()["detail"] == "no plan 99", r.text
    # A plan that exists, at a checkpoint not assigned: still 403.
    other = checkin("band", "tribune", "head", "10:00:00")
    r = client.post(f"/api/plans/{pid}/checkins", json=other, headers={**mar, "Content-Type": ctype})
    assert r.status_code == 403, r.text
    r = client.post(f"/api/plans/{pid}/checkins", json=body, headers={**mar, "Content-Type": ctype})
    assert r.status_code == 201, r.text
