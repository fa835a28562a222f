"""Badge scans at the tribune: ``POST /api/guests/badges/scan`` and the ``/scan`` page.

Tokens are made here by hand (hmac, as tests/reports/test_badges.py does) for the
Victory Day book, whose ``event:`` is "Victory Day Parade 2025, Red Square". In that book
(everything recorded) ushakov and by-leader are confirmed, la-president cancelled on
6 May ("illustrative: cancelled"), ru-president only listed (the host has no events),
cn-interpreter has no events and follows cn-leader (confirmed).
The service's clock stands at 2025-05-09 09:50 Moscow time (UTC+03:00).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import time
from pathlib import Path

import httpx
import pypdf
import pytest
from fastapi.testclient import TestClient

from paradeops.service.users.service import add_user
from tests.conftest import Run

from .conftest import PASSWORD, login
from .server import Server, add_users
from .support import YAML
from .test_guests import GUESTS, upload_book

KEY = bytes.fromhex("22" * 32)
EVENT = "Victory Day Parade 2025, Red Square"
SCAN = "/api/guests/badges/scan"


def token(guest: str, key: bytes = KEY, event: str = EVENT) -> str:
    mac = hmac.new(key, b"paradeops-badge-v1\0" + event.encode() + b"\0" + guest.encode(),
                   hashlib.sha256).digest()[:16]  # fmt: skip
    return f"PB1:{guest}:" + base64.urlsafe_b64encode(mac).decode().rstrip("=")


@pytest.fixture(autouse=True)
def badge_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARADEOPS_BADGE_KEY", KEY.hex())


@pytest.fixture
def stew(app, client: TestClient) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.writing() as s:
        add_user(s, name="stew", role="steward", password=PASSWORD, now=app.state.ctx.now())
    return login(client, "stew")


def history(client: TestClient, org: dict[str, str], guest: str) -> list[dict[str, object]]:
    r = client.get(f"/api/guests/{guest}/history", headers=org)
    assert r.status_code == 200, r.text
    return list(r.json())


def test_a_steward_admits_once_and_a_rescan_appends_nothing(
    client: TestClient, org: dict[str, str], stew: dict[str, str]
) -> None:
    upload_book(client, org)
    before = len(history(client, org, "ushakov"))
    # A scanner ends what it types with a newline.
    r = client.post(SCAN, json={"token": token("ushakov") + "\n"}, headers=stew)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["outcome"], body["status"], body["name"]) == (
        "admitted",
        "attended",
        "Yuri Ushakov",
    )
    assert body["admitted_at"] == "2025-05-09T09:50:00+03:00"
    h = history(client, org, "ushakov")
    assert len(h) == before + 1
    assert (h[-1]["kind"], h[-1]["by"], h[-1]["where"], h[-1]["recorded_by"]) == (
        "attended", "stew", "badge scan", "stew")  # fmt: skip

    again = client.post(SCAN, json={"token": token("ushakov")}, headers=stew)
    assert again.status_code == 200, again.text
    assert again.json()["outcome"] == "already_admitted"
    assert again.json()["detail"] == "already admitted at 09:50 (UTC+03:00)"
    assert len(history(client, org, "ushakov")) == before + 1
    actions = [a["action"] for a in client.get("/api/audit", headers=org).json()[:2]]
    assert actions == ["guests.badge_scan", "guests.event"]


def test_a_cancelled_guest_is_refused_and_nothing_appended(
    client: TestClient, org: dict[str, str], stew: dict[str, str]
) -> None:
    upload_book(client, org)
    before = history(client, org, "la-president")
    r = client.post(SCAN, json={"token": token("la-president")}, headers=stew)
    assert r.status_code == 409, r.text
    body = r.json()
    assert (body["outcome"], body["status"]) == ("refused", "cancelled")
    assert body["detail"].startswith("refused: cancelled") and body["name"] == "Thongloun Sisoulith"
    assert history(client, org, "la-president") == before


def test_a_guest_cancelled_after_printing_is_refused_at_the_gate(
    client: TestClient, org: dict[str, str], stew: dict[str, str]
) -> None:
    """The badge was printed while by-leader was confirmed; the status *now* decides."""
    upload_book(client, org)
    cancel = {"at": "2025-05-09T08:00:00+03:00", "kind": "cancelled", "reason": "ill"}
    assert client.post("/api/guests/by-leader/events", json=cancel, headers=org).status_code == 201
    r = client.post(SCAN, json={"token": token("by-leader")}, headers=stew)
    assert r.status_code == 409 and r.json()["detail"] == "refused: cancelled (ill)"


def test_not_confirmed_and_the_ledgers_own_refusal(
    client: TestClient, org: dict[str, str], stew: dict[str, str]
) -> None:
    upload_book(client, org)
    r = client.post(SCAN, json={"token": token("ru-president")}, headers=stew)
    assert r.status_code == 409 and r.json()["detail"] == "refused: listed, not confirmed"
    # Confirmed through cn-leader, but the interpreter's own history has no confirmation;
    # and once cn-leader is admitted, the interpreter "follows" to attended: still refused
    # (not "already admitted": no admission of theirs was ever recorded).
    follows = (
        "refused: interpreter for cn-leader, whose status ({}) they follow; "
        "an organiser records their own confirmation first"
    )
    r = client.post(SCAN, json={"token": token("cn-interpreter")}, headers=stew)
    assert r.status_code == 409 and r.json()["detail"] == follows.format("confirmed")
    assert client.post(SCAN, json={"token": token("cn-leader")}, headers=stew).status_code == 200
    r = client.post(SCAN, json={"token": token("cn-interpreter")}, headers=stew)
    assert r.status_code == 409 and r.json()["detail"] == follows.format("attended")
    assert history(client, org, "cn-interpreter") == []


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("hello", "not a ParadeOps badge"),
        ("PB1:ushakov:" + "A" * 22, "signature does not match"),
        (token("ushakov", key=bytes.fromhex("33" * 32)), "signature does not match"),
        (token("ushakov", event="Victory Day Parade 2024, Red Square"), "signature does not match"),
        (token("ushakov")[:-1], "not a ParadeOps badge"),
        ("PB1:уша:" + "A" * 22 + "é" * 300, "not a ParadeOps badge"),
    ],
    ids=["text", "forged-tag", "other-key", "other-event", "cut", "long-non-ascii"],
)
def test_bad_badges_are_400_saying_which(
    client: TestClient, org: dict[str, str], stew: dict[str, str], text: str, why: str
) -> None:
    upload_book(client, org)
    r = client.post(SCAN, json={"token": text}, headers=stew)
    assert r.status_code == 400, r.text
    assert why in r.json()["detail"] and "ushakov" not in r.json()["detail"]
    assert len(history(client, org, "ushakov")) == 1  # its confirmation, nothing more


def test_a_valid_badge_of_a_guest_not_in_the_book_is_404(
    client: TestClient, org: dict[str, str], stew: dict[str, str]
) -> None:
    upload_book(client, org)
    r = client.post(SCAN, json={"token": token("nobody")}, headers=stew)
    assert r.status_code == 404 and "'nobody' is not in guest book" in r.json()["detail"]


def test_roles(
    client: TestClient,
    org: dict[str, str],
    mar: dict[str, str],
    view: dict[str, str],
    stew: dict[str, str],
) -> None:
    upload_book(client, org)
    for who in (view, mar):
        r = client.post(SCAN, json={"token": token("ushakov")}, headers=who)
        assert r.status_code == 403, r.text
    assert client.post(SCAN, json={"token": token("ushakov")}).status_code == 401
    assert client.post(SCAN, json={"token": token("br-leader")}, headers=org).status_code == 200
    # A steward appends nothing else: guest events are the organisers'.
    event = {"at": "2025-05-09", "kind": "attended"}
    assert client.post("/api/guests/kz-leader/events", json=event, headers=stew).status_code == 403
    assert len(history(client, org, "ushakov")) == 1


def test_the_service_without_a_badge_key_says_so(
    client: TestClient, org: dict[str, str], stew: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARADEOPS_BADGE_KEY")  # and no file beside the test database's key
    upload_book(client, org)
    r = client.post(SCAN, json={"token": token("ushakov")}, headers=stew)
    assert r.status_code == 503 and "no badge key" in r.json()["detail"]


def test_the_scan_page(client: TestClient, org: dict[str, str]) -> None:
    """Stewards and organisers; the page's policy as every page's: no inline script or style."""
    client.cookies.clear()
    r = client.post("/login", data={"username": "view", "password": PASSWORD, "next": "/scan"},
                    follow_redirects=True)  # fmt: skip
    assert r.status_code == 403
    client.cookies.clear()
    r = client.post("/login", data={"username": "org", "password": PASSWORD, "next": "/scan"},
                    follow_redirects=True)  # fmt: skip
    assert r.status_code == 200 and 'id="scan-token"' in r.text
    assert '<script src="/static/scan.js">' in r.text and "<style" not in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert client.get("/static/scan.js").status_code == 200


# --- the keys' story through a real server (``paradeops serve`` in a subprocess) ------


def printed_tokens(cli: Run, pdf: Path, key_file: Path) -> dict[str, str]:
    """``print GUESTS --what badges``, each guest's token read back from the PDF."""
    r = cli("print", GUESTS, "--what", "badges", "-o", pdf, "--badge-key-file", key_file)
    assert r.code == 0, r.err
    text = "".join("".join(p.extract_text().split()) for p in pypdf.PdfReader(pdf).pages)
    return dict(re.findall(r"PB1:([a-z0-9-]+):([A-Za-z0-9_-]{22})", text))


@pytest.mark.slow
def test_signin_key_rotation_keeps_badges_badge_key_rotation_voids_them(
    cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARADEOPS_SECRET_KEY")  # both keys in files beside the database
    monkeypatch.delenv("PARADEOPS_BADGE_KEY")
    url = str(tmp_path / "parade.sqlite")
    add_users(url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli("user", "add", "stew", "--role", "steward", "--password-stdin", "--database", url
               ).code == 0  # fmt: skip
    assert cli("secret", "rotate", "--badge", "--database", url).code == 0
    badge_file = tmp_path / "parade.badge.key"
    assert badge_file.stat().st_mode & 0o777 == 0o600
    tokens = printed_tokens(cli, tmp_path / "badges.pdf", badge_file)
    assert len(tokens) == 42 and "la-president" not in tokens

    server = Server(url, tmp_path / "server.log").start()
    try:
        base, org = server.base, server.token("org")
        r = httpx.post(base + "/api/guestbooks", content=GUESTS.read_bytes(),
                       headers={**org, **YAML}, timeout=60)  # fmt: skip
        assert r.status_code == 201, r.text

        def scan(guest: str, tag: str, who: dict[str, str]) -> httpx.Response:
            body = {"token": f"PB1:{guest}:{tag}"}
            return httpx.post(base + SCAN, json=body, headers=who, timeout=30)

        stew = server.token("stew")
        assert scan("ushakov", tokens["ushakov"], stew).json()["outcome"] == "admitted"

        kept = badge_file.read_bytes()
        assert cli("secret", "rotate", "--database", url).code == 0  # the sign-in key
        assert badge_file.read_bytes() == kept
        deadline = time.monotonic() + 10  # the server re-reads its key file every 2 s
        while httpx.get(base + "/api/guestbooks", headers=stew, timeout=30).status_code != 401:
            assert time.monotonic() < deadline, "the old sign-in still works"
            time.sleep(0.2)
        stew = server.token("stew")
        r = scan("by-leader", tokens["by-leader"], stew)
        assert r.status_code == 200 and r.json()["outcome"] == "admitted", r.text

        assert cli("secret", "rotate", "--badge", "--database", url).code == 0
        r = scan("br-leader", tokens["br-leader"], stew)
        assert r.status_code == 400 and "signature does not match" in r.json()["detail"]
        fresh = printed_tokens(cli, tmp_path / "again.pdf", badge_file)
        assert fresh["br-leader"] != tokens["br-leader"]
        assert scan("br-leader", fresh["br-leader"], stew).json()["outcome"] == "admitted"
    finally:
        server.stop()
