"""Findings 7 and 13: the session token in the HTML, a service worker that kept it, no headers.

Every page embedded the bearer token in a ``<meta>`` (any script, extension
or cached copy could read it), the service worker cached the marshal page
with the token and served it after sign-out, and no answer carried a
Content-Security-Policy, frame-ancestors, nosniff or Referrer-Policy. Now the
pages are authorised by the HttpOnly cookie with a CSRF token for writes,
the service worker keeps only static files, sign-out ends the session on the
server, and every answer carries the headers.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from paradeops.service import create_app
from paradeops.service.settings import ServiceSettings
from tests.service.conftest import PASSWORD
from tests.service.support import checkin, upload
from tests.service.test_guests import upload_book

COOKIE = "paradeops_token"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
EVIL = "https://evil.example"


def page_sign_in(client: TestClient, name: str) -> str:
    """Sign in through the form as a browser does; the session cookie's value."""
    r = client.post(
        "/login", data={"username": name, "password": PASSWORD, "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    token = client.cookies.get(COOKIE)
    assert token, "the sign-in page set no session cookie"
    return token


def csrf_of(client: TestClient) -> str:
    found = CSRF_META.search(client.get("/").text)
    assert found and found[1], "the page carries no CSRF token"
    return found[1]


def pages_of(plan_id: int) -> list[str]:
    return [
        "/",
        "/guests",
        f"/plans/{plan_id}",
        f"/plans/{plan_id}/control",
        f"/plans/{plan_id}/marshal",
        f"/plans/{plan_id}/marshal.json",
        f"/plans/{plan_id}/announcer",
        "/static/marshal.html",
        "/login",
    ]


def test_no_page_holds_the_session_token(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    upload_book(client, org)
    token = page_sign_in(client, "org")
    body, _, signature = token.partition(".")
    for path in pages_of(pid):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        # Neither the token nor either half of it, in any page or the marshal's data.
        for secret_part in (token, body, signature):
            assert secret_part not in r.text, f"{path} holds the session token"
    assert csrf_of(client) != token
    assert 'name="paradeops-token"' not in client.get("/").text
    set_cookie = client.post(
        "/login", data={"username": "org", "password": PASSWORD}, follow_redirects=False
    ).headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie


def test_service_worker_caches_only_static_files(client: TestClient) -> None:
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw.headers["cache-control"] == "no-cache"
    shell = re.search(r"const SHELL = \[(.*?)\];", sw.text, re.S)
    assert shell, "sw.js names no list of files to keep"
    paths = re.findall(r'"([^"]+)"', shell[1])
    assert paths and all(p.startswith("/static/") for p in paths), paths
    # What it keeps is the same for anyone, signed in or not: nothing made for a user.
    anonymous = {path: client.get(path) for path in paths}
    assert all(r.status_code == 200 for r in anonymous.values())
    page_sign_in(client, "org")
    for path in paths:
        assert client.get(path).content == anonymous[path].content, path
    # Only those files are ever put in the cache: one put, behind the SHELL check.
    assert sw.text.count(".put(") == 1 and "SHELL.includes(url.pathname)" in sw.text


def test_marshal_page_needs_a_session(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    r = client.get(f"/plans/{pid}/marshal", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/plans/{pid}/marshal"
    r = client.get(f"/plans/{pid}/marshal.json")
    assert r.status_code == 401
    page_sign_in(client, "org")
    doc = client.get(f"/plans/{pid}/marshal.json").json()
    assert {c["id"] for c in doc["checkpoints"]} >= {"start"} and doc["units"]
    assert doc["csrf"] == csrf_of(client)


def test_a_cookie_write_without_the_csrf_token_is_refused(
    client: TestClient, org: dict[str, str]
) -> None:
    pid = upload(client, org)
    page_sign_in(client, "org")
    url = f"/api/plans/{pid}/checkins"
    # What a form or script of another site can make a signed-in browser send.
    forged = client.post(url, json=checkin("band", "start", "head", "10:01:00"))
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
    wrong = client.post(
        url, json=checkin("band", "start", "head", "10:01:00"), headers={"X-CSRF-Token": "x" * 43}
    )
    assert wrong.status_code == 403
    assert client.get(url, headers=org).json() == []  # nothing was stored
    ours = client.post(
        url,
        json=checkin("band", "start", "head", "10:01:00"),
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    assert ours.status_code == 201, ours.text
    # Sign-out, too, is refused from another site's form.
    assert client.post("/logout", data={"csrf": ""}, follow_redirects=False).status_code == 403
    r = client.post(
        "/logout", data={"csrf": csrf_of(client)}, headers={"Origin": EVIL}, follow_redirects=False
    )
    assert r.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_login_from_another_site_is_refused(client: TestClient) -> None:
    """Login CSRF: another site's form must not sign a victim in under the attacker's name."""
    r = client.post(
        "/login",
        data={"username": "org", "password": PASSWORD},
        headers={"Origin": EVIL},
        follow_redirects=False,
    )
    assert r.status_code == 403 and COOKIE not in r.headers.get("set-cookie", "")
    # X-Forwarded-Host is believed only from a trusted proxy (--forwarded-allow-ips; with
    # one, see test_forwarded_host_and_log_paths.py): here anyone could have set it.
    r = client.post(
        "/login",
        data={"username": "org", "password": PASSWORD},
        headers={"Origin": "https://parade.example", "X-Forwarded-Host": "parade.example"},
        follow_redirects=False,
    )
    assert r.status_code == 403 and COOKIE not in r.headers.get("set-cookie", "")


def test_sign_out_ends_the_session_on_the_server(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    token = page_sign_in(client, "org")
    csrf = csrf_of(client)
    r = client.post("/logout", headers={"X-CSRF-Token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    # The old cookie, replayed (a copy kept by anything that saw it), opens nothing.
    client.cookies.clear()
    client.cookies.set(COOKIE, token)
    r = client.get(f"/plans/{pid}/marshal", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get(f"/api/plans/{pid}/status").status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/plans/{pid}/status", headers=bearer).status_code == 401


def test_throttled_sign_in_says_how_long_to_wait(client: TestClient) -> None:
    answers = [
        client.post("/login", data={"username": "mar", "password": "wrong-password-1"})
        for _ in range(12)
    ]
    assert {a.status_code for a in answers[:3]} == {401}
    throttled = [a for a in answers if a.status_code == 429]
    assert throttled, [a.status_code for a in answers]
    wait = int(throttled[-1].headers["retry-after"])
    assert wait >= 1 and f"Wait {wait} s" in throttled[-1].text
    assert "Wrong user name or password." in answers[0].text


PAGE_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'"


def assert_common_headers(r: httpx.Response, where: str) -> None:
    h = r.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"], where
    assert "unsafe-inline" not in h["content-security-policy"], where
    assert h["x-content-type-options"] == "nosniff", where
    assert h["referrer-policy"] == "same-origin", where
    assert h["x-frame-options"] == "DENY", where
    assert "strict-transport-security" not in h, where  # not configured: plain http


def test_security_headers_on_pages_api_and_static(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    page_sign_in(client, "org")
    for path in [*pages_of(pid), "/sw.js", "/static/app.css", "/static/control.js"]:
        r = client.get(path, follow_redirects=False)
        assert_common_headers(r, path)
        csp = r.headers["content-security-policy"]
        if path.endswith(".json"):
            assert csp.startswith("default-src 'none'"), path
        else:
            assert csp.startswith(PAGE_CSP), path
        want = "no-cache" if path.startswith(("/static/", "/sw.js")) else "no-store"
        assert r.headers["cache-control"] == want, path
    api = [
        client.get(f"/api/plans/{pid}/status", headers=org),
        client.get("/api/plans", headers={"Authorization": "Bearer forged"}),  # a refusal
        client.post(  # the check-in fast path answers without FastAPI
            f"/api/plans/{pid}/checkins",
            json=checkin("band", "start", "head", "10:01:00"),
            headers=org,
        ),
        client.get("/openapi.json"),
    ]
    assert [r.status_code for r in api] == [200, 401, 201, 200]
    for r in api:
        assert_common_headers(r, str(r.url))
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        assert r.headers["cache-control"] == "no-store", str(r.url)
    # No Swagger UI or ReDoc: they load scripts from a CDN into this origin.
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


def test_templates_hold_no_inline_script_or_style() -> None:
    """What lets the CSP go without 'unsafe-inline': every script and style is a file."""
    pages = Path(__file__).resolve().parents[2] / "src" / "paradeops" / "service" / "pages"
    for html in [*pages.glob("templates/*.html"), *pages.glob("static/*.html")]:
        text = html.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), html.name
        assert "<style" not in text and " style=" not in text, html.name
        assert not re.search(r"\son[a-z]+=", text), html.name  # onclick= and friends


def test_hsts_when_configured(tmp_path: Path) -> None:
    settings = ServiceSettings(database_url=str(tmp_path / "db.sqlite"), hsts=True)
    app = create_app(settings=settings)
    with TestClient(app) as c:
        for path in ("/login", "/api/plans", "/static/app.css"):
            assert c.get(path).headers["strict-transport-security"] == "max-age=31536000"
    app.state.ctx.db.dispose()
