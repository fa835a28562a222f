"""The control room's status kept incrementally equals one computed from scratch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from paradeops.live import Actual, Thresholds, project
from paradeops.service.checkins.service import checkins
from paradeops.service.context import ServiceContext
from paradeops.service.control import service
from paradeops.service.control.actuals import ActualsCache, Row
from paradeops.service.control.views import live_document
from paradeops.service.plans import service as plans

from .conftest import Clock
from .support import MSK, checkin, upload


def _documents(client: TestClient, headers: dict[str, str], pid: int) -> list[Any]:
    return [
        client.get(f"/api/plans/{pid}/{what}", headers=headers).json()
        for what in ("status", "live", "announcer")
    ]


def _cold(ctx: ServiceContext) -> None:
    ctx.actuals = ActualsCache()
    ctx.live.clear()
    ctx.events.clear()


def _from_scratch(ctx: ServiceContext, pid: int) -> dict[str, Any]:
    """The /live document as before: every row read and parsed, projected from all."""
    with ctx.db.sessions() as session:
        loaded = plans.load(ctx, session, pid)
        s = loaded.schedule
        rows = checkins(session, pid)
    actuals = tuple(
        Actual(
            r.unit,
            r.checkpoint,
            r.part,
            (dt.datetime.fromisoformat(r.at) - s.reference).total_seconds(),
        )
        for r in rows
    )
    now = (ctx.now() - s.reference).total_seconds()
    th = Thresholds(late_s=ctx.late_s, max_gap_m=loaded.plan.defaults.max_gap_m)
    live = project(s, actuals, now, min_gap_m=loaded.plan.defaults.min_gap_m, thresholds=th)
    doc = live_document(service.Snapshot(loaded, live, actuals, len(rows)))
    return orjson.loads(orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY))  # type: ignore[no-any-return]


def test_incremental_equals_cold_after_checkins_and_retries(
    client: TestClient, org: dict[str, str], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []

    def counted(session: Any, plan_id: int) -> Any:
        reads.append(plan_id)
        return checkins(session, plan_id)

    monkeypatch.setattr(service, "checkins", counted)
    pid = upload(client, org)
    ctx: ServiceContext = client.app.state.ctx  # type: ignore[attr-defined]
    assert client.get(f"/api/plans/{pid}/status", headers=org).json()["checkins"] == 0  # warm
    retry = checkin("colour-guard", "tribune", "head", "10:04:50")
    sequence = [
        checkin("colour-guard", "start", "head", "10:00:00"),
        checkin("colour-guard", "start", "head", "10:00:04"),  # a double tap: later, not news
        checkin("colour-guard", "start", "tail", "10:00:10"),
        retry,
        retry,  # the phone sent it again: stored once
        checkin("band", "start", "head", "10:01:30"),
        checkin("colour-guard", "start", "head", "09:59:58"),  # earlier: the first report now
        {**retry, "at": "2025-05-09T07:04:50+00:00"},  # the same instant in UTC: a retry
        checkin("band", "tribune", "head", "10:06:00"),
        checkin("tanks", "start", "head", "10:05:00"),
        checkin("band", "start", "tail", "10:02:10"),
        checkin("colour-guard", "release", "head", "10:08:40"),
    ]
    for i, c in enumerate(sequence):
        clock.at = dt.datetime(2025, 5, 9, 10, 1, tzinfo=MSK) + dt.timedelta(seconds=30 * i)
        r = client.post(f"/api/plans/{pid}/checkins", json=c, headers=org)
        assert r.status_code in (200, 201), r.text
        ctx.live.clear()  # a status reused for FRESH_S would hold an older "now"
        before = len(reads)
        warm = _documents(client, org, pid)
        assert len(reads) == before  # from memory: only the new rows were handed over
        assert warm[1] == _from_scratch(ctx, pid)
        _cold(ctx)
        assert _documents(client, org, pid) == warm
        assert len(reads) == before + 1  # cold: read in full once
    assert warm[0]["checkins"] == len(sequence) - 2


def _row(i: int, received: str, unit: str, cp: str, part: str, at: str) -> Row:
    return Row(f"id-{i:04d}", received, unit, cp, part, f"2025-05-09T{at}+03:00")


def test_cache_out_of_order_commits_and_duplicates(client: TestClient, org: dict[str, str]) -> None:
    """Two writers may commit a later-received batch first; rows may come twice."""
    pid = upload(client, org)
    ctx: ServiceContext = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.sessions() as session:
        s = plans.load(ctx, session, pid).schedule
    rows = [
        _row(0, "2025-05-09T07:00:01+00:00", "colour-guard", "start", "head", "10:00:05"),
        _row(1, "2025-05-09T07:00:02+00:00", "colour-guard", "start", "head", "10:00:01"),
        _row(2, "2025-05-09T07:00:03+00:00", "band", "start", "head", "10:01:00"),
        _row(3, "2025-05-09T07:00:03+00:00", "band", "nowhere", "head", "10:01:00"),
        _row(4, "2025-05-09T07:00:04+00:00", "colour-guard", "tribune", "head", "10:04:00"),
        _row(5, "2025-05-09T07:00:05+00:00", "band", "start", "head", "10:00:59"),
    ]
    warm = ActualsCache()
    assert warm.view(lambda: [], pid, 1, s).actuals == ()
    warm.committed(pid, [rows[4], rows[2]])
    warm.committed(pid, [rows[0], rows[5], rows[4]])
    warm.committed(pid, [rows[3], rows[1], rows[0]])
    got = warm.view(lambda: [], pid, 1, s)
    cold = ActualsCache().view(lambda: rows, pid, 1, s)
    assert got == cold
    assert got.actuals == tuple(
        Actual(
            r.unit,
            r.checkpoint,
            r.part,
            (dt.datetime.fromisoformat(r.at) - s.reference).total_seconds(),
        )  # type: ignore[arg-type]
        for r in rows
    )
    # As the projection's own reduction: the earliest per key, in first-seen order.
    assert [(a.unit, a.checkpoint, a.part, a.t) for a in got.first] == [
        ("colour-guard", "start", "head", 1.0),
        ("band", "start", "head", 59.0),
        ("colour-guard", "tribune", "head", 240.0),
    ]
    # A new revision is read in full again.
    assert warm.view(lambda: rows[:2], pid, 2, s).actuals == got.actuals[:2]


def test_rows_committed_during_the_cold_read_are_kept(
    client: TestClient, org: dict[str, str]
) -> None:
    pid = upload(client, org)
    ctx: ServiceContext = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.sessions() as session:
        s = plans.load(ctx, session, pid).schedule
    a = _row(0, "2025-05-09T07:00:01+00:00", "colour-guard", "start", "head", "10:00:05")
    b = _row(1, "2025-05-09T07:00:02+00:00", "band", "start", "head", "10:01:00")
    cache = ActualsCache()

    def read() -> list[Row]:
        # Committed while the read runs: a is in what it reads, b only handed over.
        cache.committed(pid, [a, b])
        return [a]

    assert len(cache.view(read, pid, 1, s).actuals) == 2
    assert len(cache.view(lambda: [], pid, 1, s).actuals) == 2


def test_voids_leave_the_same_view_as_a_cold_read_without_them(
    client: TestClient, org: dict[str, str]
) -> None:
    pid = upload(client, org)
    ctx: ServiceContext = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.db.sessions() as session:
        s = plans.load(ctx, session, pid).schedule
    rows = [
        _row(0, "2025-05-09T07:00:01+00:00", "colour-guard", "start", "head", "10:00:01"),
        _row(1, "2025-05-09T07:00:02+00:00", "colour-guard", "start", "head", "10:00:05"),
        _row(2, "2025-05-09T07:00:03+00:00", "band", "start", "head", "10:01:00"),
        _row(3, "2025-05-09T07:00:04+00:00", "band", "start", "head", "10:00:58"),
        _row(4, "2025-05-09T07:00:05+00:00", "tanks", "start", "head", "10:05:00"),
    ]
    warm = ActualsCache()
    warm.view(lambda: rows[:3], pid, 1, s)
    # The earliest report of colour-guard's head and the later, earlier-timed one of the
    # band's go: the first report per key is found again among the others.
    warm.voided(pid, [rows[0].id, rows[3].id])
    warm.voided(pid, [rows[4].id])  # voided before its row was handed over
    warm.committed(pid, rows[3:])
    kept = [rows[1], rows[2]]
    assert warm.view(lambda: [], pid, 1, s) == ActualsCache().view(lambda: kept, pid, 1, s)
    assert [a.t for a in warm.view(lambda: [], pid, 1, s).first] == [5.0, 60.0]
