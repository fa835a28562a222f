"""Finding 3 (unbounded bodies) and 9 (JSON nesting → RecursionError 500), against a real server.

Before: 1 GiB of JSON without a token was buffered whole (RSS +2 GB per GB),
a chunked multipart upload without Content-Length was read whole (+500 MB),
``{"a":`` ×100,000 or 5,000 ``[`` answered 500. Now every body is counted
while it streams and cut off at its route's limit with a 413, and JSON nested
deeper than 64 levels is a 400, before authentication or parsing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paradeops.service.limits import MAX_JSON_DEPTH, json_depth_exceeds
from tests.service.server import add_users
from tests.service.support import SMALL_PLAN

from .limits_support import CHECKIN, MB, OptionServer, PeakRss, flood, status_of

pytestmark = pytest.mark.slow
#: What an attacker tries to send in one request.
ATTACK_BYTES = 200 * MB
#: The server's RSS may grow by less than this while it is refused.
RSS_SLACK = 50 * MB
BOUNDARY = "limits-test-boundary"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OptionServer]:
    folder = tmp_path_factory.mktemp("limits")
    url = str(folder / "paradeops.sqlite")
    add_users(url)
    srv = OptionServer(url, folder / "server.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def org(server: OptionServer) -> dict[str, str]:
    return server.token("org")


@pytest.fixture(scope="module")
def plan_id(server: OptionServer, org: dict[str, str]) -> int:
    """A plan to check in to (as the organiser, who may check in anywhere)."""
    r = httpx.post(
        server.base + "/api/plans",
        content=SMALL_PLAN,
        headers={**org, "Content-Type": "application/yaml"},
        timeout=60,
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def refused_quickly(server: OptionServer, path: str, **kw: object) -> tuple[int, int, int]:
    """(status, bytes the client got to send, RSS growth) of one flood of ATTACK_BYTES."""
    started = time.monotonic()
    with PeakRss(server) as rss:
        baseline = rss.peak
        answer, sent = flood(server.port, path, total=ATTACK_BYTES, **kw)  # type: ignore[arg-type]
    assert time.monotonic() - started < 15, "the refusal took too long"
    return status_of(answer), sent, rss.peak - baseline


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("route", ["checkins", "guest-event"])
def test_json_route_refuses_a_huge_body_without_reading_it(
    server: OptionServer, plan_id: int, route: str, chunked: bool
) -> None:
    path = f"/api/plans/{plan_id}/checkins" if route == "checkins" else "/api/guests/g/events"
    status, sent, growth = refused_quickly(server, path, chunked=chunked)
    assert status == 413
    # Cut off after the 64 kB limit: only what the sockets' buffers took got sent.
    assert sent < 20 * MB, f"the server read {sent / MB:.0f} MB before refusing"
    assert growth < RSS_SLACK, f"RSS grew by {growth / MB:.0f} MB"


def multipart_head(field: str = "plan", filename: str = "plan.yaml") -> str:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/yaml\r\n\r\n'
    )


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
@pytest.mark.parametrize("method_path", ["POST /api/plans", "PUT /api/plans/{plan_id}"])
def test_upload_route_cuts_a_multipart_body_off_at_its_limit(
    server: OptionServer, org: dict[str, str], plan_id: int, method_path: str, chunked: bool
) -> None:
    method, path = method_path.split()
    status, sent, growth = refused_quickly(
        server,
        path.format(plan_id=plan_id),
        method=method,
        chunked=chunked,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=org,
        prefix=multipart_head().encode(),
    )
    assert status == 413
    assert sent < 40 * MB, f"the server read {sent / MB:.0f} MB before refusing"
    assert growth < RSS_SLACK, f"RSS grew by {growth / MB:.0f} MB"


@pytest.mark.parametrize("token", [True, False], ids=["organiser", "anonymous"])
def test_guest_book_upload_is_cut_off_at_its_limit(
    server: OptionServer, org: dict[str, str], token: bool
) -> None:
    status, sent, growth = refused_quickly(
        server,
        "/api/guestbooks",
        chunked=True,
        content_type="application/yaml",
        headers=org if token else {},
    )
    # Anonymous: refused by authentication before a byte is read; else at the limit.
    assert status == (413 if token else 401)
    assert sent < 40 * MB, f"the server read {sent / MB:.0f} MB before refusing"
    assert growth < RSS_SLACK, f"RSS grew by {growth / MB:.0f} MB"


def test_a_body_at_the_limit_still_goes_through(server: OptionServer, plan_id: int) -> None:
    """The limit refuses what is over it, not ordinary traffic: a padded check-in of 60 kB."""
    org = server.token("org")
    body = {**CHECKIN, "id": str(uuid.uuid4()), "pad": " " * 60_000}
    r = httpx.post(f"{server.base}/api/plans/{plan_id}/checkins", json=body, headers=org)
    # Past the body limit: the route's own answer (an unknown field is a 422, not a 413).
    assert r.status_code in (201, 422), r.text
    ok = {**CHECKIN, "id": str(uuid.uuid4())}
    r = httpx.post(f"{server.base}/api/plans/{plan_id}/checkins", json=ok, headers=org)
    assert r.status_code == 201, r.text


DEEP_BODIES = {
    "brackets": b"[" * 5000,
    "objects": b'{"a":' * 10_000,
}


@pytest.mark.parametrize("shape", DEEP_BODIES)
@pytest.mark.parametrize("who", ["anonymous", "marshal", "organiser"])
def test_deeply_nested_json_is_a_400_not_a_500(
    server: OptionServer, plan_id: int, shape: str, who: str
) -> None:
    headers = {} if who == "anonymous" else server.token("mar" if who == "marshal" else "org")
    headers["Content-Type"] = "application/json"
    for path in (f"/api/plans/{plan_id}/checkins", "/api/guests/g/events"):
        r = httpx.post(server.base + path, content=DEEP_BODIES[shape], headers=headers)
        assert r.status_code == 400, (path, r.status_code, r.text)
        assert "nests deeper than 64 levels" in r.json()["detail"]


def test_the_original_nesting_attack_is_refused_for_its_size(
    server: OptionServer, plan_id: int
) -> None:
    """``{"a":`` ×100,000 (600 kB) is over the JSON limit: a 413 before any parsing."""
    r = httpx.post(
        f"{server.base}/api/plans/{plan_id}/checkins",
        content=b'{"a":' * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text


def test_depth_scan_ignores_brackets_in_strings() -> None:
    shallow = json.dumps({"reason": "[" * 500 + "{" * 500, "q": 'say \\"[[[["'}).encode()
    assert not json_depth_exceeds(shallow)
    nested: object = 1
    for _ in range(MAX_JSON_DEPTH):
        nested = [nested]
    assert not json_depth_exceeds(json.dumps(nested).encode())
    assert json_depth_exceeds(json.dumps([nested]).encode())
    # An escaped quote does not end a string: the brackets after it are still text.
    tricky = b'["\\"' + b"[" * 200 + b'"]'
    assert not json_depth_exceeds(tricky)
    assert json_depth_exceeds(b'["\\\\"' + b"[" * 200)  # an escaped backslash does end it


def test_server_log_has_no_traceback(server: OptionServer) -> None:
    """Runs last in this module: none of the attacks above made an unhandled exception."""
    text = Path(server.log).read_text()
    assert "Traceback" not in text and "unhandled exception" not in text, text[-3000:]
