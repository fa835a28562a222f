"""Tester's findings 1 and 4: streams outlived their sign-in; one account filled a plan's cap.

Before: a control-room or announcer stream opened with a token kept receiving
events after ``POST /api/logout``, ``paradeops user delete``/``disable``/
``set-role`` or ``paradeops secret rotate``; and five streams of one account
with ``--max-watchers 5`` made the sixth watcher, anybody's, a 503. Now a
stream ends (after an ``event: signed-out``) within seconds of its sign-in
ending, and one sign-in may hold at most ``--max-watchers-per-session``
streams (429), on top of the per-plan cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import Run
from tests.service.server import Server, add_users

from .test_watchers import Stream, new_plan

#: The docs promise about 2 s for a sign-in to end everywhere; a stream within this [s].
WITHIN_S = 4.0


def _start(tmp_path: Path, *args: str) -> Server:
    url = str(tmp_path / "paradeops.sqlite")
    add_users(url)
    return Server(url, tmp_path / "server.log", args=args).start()


async def ended_within(s: Stream, seconds: float) -> tuple[float, bytes]:
    """Read ``s`` until the server ends it; (how long that took, the last event's bytes)."""
    start = time.monotonic()
    last = b""
    try:
        async with asyncio.timeout(seconds):
            while True:
                last = await s._chunk()
    except EOFError:
        return time.monotonic() - start, last
    except TimeoutError:
        raise AssertionError(f"the stream still ran after {seconds} s") from None


@pytest.mark.parametrize(
    "how", ["logout", "user delete", "user disable", "user set-role", "secret rotate"]
)
def test_a_stream_ends_within_seconds_of_its_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Run, how: str
) -> None:
    if how == "secret rotate":  # a key file rather than PARADEOPS_SECRET_KEY
        monkeypatch.delenv("PARADEOPS_SECRET_KEY")
    srv = _start(tmp_path)
    url = srv.url_db
    try:
        org = srv.token("org")
        pid = new_plan(srv, org)
        mar = srv.token("mar")  # a second account, so that "user delete" is allowed

        async def scenario() -> None:
            streams = [
                await Stream.open(srv.port, f"/api/plans/{pid}/events", mar),
                await Stream.open(srv.port, f"/api/plans/{pid}/announcer/events", mar),
            ]
            keeps = await Stream.open(srv.port, f"/api/plans/{pid}/events", org)
            for s in [*streams, keeps]:
                assert s.status == 200 and (await s.event()).kind == "snapshot"
            if how == "logout":
                async with httpx.AsyncClient(timeout=10) as client:
                    r = await client.post(srv.base + "/api/logout", headers=mar)
                    assert r.status_code == 204
            else:
                args = how.split() + (["mar"] if how.startswith("user") else [])
                args += ["viewer"] if how == "user set-role" else []
                r = await asyncio.to_thread(cli, *args, "--database", url)
                assert r.code == 0, r.err
            for s in streams:
                took, last = await ended_within(s, WITHIN_S)
                assert last.startswith(b"event: signed-out\n"), last[:200]
            if how != "secret rotate":  # other sign-ins and their streams are untouched
                async with httpx.AsyncClient(headers=org, timeout=10) as client:
                    assert (await client.get(srv.base + "/api/me")).status_code == 200
                # (An ended stream would raise EOFError here.)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(keeps.event(), 1.5)
            # Opening again with the ended sign-in is refused.
            again = await Stream.open(srv.port, f"/api/plans/{pid}/events", mar)
            assert again.status == 401
            for s in [*streams, keeps, again]:
                s.close()

        asyncio.run(scenario())
        assert "watcher ended: its sign-in has ended" in Path(srv.log).read_text()
    finally:
        srv.stop()


def test_one_sign_in_cannot_fill_a_plans_watcher_slots(tmp_path: Path) -> None:
    srv = _start(tmp_path, "--max-watchers", "5", "--max-watchers-per-session", "4")
    try:
        org = srv.token("org")
        pid = new_plan(srv, org)
        mar = srv.token("mar")
        path = f"/api/plans/{pid}/events"

        async def scenario() -> None:
            held = [await Stream.open(srv.port, path, mar) for _ in range(4)]
            assert all(s.status == 200 for s in held)
            fifth = await Stream.open(srv.port, f"/api/plans/{pid}/announcer/events", mar)
            assert fifth.status == 429 and fifth.headers["retry-after"] == "10"
            detail = json.loads(fifth.body)["detail"]
            assert "this sign-in already has the most streams allowed (4)" in detail
            # Somebody else still gets the plan's last slot.
            other = await Stream.open(srv.port, path, org)
            assert other.status == 200 and (await other.event()).kind == "snapshot"
            # A stream that leaves gives its sign-in a slot back.
            held.pop().close()
            deadline = time.monotonic() + 2.0
            while True:
                again = await Stream.open(srv.port, f"/api/plans/{pid}/announcer/events", mar)
                if again.status == 200 or time.monotonic() > deadline:
                    break
                again.close()
                await asyncio.sleep(0.1)
            assert again.status == 200
            for s in [*held, other, fifth, again]:
                s.close()

        asyncio.run(scenario())
        assert "watcher refused: a session has its 4 watchers" in Path(srv.log).read_text()
    finally:
        srv.stop()
