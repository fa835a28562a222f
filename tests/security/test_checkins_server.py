"""Finding 2 against a real server: the SSE stream of a plan with bad times, and a void.

Before, one check-in in the year 9999 made the plan's stream fail for good
(its first event raised OverflowError). Now the attack is refused, rows
stored earlier are skipped and flagged, and a void reaches every watcher.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from paradeops.store import open_database
from tests.service.server import Server, add_users
from tests.service.support import checkin

pytestmark = pytest.mark.slow
LEGACY = [
    ("legacy-future", "band", "start", "head", "9999-12-31T23:59:59+00:00"),
    ("legacy-year-1", "tanks", "start", "head", "0001-01-01T00:00:00+03:00"),
]
#: The issue asks for 1 s; looser for a loaded test machine.
UPDATE_S = 3.0


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    add_users(database_url)
    # The parade's morning, running at the real pace (a marshal's 60 s are real seconds).
    srv = Server(database_url, tmp_path / "server.log", "2025-05-09T09:50:00+03:00").start()
    yield srv
    srv.stop()


def insert_legacy(url: str, plan_id: int) -> None:
    """As a version before the fix stored them (no window), straight into the database."""
    db = open_database(url, migrate=False)
    try:
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO checkins (id, plan_id, unit, checkpoint, part, at, received_at, "
                    "recorded_by) VALUES (:id, :pid, :unit, :cp, :part, :at, :rx, 'legacy')"
                ),
                [
                    {"id": i, "pid": plan_id, "unit": u, "cp": cp, "part": p, "at": at}
                    | {"rx": "2025-05-09T06:49:00.000000+00:00"}
                    for i, u, cp, p, at in LEGACY
                ],
            )
    finally:
        db.dispose()


def merge(doc: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7396: a whole document (``status``/``snapshot``) or a ``delta`` applies alike."""
    out = dict(doc)
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


class Watcher:
    """The control room's stream, as its page reads it."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.doc: dict[str, Any] = {}

    def next(self) -> dict[str, Any]:
        for line in self.lines:
            if line.startswith("data:"):
                self.doc = merge(self.doc, json.loads(line[5:]))
                return self.doc
        raise AssertionError("the stream ended")

    def until(self, checkins: int) -> float:
        """Seconds until the document shows ``checkins`` check-ins."""
        start = time.monotonic()
        while self.next()["checkins"] != checkins:
            assert time.monotonic() - start < 30, self.doc["checkins"]
        return time.monotonic() - start


def test_bad_times_never_break_the_stream_and_a_void_reaches_the_watchers(
    server: Server,
) -> None:
    org, mar = server.token("org"), server.token("mar")
    pid = server.upload(org)
    insert_legacy(server.url_db, pid)
    with httpx.Client(base_url=server.base, timeout=30) as client:
        # The attack of the finding, both ways: refused, nothing stored.
        for at in ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"):
            body = {**checkin("band", "start", "head", "10:00:00"), "at": at}
            r = client.post(f"/api/plans/{pid}/checkins", json=body, headers=mar)
            assert r.status_code == 400 and r.json()["detail"].startswith("at: "), r.text
        for at in (-1, 1e12):
            body = {**checkin("band", "start", "head", "10:00:00"), "at": at}
            r = client.post(f"/api/plans/{pid}/checkins", json=body, headers=mar)
            assert r.status_code == 422, r.text
        for what in ("status", "live", "announcer"):
            r = client.get(f"/api/plans/{pid}/{what}", headers=org)
            assert r.status_code == 200, (what, r.text)
        assert client.get(f"/api/plans/{pid}/status", headers=org).json()["skipped_checkins"] == 2

        with client.stream("GET", f"/api/plans/{pid}/announcer/events", headers=org) as events:
            assert events.status_code == 200
            assert Watcher(events.iter_lines()).next()["checkins"] == 0
        with client.stream("GET", f"/api/plans/{pid}/events", headers=org) as events:
            assert events.status_code == 200
            watcher = Watcher(events.iter_lines())
            first = watcher.next()
            assert first["checkins"] == 0 and first["skipped_checkins"] == 2
            # Collections are keyed objects on the stream (small deltas).
            assert any(a["kind"] == "data" for a in first["alerts"].values())

            good = checkin("colour-guard", "start", "head", "10:00:05")
            r = client.post(f"/api/plans/{pid}/checkins", json=good, headers=mar)
            assert r.status_code == 201, r.text
            assert watcher.until(1) < UPDATE_S
            points = watcher.doc["graph"]["actuals"].values()
            assert [p["unit"] for p in points] == ["colour-guard"]

            # The marshal's undo, seconds later: every watcher sees it go.
            url = f"/api/plans/{pid}/checkins/{good['id']}/void"
            r = client.post(url, json={"reason": "undo"}, headers=mar)
            assert r.status_code == 201, r.text
            assert watcher.until(0) < UPDATE_S
            assert watcher.doc["graph"]["actuals"] == {}
    log = Path(server.log).read_text()
    assert "Traceback" not in log and "OverflowError" not in log
