"""Migrations upgrade a populated database of revision 0001 without losing anything.

A database at 0001 (the schema of the last release) is filled through plain
SQL with a row of every kind, then upgraded to every head that exists now;
each row is still there, column for column, and the service serves them:
plans load, check-ins are listed, guest books read, users sign in, and the
marshal keeps the checkpoint they had.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from paradeops.protocol.guests import Event
from paradeops.service import create_app
from paradeops.service.guests.service import event_data
from paradeops.service.users.service import hasher
from paradeops.store import open_database
from paradeops.store.migrate import code_heads, database_heads, upgrade
from tests.conftest import Run

from .conftest import PASSWORD, Clock, login
from .support import SMALL_PLAN, checkin

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025" / "guests.yaml"
AT = "2025-05-01T12:00:00+00:00"

#: Every table of revision 0001, its columns then, and its order.
TABLES_0001 = {
    "settings": ("key, value", "key"),
    "users": ("id, name, role, password_hash, created_at", "id"),
    "audit_log": ("id, at, actor, action, target, detail", "id"),
    "plans": ("id, name, created_at, created_by", "id"),
    "plan_revisions": (
        "plan_id, revision, filename, text, geometry_name, geometry, created_at, created_by",
        "plan_id, revision",
    ),
    "checkins": ("id, plan_id, unit, checkpoint, part, at, received_at, recorded_by", "id"),
    "guest_books": ("id, name, text, created_at, created_by", "id"),
    "guest_records": ("seq, book_id, kind, data, recorded_at, recorded_by", "seq"),
}
#: Rows a migration removes on purpose (0002: the signing secret leaves the database).
REMOVED = {"settings": {("token_secret", "s3cret")}}


def fill_0001(engine: Engine) -> list[str]:
    """One or more representative rows in every table; returns the check-in ids."""
    checkins = [
        checkin(u, "start", "head", t)
        for u, t in (("colour-guard", "10:00:05"), ("band", "10:01:10"))
    ]
    event = Event(
        guest="cn-leader", at="2025-05-06T18:00:00+03:00", kind="cancelled", reason="late"
    )
    with engine.begin() as conn:
        run = conn.execute
        run(
            text(
                "INSERT INTO settings (key, value) VALUES ('token_secret', 's3cret'), ('site', 'x')"
            )
        )
        for i, (name, role, cps) in enumerate(
            (("org", "organiser", []), ("mar", "marshal", ["start"]), ("view", "viewer", [])), 1
        ):
            run(
                text(
                    "INSERT INTO users (id, name, role, password_hash, checkpoints, created_at) "
                    "VALUES (:id, :name, :role, :hash, :cps, :at)"
                ),
                {
                    "id": i,
                    "name": name,
                    "role": role,
                    "hash": hasher.hash(PASSWORD),
                    "cps": json.dumps(cps),
                    "at": AT,
                },
            )
        run(
            text(
                "INSERT INTO audit_log (at, actor, action, target, detail) VALUES "
                "(:at, 'org', 'plan.create', 'plan 1', '{}'), (:at, 'cli', 'user.add', 'mar', :d)"
            ),
            {"at": AT, "d": json.dumps({"role": "marshal"})},
        )
        run(
            text(
                "INSERT INTO plans (id, name, created_at, created_by) VALUES (1, 'Test Parade', :at, 'org')"
            ),
            {"at": AT},
        )
        run(
            text(
                "INSERT INTO plan_revisions (plan_id, revision, filename, text, created_at, created_by) "
                "VALUES (1, 1, 'plan.yaml', :t, :at, 'org')"
            ),
            {"t": SMALL_PLAN, "at": AT},
        )
        for c in checkins:
            run(
                text(
                    "INSERT INTO checkins (id, plan_id, unit, checkpoint, part, at, received_at, recorded_by) "
                    "VALUES (:id, 1, :unit, :checkpoint, :part, :at, :at, 'mar')"
                ),
                c,
            )
        run(
            text(
                "INSERT INTO guest_books (id, name, text, created_at, created_by) VALUES (1, 'guests.yaml', :t, :at, 'org')"
            ),
            {"t": GUESTS.read_text(), "at": AT},
        )
        run(
            text(
                "INSERT INTO guest_records (book_id, kind, data, recorded_at, recorded_by) "
                "VALUES (1, 'event', :d, :at, 'org')"
            ),
            {"d": json.dumps(event_data(event), ensure_ascii=False), "at": AT},
        )
        if engine.dialect.name == "postgresql":
            # Explicit ids above: move the sequences on as the application's inserts would.
            for table, column in (("users", "id"), ("plans", "id"), ("guest_books", "id")):
                run(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), (SELECT max({column}) FROM {table}))"
                    )
                )
    return [c["id"] for c in checkins]


def snapshot(engine: Engine) -> dict[str, set[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {
            table: {
                tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {table} ORDER BY {order}"))
            }
            for table, (cols, order) in TABLES_0001.items()
        }


def test_populated_0001_database_upgrades_without_loss(database_url: str, clock: Clock) -> None:
    db = open_database(database_url, migrate=False)
    try:
        upgrade(db.engine, "0001")
        assert database_heads(db.engine) == {"0001"}
        ids = fill_0001(db.engine)
        before = snapshot(db.engine)
        upgrade(db.engine)
        assert database_heads(db.engine) == code_heads()
        after = snapshot(db.engine)
    finally:
        db.dispose()
    for table, rows in before.items():
        assert after[table] == rows - REMOVED.get(table, set()), table

    app = create_app(database_url, clock=clock)
    try:
        with TestClient(app) as client:
            org, mar = login(client, "org"), login(client, "mar")
            login(client, "view")
            plans = client.get("/api/plans", headers=org).json()
            assert [p["name"] for p in plans] == ["Test Parade"]
            assert client.get("/api/plans/1/status", headers=org).status_code == 200
            listed = client.get("/api/plans/1/checkins", headers=org).json()
            assert sorted(c["id"] for c in listed) == sorted(ids)
            assert len(client.get("/api/guestbooks", headers=org).json()) == 1
            history = client.get("/api/guests/cn-leader/history", headers=org).json()
            assert [h["kind"] for h in history][-1] == "cancelled"
            # The marshal keeps the checkpoint they had, and only it.
            r = client.post(
                "/api/plans/1/checkins",
                json=checkin("tanks", "start", "head", "10:02:00"),
                headers=mar,
            )
            assert r.status_code == 201, r.text
            r = client.post(
                "/api/plans/1/checkins",
                json=checkin("tanks", "release", "head", "10:09:00"),
                headers=mar,
            )
            assert r.status_code == 403, r.text
    finally:
        app.state.ctx.db.dispose()


def test_the_schema_has_one_head_and_db_upgrade_prints_it(tmp_path: Path, cli: Run) -> None:
    assert code_heads() == {"0009_orders"}
    r = cli("db", "upgrade", "--database", tmp_path / "one.db")
    assert r.code == 0, r.err
    assert "schema at 0009_orders" in r.err and "," not in r.err
