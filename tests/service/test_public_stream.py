"""The public stream against a running server (SQLite, and PostgreSQL through LISTEN/NOTIFY).

No sign-in: a snapshot, then a delta when a check-in moves a unit on, the
marshal's text of an incident never in it; the stream ends with
``event: closed`` once the plan is made private.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from paradeops.service.control import merge_patch

from .server import Server, add_users

pytestmark = pytest.mark.slow


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    add_users(database_url)
    srv = Server(database_url, tmp_path / "server.log", clock_start="2025-05-09T09:59:00+03:00")
    srv.start()
    yield srv
    srv.stop()


def test_public_stream_snapshot_delta_and_closed(server: Server) -> None:
    org = server.token("org")
    pid = server.upload(org)
    base = f"{server.base}/api/public/plans/{pid}/events"
    assert httpx.get(base, timeout=10).status_code == 404  # not public yet
    flags = {"public": True, "incidents": True}
    assert (
        httpx.put(f"{server.base}/api/plans/{pid}/public", json=flags, headers=org).status_code
        == 200
    )
    with httpx.Client(timeout=30) as client, client.stream("GET", base) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = events.iter_lines()
        doc: dict = {}
        kinds: list[str] = []

        def next_document() -> dict:
            nonlocal doc
            for line in lines:
                if line.startswith("event: "):
                    kinds.append(line[7:])
                if line.startswith("data: "):
                    doc = merge_patch.apply(doc, json.loads(line[6:]))
                    return doc
            raise AssertionError("stream ended")

        assert next_document()["units"]["colour-guard"]["state"] == "waiting"
        assert kinds == ["snapshot"]
        # The colour guard steps off (seen at the start at 09:59:00, the clock's start).
        checkin = {
            "id": str(uuid.uuid4()),
            "unit": "colour-guard",
            "checkpoint": "start",
            "part": "head",
            "at": "2025-05-09T09:59:00+03:00",
        }
        r = httpx.post(f"{server.base}/api/plans/{pid}/checkins", json=checkin, headers=org)
        assert r.status_code == 201, r.text
        while doc["units"]["colour-guard"]["state"] == "waiting":
            next_document()
        assert kinds[-1] == "delta" and doc["units"]["colour-guard"]["state"] == "on_route"
        incident = {
            "id": str(uuid.uuid4()),
            "code": "crowd",
            "text": "Mr Jones on the road",
            "at_m": 100,
        }
        r = httpx.post(f"{server.base}/api/plans/{pid}/incidents", json=incident, headers=org)
        assert r.status_code == 201, r.text
        while not doc.get("incidents"):
            next_document()
        assert "Jones" not in json.dumps(doc) and "org" not in json.dumps(doc["incidents"])
        # Private again: the stream ends, saying so.
        off = {"public": False, "incidents": True}
        assert (
            httpx.put(f"{server.base}/api/plans/{pid}/public", json=off, headers=org).status_code
            == 200
        )
        ended = time.monotonic()
        rest = list(lines)
        assert "event: closed" in rest and time.monotonic() - ended < 5
