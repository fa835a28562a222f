"""Finding 2: one bad check-in broke the control room for good, and nothing could remove it.

A marshal posted ``"at": "9999-12-31T23:59:59+00:00"`` (or year 1, ``-1``,
``1e12``): 201, then ``/status``, ``/live``, the announcer and the SSE stream
of that plan answered 500. Now ``at`` must be ISO 8601 text within the plan's
check-in window; rows stored before (or by hand) are skipped and flagged; a
mistaken check-in is voided (appended, audited), never deleted. Also finding
12's share here: a failed write leaves a log line and answers 503.

In-process against the real app here (SQLite and PostgreSQL); the SSE stream
against a real server in ``test_checkins_server.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from paradeops.service.context import ServiceContext
from paradeops.service.control.actuals import ActualsCache
from tests.service.conftest import Clock
from tests.service.support import checkin, upload

WINDOW = "2025-05-08T00:00:00+03:00 to 2025-05-11T00:00:00+03:00"
ATTACKS = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2025-05-11T00:00:01+03:00"]
NOT_TEXT = [-1, 1e12, "-1", "1e12", "1746777600"]
# Both ways in: the fast path takes application/json, the FastAPI route any "+json".
KINDS = ["application/json", "application/x-checkin+json"]


def post(client: TestClient, pid: int, body: dict[str, Any], headers: dict[str, str], kind: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/plans/{pid}/checkins",
        content=json.dumps(body),
        headers={**headers, "Content-Type": kind},
    )


def control_room(client: TestClient, pid: int, headers: dict[str, str]) -> dict[str, Any]:
    """/status, /live and /announcer all answer; the status document."""
    for what in ("live", "announcer", "checkin-window"):
        r = client.get(f"/api/plans/{pid}/{what}", headers=headers)
        assert r.status_code == 200, (what, r.text)
    r = client.get(f"/api/plans/{pid}/status", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def insert_rows(engine: Engine, pid: int, rows: list[tuple[str, str, str, str, str]]) -> None:
    """Rows as an old version (or a hand at the SQL console) stored them: no checks."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO checkins (id, plan_id, unit, checkpoint, part, at, received_at, "
                "recorded_by) VALUES (:id, :pid, :unit, :cp, :part, :at, :rx, 'legacy')"
            ),
            [
                {"id": i, "pid": pid, "unit": u, "cp": cp, "part": part, "at": at}
                | {"rx": "2025-05-09T06:55:00.000000+00:00"}
                for i, u, cp, part, at in rows
            ],
        )


def cold(ctx: ServiceContext) -> None:
    """The control room's memory as after a restart."""
    ctx.actuals = ActualsCache()
    ctx.live.clear()
    ctx.events.clear()


def audit(client: TestClient, org: dict[str, str], action: str) -> list[dict[str, Any]]:
    entries = client.get("/api/audit", headers=org).json()
    return [a for a in entries if a["action"] == action]


def test_times_out_of_the_window_are_refused_and_the_control_room_holds(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    pid = upload(client, org)
    for kind in KINDS:
        for at in ATTACKS:
            r = post(
                client, pid, {**checkin("band", "start", "head", "10:00:00"), "at": at}, mar, kind
            )
            assert r.status_code == 400, (kind, at, r.text)
            detail = r.json()["detail"]
            assert detail.startswith(f"at: {dt.datetime.fromisoformat(at).isoformat()} is outside")
            assert WINDOW in detail and "check the phone's date" in detail
            assert f"PUT /api/plans/{pid}/checkin-window" in detail
        for at in NOT_TEXT:
            r = post(
                client, pid, {**checkin("band", "start", "head", "10:00:00"), "at": at}, mar, kind
            )
            assert r.status_code == 422, (kind, at, r.text)
            assert "ISO 8601 text with an offset" in r.text and '"at"' in r.text
    # The edges of the default window are in it.
    for at in ("2025-05-08T00:00:00+03:00", "2025-05-11T00:00:00+03:00", "2025-05-10T21:00:00Z"):
        r = post(
            client, pid, {**checkin("band", "start", "head", "10:00:00"), "at": at}, mar, KINDS[0]
        )
        assert r.status_code == 201, (at, r.text)
    assert client.get(f"/api/plans/{pid}/checkins", headers=org).json()[0]["void"] is None
    assert control_room(client, pid, mar)["checkins"] == 3


def test_out_of_range_rows_stored_earlier_are_skipped_and_flagged(
    app, client: TestClient, org: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    pid = upload(client, org)
    good = checkin("colour-guard", "start", "head", "10:00:30")
    assert client.post(f"/api/plans/{pid}/checkins", json=good, headers=org).status_code == 201
    control_room(client, pid, org)
    bad = [
        ("legacy-future", "band", "start", "head", "9999-12-31T23:59:59+00:00"),
        ("legacy-year-1", "band", "tribune", "head", "0001-01-01T00:00:00+03:00"),
        ("legacy-west", "tanks", "start", "head", "9999-12-31T23:59:59-05:00"),
        ("legacy-text", "tanks", "tribune", "head", "yesterday"),
        ("legacy-naive", "colour-guard", "tribune", "head", "2025-05-09T10:03:00"),
        ("legacy-part", "colour-guard", "release", "middle", "2025-05-09T10:06:00+03:00"),
        ("legacy-decade", "band", "release", "tail", "2035-05-09T10:06:00+03:00"),
    ]
    insert_rows(app.state.ctx.db.engine, pid, bad)
    cold(app.state.ctx)  # as after a restart: all of them read afresh
    status = control_room(client, pid, org)
    assert status["checkins"] == 1 and status["skipped_checkins"] == len(bad)
    flagged = [a for a in status["alerts"] if a["kind"] == "data"]
    assert len(flagged) == 1 and flagged[0]["amount"] == len(bad)
    assert (
        "7 stored check-in(s)" in flagged[0]["message"] and "legacy-decade" in flagged[0]["message"]
    )
    cg = next(u for u in status["units"] if u["id"] == "colour-guard")
    assert cg["last"] == {"checkpoint": "start", "part": "head", "at": "2025-05-09T10:00:30+03:00"}
    listed = client.get(f"/api/plans/{pid}/checkins", headers=org)
    assert listed.status_code == 200 and len(listed.json()) == 1 + len(bad)
    # A legacy row can be voided like any other: it is no longer flagged.
    r = client.post(
        f"/api/plans/{pid}/checkins/legacy-future/void",
        json={"reason": "phone in 9999"},
        headers=org,
    )
    assert r.status_code == 201, r.text
    assert control_room(client, pid, org)["skipped_checkins"] == len(bad) - 1
    # A retry of a legacy id with a sane time is told it is taken, not a 500.
    again = {**checkin("band", "start", "head", "10:00:00"), "id": "legacy-text"}
    assert client.post(f"/api/plans/{pid}/checkins", json=again, headers=org).status_code == 409


def test_organiser_voids_a_checkin_which_leaves_the_projection_but_not_the_record(
    client: TestClient, org: dict[str, str], mar: dict[str, str], clock: Clock
) -> None:
    pid = upload(client, org)
    keep = checkin("colour-guard", "start", "head", "10:00:00")
    wrong = checkin("colour-guard", "tribune", "head", "10:01:00")  # far too early: a mistake
    for c, who in ((keep, mar), (wrong, org)):
        assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=who).status_code == 201
    before = control_room(client, pid, org)
    cg = next(u for u in before["units"] if u["id"] == "colour-guard")
    assert before["checkins"] == 2 and cg["last"]["checkpoint"] == "tribune"

    clock.at += dt.timedelta(minutes=10)  # organisers are not bound by the marshal's 60 s
    url = f"/api/plans/{pid}/checkins/{wrong['id']}/void"
    for hostile in ("wrong unit\u0007", "line\nbreak", "\u202eoverride", "   "):
        r = client.post(url, json={"reason": hostile}, headers=org)  # reaches pages and the log
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "reason", r.text
    r = client.post(url, json={"reason": "tapped the wrong checkpoint"}, headers=org)
    assert r.status_code == 201, r.text
    assert r.json() == {
        "checkin_id": wrong["id"],
        "reason": "tapped the wrong checkpoint",
        "voided_by": "org",
        "voided_at": clock.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    after = control_room(client, pid, org)
    cg = next(u for u in after["units"] if u["id"] == "colour-guard")
    assert after["checkins"] == 1 and cg["last"]["checkpoint"] == "start"
    live = client.get(f"/api/plans/{pid}/live", headers=org).json()
    assert [(p["unit"], p["x"]) for p in live["graph"]["actuals"]] == [("colour-guard", 0.0)]

    # Still listed, marked; audited with its reason.
    listed = {c["id"]: c for c in client.get(f"/api/plans/{pid}/checkins", headers=org).json()}
    assert listed[wrong["id"]]["void"] == r.json() and listed[keep["id"]]["void"] is None
    (entry,) = audit(client, org, "checkin.void")
    assert entry["actor"] == "org" and entry["target"] == wrong["id"]
    assert json.loads(entry["detail"])["reason"] == "tapped the wrong checkpoint"

    # The phone sends it again (its queue): still voided, still out of the projection.
    again = client.post(f"/api/plans/{pid}/checkins", json=wrong, headers=org)
    assert again.status_code == 200 and again.json()["void"]["reason"] == r.json()["reason"]
    assert control_room(client, pid, org)["checkins"] == 1
    # Cold (a restart): read without it.
    cold(client.app.state.ctx)  # type: ignore[attr-defined]
    assert control_room(client, pid, org)["checkins"] == 1

    # Twice: 409. Unknown, or another plan's: 404. A reason of 0 or 501 characters: 422.
    assert client.post(url, json={"reason": "again"}, headers=org).status_code == 409
    other = upload(client, org)
    for bad_url in (
        f"/api/plans/{pid}/checkins/no-such-checkin/void",
        f"/api/plans/{other}/checkins/{keep['id']}/void",
        f"/api/plans/999/checkins/{keep['id']}/void",
    ):
        assert client.post(bad_url, json={"reason": "x"}, headers=org).status_code == 404
    keep_url = f"/api/plans/{pid}/checkins/{keep['id']}/void"
    for body in ({"reason": ""}, {"reason": "x" * 501}, {}, {"reason": "x", "extra": 1}):
        assert client.post(keep_url, json=body, headers=org).status_code == 422
    assert len(audit(client, org, "checkin.void")) == 1


def test_marshal_undoes_their_own_checkin_within_60_s_only(
    client: TestClient, org: dict[str, str], mar: dict[str, str], view: dict[str, str], clock: Clock
) -> None:
    pid = upload(client, org)
    first = checkin("band", "start", "head", "10:01:00")
    second = checkin("band", "start", "tail", "10:01:40")
    by_org = checkin("tanks", "start", "head", "10:03:00")
    for c, who in ((first, mar), (second, mar), (by_org, org)):
        assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=who).status_code == 201

    def void(c: dict[str, str], who: dict[str, str]):  # type: ignore[no-untyped-def]
        url = f"/api/plans/{pid}/checkins/{c['id']}/void"
        return client.post(url, json={"reason": "undo"}, headers=who)

    clock.at += dt.timedelta(seconds=59)
    assert void(first, view).status_code == 403  # viewers never
    mine = void(first, mar)
    assert mine.status_code == 201 and mine.json()["voided_by"] == "mar"
    other = void(by_org, mar)
    assert other.status_code == 403 and "only their own" in other.json()["detail"]
    clock.at += dt.timedelta(seconds=2)  # 61 s after the receipt
    late = void(second, mar)
    assert late.status_code == 403 and "ask an organiser" in late.json()["detail"]
    assert void(second, org).status_code == 201
    assert control_room(client, pid, org)["checkins"] == 1
    assert [a["actor"] for a in audit(client, org, "checkin.void")] == ["org", "mar"]


def test_a_plan_gets_its_own_window_for_a_rehearsal(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    pid = upload(client, org)
    url = f"/api/plans/{pid}/checkin-window"
    default = client.get(url, headers=mar).json()
    assert default == {
        "from": "2025-05-08T00:00:00+03:00",
        "until": "2025-05-11T00:00:00+03:00",
        "source": "default",
        "set_by": None,
        "set_at": None,
    }
    rehearsal = {**checkin("band", "start", "head", "10:00:00"), "at": "2025-05-02T10:00:00+03:00"}
    assert client.post(f"/api/plans/{pid}/checkins", json=rehearsal, headers=mar).status_code == 400

    window = {"from": "2025-05-01T00:00:00+03:00", "until": "2025-05-10T00:00:00+03:00"}
    assert client.put(url, json=window, headers=mar).status_code == 403
    r = client.put(url, json=window, headers=org)
    assert r.status_code == 200, r.text
    assert r.json()["source"] == "plan" and r.json()["set_by"] == "org"
    assert client.get(url, headers=mar).json() == r.json()
    assert client.post(f"/api/plans/{pid}/checkins", json=rehearsal, headers=mar).status_code == 201
    late = {**checkin("band", "start", "tail", "10:00:00"), "at": "2025-05-10T00:00:01+03:00"}
    refused = client.post(f"/api/plans/{pid}/checkins", json=late, headers=mar)
    assert refused.status_code == 400 and "set by org" in refused.json()["detail"]
    (entry,) = audit(client, org, "checkin.window")
    assert json.loads(entry["detail"])["from_at"] == "2025-05-01T00:00:00+03:00"

    # Bad windows: backwards, more than a year away, numbers, missing an offset.
    for body, status, field in (
        ({"from": window["until"], "until": window["from"]}, 400, "until"),
        ({"from": "2030-01-01T00:00:00Z", "until": "2030-01-02T00:00:00Z"}, 400, "from"),
        ({"from": "2025-05-01T00:00:00Z", "until": "9999-12-31T23:59:59Z"}, 400, "until"),
        ({"from": 0, "until": 1e12}, 422, "from"),
        ({"from": "2025-05-01T00:00:00", "until": "2025-05-02T00:00:00Z"}, 422, "from"),
    ):
        bad = client.put(url, json=body, headers=org)
        assert bad.status_code == status, (body, bad.text)
        assert field in bad.text
    assert client.put("/api/plans/999/checkin-window", json=window, headers=org).status_code == 404

    # Back to the default: appended (history kept), the rehearsal time refused again.
    back = client.delete(url, headers=org)
    assert back.status_code == 200 and back.json() == default
    again = {**rehearsal, "id": rehearsal["id"] + "-2"}
    assert client.post(f"/api/plans/{pid}/checkins", json=again, headers=mar).status_code == 400
    assert len(audit(client, org, "checkin.window")) == 2
    # The rehearsal check-in stays (it was valid when made), and the control room holds.
    assert control_room(client, pid, org)["checkins"] == 1


FAIL_SQLITE = (
    "CREATE TRIGGER test_disk_full BEFORE INSERT ON checkins WHEN NEW.unit = 'tanks' "
    "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"
)
FAIL_PG = (
    "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$",
    "CREATE TRIGGER test_disk_full BEFORE INSERT ON checkins FOR EACH ROW "
    "WHEN (NEW.unit = 'tanks') EXECUTE FUNCTION test_disk_full()",
)


def test_a_failed_write_is_logged_and_answered_503(
    app, client: TestClient, org: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    """The database refuses the insert (a trigger stands in for a full disk): before, the
    exception went to the client unlogged; now the log has it, the client a plain 503."""
    pid = upload(client, org)
    engine = app.state.ctx.db.engine
    with engine.begin() as conn:
        for sql in (FAIL_SQLITE,) if engine.dialect.name == "sqlite" else FAIL_PG:
            conn.execute(text(sql))
    caplog.set_level(logging.ERROR, logger="paradeops.service.checkins.writer")
    for kind in KINDS:
        c = checkin("tanks", "start", "head", "10:05:00")
        r = post(client, pid, c, org, kind)
        assert r.status_code == 503, (kind, r.text)
        assert r.json() == {"detail": "not stored, try again"}
        assert r.headers["retry-after"] == "1"
    failures = [rec for rec in caplog.records if rec.name == "paradeops.service.checkins.writer"]
    assert len(failures) == len(KINDS)
    for rec in failures:
        assert rec.getMessage() == "check-in batch of 1 not stored"
        assert rec.exc_info is not None and "disk full (test)" in str(rec.exc_info[1])
    # The writer lives on: other check-ins are stored, and the failed one once the fault is gone.
    ok = checkin("band", "start", "head", "10:01:00")
    assert client.post(f"/api/plans/{pid}/checkins", json=ok, headers=org).status_code == 201
    with engine.begin() as conn:
        conn.execute(
            text(
                "DROP TRIGGER test_disk_full"
                + ("" if engine.dialect.name == "sqlite" else " ON checkins")
            )
        )
    assert post(client, pid, c, org, KINDS[0]).status_code == 201
    assert control_room(client, pid, org)["checkins"] == 2
