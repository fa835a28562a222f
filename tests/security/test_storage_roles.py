"""Finding 10 (second half): the docs ran the service as ``postgres``.

Least privilege on PostgreSQL: an owner role migrates (``paradeops db upgrade
--grant``), the service connects as a role that may read and append but not
rewrite history, nor change the schema or the triggers. The service works as
that role; with the schema behind, it refuses to start with a clear message.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from fastapi.testclient import TestClient

from paradeops.errors import UserError
from paradeops.service import create_app
from paradeops.service.users.service import add_user
from paradeops.store import open_database
from paradeops.store.migrate import upgrade
from tests.conftest import Run
from tests.service.conftest import PASSWORD, PG_URL, login, postgres_reachable
from tests.service.support import checkin, upload
from tests.service.test_guests import upload_book

pytestmark = pytest.mark.postgres

HISTORY = ("audit_log", "plan_revisions", "checkins", "guest_books", "guest_records")


@dataclass
class Roles:
    owner: str
    service: str
    schema: str

    def url(self, role: str) -> str:
        return PG_URL.replace("postgres@", f"{role}@") + f"?options=-csearch_path%3D{self.schema}"


@pytest.fixture
def roles() -> Iterator[Roles]:
    """An owner and a service role (cluster-wide, so uniquely named) and the owner's schema."""
    why = postgres_reachable()
    if why:
        pytest.skip(why)
    tag = uuid.uuid4().hex[:10]
    r = Roles(f"paradeops_owner_{tag}", f"paradeops_service_{tag}", f"paradeops_lp_{tag}")
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {r.owner} LOGIN")
        conn.execute(f"CREATE ROLE {r.service} LOGIN")
        conn.execute(f"CREATE SCHEMA {r.schema} AUTHORIZATION {r.owner}")
    try:
        yield r
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {r.schema} CASCADE")
            for role in (r.service, r.owner):
                conn.execute(f"DROP OWNED BY {role}")
                conn.execute(f"DROP ROLE {role}")


def refusal(url: str, sql: str) -> str:
    with psycopg.connect(url) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    return str(caught.value)


def test_service_role_appends_but_cannot_rewrite_history(roles: Roles, cli: Run) -> None:
    r = cli("db", "upgrade", "--database", roles.url(roles.owner), "--grant", roles.service)
    assert r.code == 0, r.err
    service_url = roles.url(roles.service)

    # The service starts as its role (the schema is current: nothing to migrate).
    app = create_app(service_url)
    db = app.state.ctx.db
    with db.writing() as s:
        add_user(s, name="org", role="organiser", password=PASSWORD, now=dt.datetime.now(dt.UTC))
    try:
        with TestClient(app) as client:
            org = login(client, "org")
            pid = upload(client, org)
            for i, unit in enumerate(("colour-guard", "band", "tanks")):
                c = checkin(unit, "start", "head", f"10:0{i}:00")
                assert (
                    client.post(f"/api/plans/{pid}/checkins", json=c, headers=org).status_code
                    == 201
                )
            assert len(client.get(f"/api/plans/{pid}/checkins", headers=org).json()) == 3
            upload_book(client, org)  # a guest event locks its book's row (FOR UPDATE)
            event = {"at": "2025-05-06T18:00:00+03:00", "kind": "cancelled", "reason": "late"}
            assert (
                client.post("/api/guests/cn-leader/events", json=event, headers=org).status_code
                == 201
            )
    finally:
        db.dispose()

    for table in HISTORY:
        assert "append-only" in refusal(
            service_url, f"UPDATE {table} SET {pk(table)} = {pk(table)}"
        )
        for sql in (
            f"DELETE FROM {table}",
            f"TRUNCATE {table} CASCADE",
            f"ALTER TABLE {table} DISABLE TRIGGER USER",
            f"DROP TRIGGER {table}_append_only ON {table}",
        ):
            message = refusal(service_url, sql)
            assert "permission denied" in message or "must be owner" in message, (sql, message)
    for sql in (
        "CREATE TABLE mallory (id int)",
        "DROP TABLE users",
        "UPDATE alembic_version SET version_num = 'x'",
    ):
        message = refusal(service_url, sql)
        assert "permission denied" in message or "must be owner" in message, (sql, message)


def pk(table: str) -> str:
    return {"plan_revisions": "revision", "guest_records": "seq"}.get(table, "id")


def test_service_role_refuses_to_start_on_an_old_schema(roles: Roles, cli: Run) -> None:
    owner = open_database(roles.url(roles.owner), migrate=False)
    try:
        upgrade(owner.engine, "0001")
    finally:
        owner.dispose()
    assert cli("db", "grant", roles.service, "--database", roles.url(roles.owner)).code == 0

    with pytest.raises(UserError, match="paradeops db upgrade"):
        open_database(roles.url(roles.service))

    # The owner upgrades; the service role then starts.
    assert (
        cli("db", "upgrade", "--database", roles.url(roles.owner), "--grant", roles.service).code
        == 0
    )
    open_database(roles.url(roles.service)).dispose()


def test_grant_needs_an_existing_plain_role(roles: Roles, cli: Run) -> None:
    owner_url = roles.url(roles.owner)
    assert cli("db", "upgrade", "--database", owner_url).code == 0
    r = cli("db", "grant", "nobody_" + roles.schema, "--database", owner_url)
    assert r.code == 2 and "there is no database role" in r.err
    r = cli("db", "grant", 'x"; DROP SCHEMA public; --', "--database", owner_url)
    assert r.code == 2 and "not a plain identifier" in r.err
