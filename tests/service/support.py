"""Helpers for the service tests: a small plan (the examples may change under us), uploads, check-ins."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select

from paradeops.service.users.models import User
from paradeops.service.users.service import assign
from paradeops.store import Database
from paradeops.synthetic import SMALL_SERVICE_PLAN

MSK = ZoneInfo("Europe/Moscow")

#: A small plan, the same the service benchmarks upload (the examples may change under us).
SMALL_PLAN = SMALL_SERVICE_PLAN


YAML = {"Content-Type": "application/yaml"}


def upload(client: TestClient, headers: dict[str, str], text: str = SMALL_PLAN) -> int:
    """Upload a plan; the fixture marshal ``mar`` (if any) is assigned its ``start``.

    As an organiser would with ``paradeops user assign mar --plan ID --checkpoint start``:
    assignments are per plan, and most tests check in as ``mar`` at ``start``.
    """
    r = client.post("/api/plans", content=text, headers={**headers, **YAML})
    assert r.status_code == 201, r.text
    assert r.json()["revision"] == 1
    plan_id = int(r.json()["id"])
    assign_fixture_marshal(client.app.state.ctx.db, plan_id, ["start"])  # type: ignore[attr-defined]
    return plan_id


def assign_fixture_marshal(db: Database, plan_id: int, checkpoints: list[str]) -> None:
    """Assign ``mar`` to ``checkpoints`` of ``plan_id`` when that user exists."""
    with db.writing() as s:
        if s.scalar(select(User).where(User.name == "mar")) is None:
            return
        assign(s, "mar", plan_id, checkpoints, now=dt.datetime.now(dt.UTC), actor="test")


def checkin(unit: str, checkpoint: str, part: str, hh_mm_ss: str, cid: str | None = None) -> dict:
    h, m, s = (int(x) for x in hh_mm_ss.split(":"))
    at = dt.datetime(2025, 5, 9, h, m, s, tzinfo=MSK)
    return {
        "id": cid or str(uuid.uuid4()),
        "unit": unit,
        "checkpoint": checkpoint,
        "part": part,
        "at": at.isoformat(),
    }
