"""Tester's finding 5: control-room updates of a late-running parade were whole documents.

Before: the city parade (124 units) replayed from 13:05 with three check-ins
sent a 457 kB snapshot, then a 370 kB delta every 5 s and on each check-in:
the projections of every unit not yet seen move with the clock, and each was
an ISO time in an array (arrays are replaced whole in a merge patch). Now a
unit's projected times are seconds after one ``anchor_s`` of its own, so a
projection that moves as a whole changes one number (measured: ~31 kB per
heartbeat, ~47 kB for a check-in, most of it the late alerts' amounts).
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from pathlib import Path

import httpx

from tests.service.server import Server, add_users

from .test_watchers import Stream, follow, until

PLAN = Path(__file__).parents[2] / "examples" / "city-parade" / "plan.yaml"
CHECKINS = [
    ("mounted-police", "start", "head", "13:00:30"),
    ("fire-engines", "start", "head", "13:01:30"),
    ("mounted-police", "start", "tail", "13:00:50"),
]


def test_a_late_parade_sends_small_deltas_and_stays_correct(tmp_path: Path) -> None:
    url = str(tmp_path / "paradeops.sqlite")
    add_users(url)
    srv = Server(url, tmp_path / "server.log", clock_start="2025-08-23T13:05:00+01:00").start()
    try:
        org = srv.token("org")
        r = httpx.post(
            srv.base + "/api/plans",
            content=PLAN.read_bytes(),
            headers={**org, "Content-Type": "application/yaml"},
            timeout=120,
        )
        assert r.status_code == 201, r.text
        pid = int(r.json()["id"])

        async def scenario() -> None:
            s = await Stream.open(srv.port, f"/api/plans/{pid}/events", org)
            first = await s.event()
            assert first.kind == "snapshot" and len(first.data["units"]) == 124
            doc = first.data
            async with httpx.AsyncClient(headers=org, timeout=30) as client:
                for unit, cp, part, at in CHECKINS:
                    body = {"id": str(uuid.uuid4()), "unit": unit, "checkpoint": cp}
                    body |= {"part": part, "at": f"2025-08-23T{at}+01:00"}
                    r = await client.post(f"{srv.base}/api/plans/{pid}/checkins", json=body)
                    assert r.status_code == 201, r.text
            events = await until(s, lambda e: e.data.get("checkins") == 3, 15)
            doc = follow(doc, events)
            # Two heartbeats later (every 5 s): the clock moved every projection.
            beats = [await asyncio.wait_for(s.event(), 8) for _ in range(2)]
            assert all(e.kind == "delta" and "checkins" not in e.data for e in beats)
            doc = follow(doc, beats)
            sizes = [e.size for e in events], [e.size for e in beats]
            assert max(e.size for e in events) < 80_000, sizes  # 391 kB before
            assert max(e.size for e in beats) < 50_000, sizes  # 370 kB before
            late = beats[-1].data["units"]
            assert len(late) > 100 and all("anchor_s" in u for u in late.values() if u)
            # What the deltas built is what a newcomer gets whole.
            fresh = await Stream.open(srv.port, f"/api/plans/{pid}/events", org)
            snap = await fresh.event()
            if snap.id > beats[-1].id:
                doc = follow(doc, await until(s, lambda e: e.id == snap.id))
            assert doc == snap.data
            # And it agrees with /live: the next checkpoint's time of a late unit.
            live = httpx.get(f"{srv.base}/api/plans/{pid}/live", headers=org, timeout=30).json()
            unit = next(u for u in live["units"] if u["id"] == "float-old-town-traders")
            mine = doc["units"]["float-old-town-traders"]
            ref = doc["reference"]
            head = unit["ahead"][0]["head"]
            expected = (datetime.fromisoformat(head) - datetime.fromisoformat(ref)).total_seconds()
            got = mine["anchor_s"] + mine["ahead"][unit["ahead"][0]["checkpoint"]]["head"]
            assert abs(got - expected) <= 6.0  # /live is a moment later; whole-second offsets
            assert any(a["kind"] == "late" for a in doc["alerts"].values())  # alerts still come
            s.close()
            fresh.close()

        asyncio.run(scenario())
    finally:
        srv.stop()
