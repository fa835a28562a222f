"""Guests through the API: the 29 → 27 story, roles, append-only history, bad input."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from paradeops.service.app import create_app

from .support import YAML

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025" / "guests.yaml"


def upload_book(client: TestClient, headers: dict[str, str], text: str | None = None) -> int:
    body = GUESTS.read_text() if text is None else text
    r = client.post("/api/guestbooks", content=body, headers={**headers, **YAML})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_29_then_27_and_a_cancellation(client: TestClient, org: dict[str, str]) -> None:
    upload_book(client, org)
    ann = client.get("/api/guests/announcements", headers=org).json()
    assert [(a["announced"], a["actual"], a["matches"]) for a in ann] == [
        (29, 29, True),
        (27, 27, True),
    ]
    assert {c["guest"] for c in ann[1]["changes_since_previous"]} == {
        "la-president",
        "az-president",
    }
    before = client.get("/api/guests/status", params={"as_of": "2025-05-05"}, headers=org).json()
    la = next(g for g in before["guests"] if g["id"] == "la-president")
    assert la["status"] == "confirmed" and la["name"] == "Thongloun Sisoulith"
    after = client.get("/api/guests/status", params={"as_of": "2025-05-07"}, headers=org).json()
    assert next(g for g in after["guests"] if g["id"] == "la-president")["status"] == "cancelled"

    # One more leader cancels before the second announcement: it no longer matches.
    event = {
        "at": "2025-05-06T18:00:00+03:00",
        "kind": "cancelled",
        "reason": "illustrative: a late cancellation",
        "source": {"by": "test"},
    }
    r = client.post("/api/guests/cn-leader/events", json=event, headers=org)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "cancelled" and r.json()["recorded_by"] == "org"
    ann = client.get("/api/guests/announcements", headers=org).json()
    assert (ann[0]["actual"], ann[0]["matches"]) == (29, True)
    assert (ann[1]["actual"], ann[1]["matches"]) == (26, False)
    assert "cn-leader" in [c["guest"] for c in ann[1]["changes_since_previous"]]
    now = client.get("/api/guests", headers=org).json()
    assert next(g for g in now["guests"] if g["id"] == "cn-leader")["status"] == "cancelled"
    assert now["by_status"]["cancelled"] == 4  # Laos, Azerbaijan, China and its interpreter
    then = client.get("/api/guests/status", params={"as_of": "2025-05-05"}, headers=org).json()
    assert next(g for g in then["guests"] if g["id"] == "cn-leader")["status"] == "confirmed"
    history = client.get("/api/guests/cn-leader/history", headers=org).json()
    assert [h["kind"] for h in history] == ["invited", "confirmed", "cancelled"]
    assert [h["recorded_by"] for h in history] == [None, None, "org"]
    audit = client.get("/api/audit", headers=org).json()
    assert [a["action"] for a in audit[:2]] == ["guests.event", "guests.upload"]


def test_the_history_survives_a_restart(client: TestClient, org, database_url, clock) -> None:  # type: ignore[no-untyped-def]
    upload_book(client, org)
    event = {"at": "2025-05-08", "kind": "attended"}
    assert client.post("/api/guests/by-leader/events", json=event, headers=org).status_code == 201
    again = create_app(database_url, clock=clock)
    try:
        with TestClient(again) as c2:
            history = c2.get("/api/guests/by-leader/history", headers=org).json()
            assert history[-1]["kind"] == "attended"
    finally:
        again.state.ctx.db.dispose()


def test_roles(
    client: TestClient, org: dict[str, str], mar: dict[str, str], view: dict[str, str]
) -> None:
    upload_book(client, org)
    paths = [
        "/api/guests",
        "/api/guests/status",
        "/api/guests/announcements",
        "/api/guests/la-president/history",
        "/api/guestbooks",
    ]
    for path in paths:
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=mar).status_code == 403, path
    event = {"at": "2025-05-08", "kind": "attended"}
    for who in (mar, view):
        assert (
            client.post("/api/guests/by-leader/events", json=event, headers=who).status_code == 403
        )
        r = client.post("/api/guestbooks", content=GUESTS.read_text(), headers={**who, **YAML})
        assert r.status_code == 403
    assert client.get("/api/guests/la-president/history", headers=view).status_code == 403

    # A viewer sees counts, never a name, a title or a reason.
    seen = client.get("/api/guests", headers=view)
    assert seen.status_code == 200
    doc = seen.json()
    assert doc["guests"] is None and doc["by_status"]["cancelled"] == 2 and doc["total"] > 40
    ann = client.get("/api/guests/announcements", headers=view)
    assert [a["matches"] for a in ann.json()] == [True, True]
    text = seen.text + ann.text + client.get("/api/guests/status", headers=view).text
    for personal in ("Thongloun", "Aliyev", "COVID", "la-president", "cn-leader"):
        assert personal not in text, personal


def test_append_only(client: TestClient, org: dict[str, str]) -> None:
    upload_book(client, org)
    for method in ("PUT", "DELETE", "PATCH"):
        for path in ("/api/guests/la-president/events", "/api/guests/la-president/history"):
            assert client.request(method, path, headers=org).status_code == 405, (method, path)
    app_routes = client.app.routes  # type: ignore[attr-defined]
    for route in app_routes:
        if getattr(route, "path", "").startswith(("/api/guest",)):
            assert not set(route.methods) & {"PUT", "DELETE", "PATCH"}, route.path


def test_bad_events_say_why(client: TestClient, org: dict[str, str]) -> None:
    upload_book(client, org)
    url = "/api/guests/cn-leader/events"
    # Before the guest's last event (confirmed on 2025-04-20): out of date order.
    r = client.post(url, json={"at": "2025-04-01", "kind": "cancelled"}, headers=org)
    assert r.status_code == 400 and "comes after one dated 2025-04-20" in r.json()["detail"]
    # An impossible transition: a confirmed guest cannot decline.
    r = client.post(url, json={"at": "2025-05-08", "kind": "declined"}, headers=org)
    assert r.status_code == 400
    assert "a guest who is confirmed cannot be declined" in r.json()["detail"]
    # Never invited nor confirmed: cannot have attended.
    r = client.post(
        "/api/guests/us-veteran-1/events", json={"at": "2025-04-02", "kind": "bogus"}, headers=org
    )
    assert r.status_code == 422
    r = client.post(url, json={"at": "2025-05-08T10:00:00", "kind": "attended"}, headers=org)
    assert r.status_code == 422 and "UTC offset" in r.text
    assert (
        client.post(
            "/api/guests/nobody/events", json={"at": "2025-05-08", "kind": "attended"}, headers=org
        ).status_code
        == 404
    )
    assert client.get("/api/guests/status?as_of=yesterday", headers=org).status_code == 400
    # Nothing of that was recorded.
    assert len(client.get(url.replace("events", "history"), headers=org).json()) == 2


def test_bad_upload_has_the_cli_message(client: TestClient, org: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    from paradeops.errors import UserError
    from paradeops.io.guestfiles import load_guests

    bad = GUESTS.read_text().replace(
        "kind: cancelled\n    reason: severe", "kind: declined\n    reason: severe"
    )
    (tmp_path / "guests.yaml").write_text(bad)
    try:
        load_guests(tmp_path / "guests.yaml")
    except UserError as e:
        expected = str(e).replace(str(tmp_path) + "/", "")
    else:
        raise AssertionError("the CLI's reader accepted a bad book")
    r = client.post("/api/guestbooks", content=bad, headers={**org, **YAML})
    assert r.status_code == 400
    assert r.json()["detail"] == expected and expected.startswith("guests.yaml:")
    assert client.get("/api/guests", headers=org).status_code == 404  # nothing stored


def page_login(client: TestClient, name: str) -> None:
    from .conftest import PASSWORD

    r = client.post("/login", data={"username": name, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303


def test_guests_page_by_role(client: TestClient, org: dict[str, str]) -> None:
    r = client.get("/guests", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    page_login(client, "org")
    assert 'id="no-book"' in client.get("/guests").text
    upload_book(client, org)
    event = {"at": "2025-05-06", "kind": "cancelled", "reason": "illustrative: ill"}
    assert client.post("/api/guests/cn-leader/events", json=event, headers=org).status_code == 201
    html = client.get("/guests").text
    assert "Thongloun Sisoulith" in html and 'id="append-event"' in html
    assert "added by org" in html and "✗ differs" in html and "✓ matches" in html
    page_login(client, "view")
    html = client.get("/guests").text
    assert 'id="by-country"' in html and "Thongloun" not in html and "COVID" not in html
    assert 'id="append-event"' not in html
    page_login(client, "mar")
    assert client.get("/guests").status_code == 403


def test_a_bad_moment_is_located_not_echoed(client: TestClient, org: dict[str, str]) -> None:
    upload_book(client, org)
    secret = "<script>x</script>" + "y" * 500
    r = client.post(
        "/api/guests/cn-leader/events", json={"at": secret, "kind": "cancelled"}, headers=org
    )
    assert r.status_code == 422, r.text
    assert "<script>" not in r.text and "yyyy" not in r.text
    detail = r.json()["detail"]
    assert detail[0]["loc"][-1] == "at" and "not a date" in detail[0]["msg"]
