"""Finding 10: history was append-only by convention only.

As the service's own database connection, UPDATE and DELETE (and TRUNCATE on
PostgreSQL) on the audit log, plan revisions, check-ins and guest books and
events are now refused by the database; INSERT still works and so does the
service.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.service.support import checkin, upload
from tests.service.test_guests import upload_book

HISTORY = ("audit_log", "plan_revisions", "checkins", "guest_books", "guest_records")
EVENT = {"at": "2025-05-06T18:00:00+03:00", "kind": "cancelled", "reason": "late"}


def fill_history(client: TestClient, org: dict[str, str]) -> int:
    """One row at least in every history table, written through the API (uploads are audited)."""
    pid = upload(client, org)
    r = client.post(
        f"/api/plans/{pid}/checkins", json=checkin("band", "start", "head", "10:01:00"), headers=org
    )
    assert r.status_code == 201, r.text
    upload_book(client, org)
    r = client.post("/api/guests/cn-leader/events", json=EVENT, headers=org)
    assert r.status_code == 201, r.text
    return pid


def refused(engine, sql: str) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql))
    return str(caught.value.orig)


def counts(engine) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in HISTORY
        }


def test_history_tables_refuse_update_and_delete(
    app, client: TestClient, org: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    pid = fill_history(client, org)
    engine = app.state.ctx.db.engine
    before = counts(engine)
    assert all(n >= 1 for n in before.values()), before
    for table in HISTORY:
        column = (
            "created_by"
            if table in ("plan_revisions", "guest_books")
            else ("actor" if table == "audit_log" else "recorded_by")
        )
        assert f"{table} is append-only" in refused(
            engine, f"UPDATE {table} SET {column} = 'mallory'"
        )
        assert f"{table} is append-only" in refused(engine, f"DELETE FROM {table}")
        if engine.dialect.name == "postgresql":
            assert f"{table} is append-only" in refused(engine, f"TRUNCATE {table} CASCADE")
    assert counts(engine) == before

    # Appending still works, through the API and as plain SQL.
    r = client.post(
        f"/api/plans/{pid}/checkins",
        json=checkin("band", "tribune", "head", "10:03:00"),
        headers=org,
    )
    assert r.status_code == 201, r.text
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES (:at, 'sql', 'note', 'x', '{}')"
            ),
            {"at": "2025-05-09T10:00:00+03:00"},
        )
    after = counts(engine)
    assert after["checkins"] == before["checkins"] + 1
    assert after["audit_log"] >= before["audit_log"] + 1

    # The service reads its history as before.
    assert len(client.get(f"/api/plans/{pid}/checkins", headers=org).json()) == 2
    assert client.get(f"/api/plans/{pid}/status", headers=org).status_code == 200
    assert client.get("/api/guests/cn-leader/history", headers=org).status_code == 200
