"""Tester's findings 6 and 7, against a real server.

6. ``X-Forwarded-Host`` was believed for the sign-in form's origin check from
   anyone, even without ``--forwarded-allow-ips``: a page on another site could
   name ours in it. Now it is believed only from a trusted proxy.
7. Log lines named routes without their router's prefix
   (``path=/{plan_id}/checkins/{checkin_id}/void``); now the whole template.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx

from tests.service.server import PASSWORD, Server, add_users

FORM = {"username": "org", "password": PASSWORD}
THEIRS = {"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example"}


def _start(tmp_path: Path, *args: str) -> Server:
    url = str(tmp_path / "paradeops.sqlite")
    add_users(url)
    return Server(url, tmp_path / "server.log", args=args).start()


def _login(srv: Server, headers: dict[str, str]) -> int:
    r = httpx.post(srv.base + "/login", data=FORM, headers=headers, timeout=30)
    return r.status_code


def test_x_forwarded_host_is_believed_only_from_a_trusted_proxy(tmp_path: Path) -> None:
    direct = _start(tmp_path / "direct", "--log-json")
    try:
        # No proxy configured: the header is anybody's, so another site's origin is refused.
        assert _login(direct, THEIRS) == 403
        # Our own origin (the Host) still works.
        assert _login(direct, {"Origin": direct.base}) == 303
    finally:
        direct.stop()
    # A proxy that is not ours (127.0.0.1 is not 10.9.9.9): not believed either.
    other = _start(tmp_path / "other", "--forwarded-allow-ips", "10.9.9.9")
    try:
        assert _login(other, THEIRS) == 403
    finally:
        other.stop()
    # Behind the trusted proxy (here: the test itself on 127.0.0.1) it names the site.
    proxied = _start(tmp_path / "proxied", "--forwarded-allow-ips", "127.0.0.1")
    try:
        site = {"Origin": "https://parade.example", "X-Forwarded-Host": "parade.example"}
        assert _login(proxied, site) == 303
    finally:
        proxied.stop()


def test_log_lines_name_the_whole_route_template(tmp_path: Path) -> None:
    srv = _start(tmp_path, "--log-json")
    try:
        org = srv.token("org")
        r = httpx.post(
            f"{srv.base}/api/plans/4242/checkins/{uuid.uuid4()}/void",
            json={"reason": "typo"},
            headers=org,
            timeout=30,
        )
        assert 400 <= r.status_code < 500
        request_id = r.headers["x-request-id"]
        deadline = time.monotonic() + 10
        while True:
            text = Path(srv.log).read_text()
            lines = [json.loads(x) for x in text.splitlines() if x.startswith("{")]
            mine = [x for x in lines if x.get("request_id") == request_id]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert mine, text[-2000:]
        assert mine[0]["path"] == "/api/plans/{plan_id}/checkins/{checkin_id}/void", mine[0]
    finally:
        srv.stop()
