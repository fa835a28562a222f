"""Findings 6, 9 (first half) and 11: a sign-in ends when it should, everywhere, within
seconds; the signing key is not in the database and can be rotated; odd tokens get 401,
never 500; marshals' assignments are per plan; a cookie alone cannot write."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from paradeops.errors import UserError
from paradeops.service import create_app
from paradeops.service.settings import ServiceSettings
from paradeops.service.users.keys import parse_key
from paradeops.service.users.signin import current_secret, sign_in
from paradeops.service.users.tokens import csrf_token, read_claims
from paradeops.store import open_database
from paradeops.store.db import normalise_url
from paradeops.store.migrate import config
from tests.conftest import Run
from tests.service.server import Server, add_users
from tests.service.support import SMALL_PLAN, YAML, checkin, upload

#: Revocation must reach every process within this [s] (the cache holds for 2 s).
WITHIN_S = 5.0


def _refused_within(check: Callable[[], int], seconds: float = WITHIN_S) -> float:
    """Poll ``check`` (a status code) until 401; how long that took."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check() == 401:
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"still accepted after {seconds} s")


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    add_users(database_url)
    srv = Server(database_url, tmp_path / "server.log").start()
    yield srv
    srv.stop()


def _me(srv: Server, headers: dict[str, str]) -> int:
    return httpx.get(srv.base + "/api/me", headers=headers, timeout=10).status_code


def test_non_ascii_token_is_401_not_500(client: TestClient, org: dict[str, str]) -> None:
    pid = upload(client, org)
    body = json.dumps(checkin("band", "start", "head", "10:00:20")).encode()
    for raw in (b"Bearer \xc3\xa9t\xc3\xa9.\xff", b"Bearer abc.d\xe9f", b"Bearer " + b"\xff" * 600):
        headers = {b"authorization": raw, b"content-type": b"application/json"}
        assert client.get("/api/me", headers=headers).status_code == 401  # type: ignore[arg-type]
        r = client.post(f"/api/plans/{pid}/checkins", content=body, headers=headers)  # type: ignore[arg-type]
        assert r.status_code == 401, r.text  # the check-in fast path, then the route
    cookie = {b"cookie": b"paradeops_token=\xc3\xa9t\xc3\xa9.x"}
    assert client.get("/api/me", headers=cookie).status_code == 401  # type: ignore[arg-type]


def test_deleted_disabled_and_re_roled_users_are_refused_within_seconds(
    server: Server, database_url: str, cli: Run
) -> None:
    org, mar = server.token("org"), server.token("mar")
    pid = server.upload(org)
    url = f"{server.base}/api/plans/{pid}/checkins"
    c = checkin("band", "start", "head", "10:00:20")
    assert httpx.post(url, json=c, headers=mar, timeout=10).status_code == 201

    # A role change ends the sessions; the new sign-in has the new role (from the database).
    assert cli("user", "set-role", "mar", "viewer", "--database", database_url).code == 0
    _refused_within(lambda: httpx.post(url, json=c, headers=mar, timeout=10).status_code)
    viewer = server.token("mar")
    again = checkin("band", "tribune", "head", "10:04:00")
    assert httpx.post(url, json=again, headers=viewer, timeout=10).status_code == 403

    assert cli("user", "disable", "mar", "--database", database_url).code == 0
    _refused_within(lambda: _me(server, viewer))
    r = httpx.post(server.base + "/api/token", data={"username": "mar", "password": "x"})
    assert r.status_code == 401

    assert cli("user", "delete", "org", "--database", database_url).code == 2  # the last one
    assert cli("user", "enable", "mar", "--database", database_url).code == 0
    assert cli("user", "set-role", "mar", "organiser", "--database", database_url).code == 0
    assert cli("user", "delete", "org", "--database", database_url).code == 0
    _refused_within(lambda: _me(server, org))


def test_logout_revokes_in_every_process(database_url: str, tmp_path: Path) -> None:
    add_users(database_url)
    # Two processes serving one database (they share PARADEOPS_SECRET_KEY, see conftest).
    a = Server(database_url, tmp_path / "a.log").start()
    b = Server(database_url, tmp_path / "b.log").start()
    try:
        mar = a.token("mar")
        assert _me(a, mar) == 200 and _me(b, mar) == 200
        assert httpx.post(a.base + "/api/logout", headers=mar, timeout=10).status_code == 204
        assert _me(a, mar) == 401  # at once where it was signed out
        _refused_within(lambda: _me(b, mar))  # within seconds elsewhere
    finally:
        a.stop()
        b.stop()


def test_the_signing_key_is_not_in_the_database(client: TestClient, app, secret_key: str) -> None:  # type: ignore[no-untyped-def]
    """A backup of the database holds nothing that signs a token."""
    db = app.state.ctx.db
    dump: list[str] = []
    with db.sessions() as s:
        for table in sa.inspect(db.engine).get_table_names():
            dump += [repr(tuple(row)) for row in s.execute(sa.text(f"SELECT * FROM {table}"))]
        assert s.execute(sa.text("SELECT * FROM settings WHERE key = 'token_secret'")).all() == []
    assert not any(secret_key in row for row in dump)
    r = client.post("/api/token", data={"username": "org", "password": "correct-horse-battery"})
    assert r.status_code == 200
    assert read_claims(bytes.fromhex(secret_key), r.json()["access_token"]) is not None
    assert read_claims(b"\0" * 32, r.json()["access_token"]) is None


def test_migration_moves_global_checkpoints_to_every_plan_and_drops_the_secret(
    database_url: str,
) -> None:
    engine = sa.create_engine(normalise_url(database_url))
    command.upgrade(config(engine), "0001")  # a database of the old schema, populated
    now = "2025-05-09T07:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO settings VALUES ('token_secret', :v)"), {"v": "ab" * 32})
        for name, cps in (("mar", '["start", "tribune"]'), ("org", "[]")):
            conn.execute(
                sa.text(
                    "INSERT INTO users (name, role, password_hash, checkpoints, created_at) "
                    "VALUES (:n, :r, 'x', :c, :t)"
                ),  # fmt: skip
                {"n": name, "r": "marshal" if cps != "[]" else "organiser", "c": cps, "t": now},
            )
        for plan in ("one", "two"):
            conn.execute(
                sa.text("INSERT INTO plans (name, created_at, created_by) VALUES (:n, :t, 'org')"),
                {"n": plan, "t": now},
            )
    engine.dispose()
    db = open_database(database_url)  # upgrades to every head
    with db.sessions() as s:
        rows = s.execute(
            sa.text(
                "SELECT u.name, a.plan_id, a.checkpoint FROM user_assignments a "
                "JOIN users u ON u.id = a.user_id ORDER BY 2, 3"
            )  # fmt: skip
        ).all()
        secret = s.execute(sa.text("SELECT * FROM settings WHERE key = 'token_secret'")).all()
    db.dispose()
    assert [tuple(r) for r in rows] == [
        ("mar", 1, "start"), ("mar", 1, "tribune"), ("mar", 2, "start"), ("mar", 2, "tribune"),
    ]  # fmt: skip
    assert secret == []


def test_key_file_is_private_and_rotation_ends_every_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Run
) -> None:
    monkeypatch.delenv("PARADEOPS_SECRET_KEY")
    url = str(tmp_path / "parade.sqlite")
    key_file = tmp_path / "parade.key"  # the default: beside the SQLite file
    add_users(url)
    srv = Server(url, tmp_path / "server.log").start()
    try:
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        old_key = parse_key(key_file.read_text(), "key")
        mar = srv.token("mar")
        assert read_claims(old_key, mar["Authorization"][7:]) is not None
        assert _me(srv, mar) == 200

        r = cli("secret", "rotate", "--database", url)
        assert r.code == 0, r.err
        new_key = parse_key(key_file.read_text(), "key")
        assert new_key != old_key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
        _refused_within(lambda: _me(srv, mar))
        time.sleep(2.5)  # the server looks at the key file every 2 s
        fresh = srv.token("mar")
        assert read_claims(new_key, fresh["Authorization"][7:]) is not None
        assert _me(srv, fresh) == 200
    finally:
        srv.stop()

    os.chmod(key_file, 0o644)  # readable by others: refused, with what to do
    with pytest.raises(UserError, match="chmod 600"):
        create_app(url, settings=ServiceSettings(secret_key_file=key_file))
    monkeypatch.setenv("PARADEOPS_SECRET_KEY", "too short")
    with pytest.raises(UserError, match="PARADEOPS_SECRET_KEY"):
        create_app(url)
    monkeypatch.setenv("PARADEOPS_SECRET_KEY", "ab" * 32)
    assert cli("secret", "rotate", "--database", url).code == 2  # nothing to rotate: say so


def test_marshal_assignments_are_per_plan(
    client: TestClient, org: dict[str, str], mar: dict[str, str]
) -> None:
    first = upload(client, org)  # mar is assigned `start` of this plan only
    r = client.post("/api/plans", content=SMALL_PLAN, headers={**org, **YAML})
    second = int(r.json()["id"])
    c = checkin("band", "start", "head", "10:00:20")
    refused = client.post(f"/api/plans/{second}/checkins", json=c, headers=mar)
    assert refused.status_code == 403 and f"plan {second}" in refused.json()["detail"]
    assert client.post(f"/api/plans/{first}/checkins", json=c, headers=mar).status_code == 201
    me = client.get("/api/me", headers=mar).json()
    assert me["assignments"] == [{"plan_id": first, "checkpoint": "start"}]


def test_a_cookie_alone_cannot_write(client: TestClient, app, org: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    pid = upload(client, org)
    ctx = app.state.ctx
    token = sign_in(ctx, "mar", "correct-horse-battery", "testclient")
    client.cookies.set("paradeops_token", token)
    c = checkin("band", "start", "head", "10:00:20")
    assert client.get("/api/me").status_code == 200  # reads need no CSRF token
    forged = client.post(f"/api/plans/{pid}/checkins", json=c)
    assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
    wrong = client.post(f"/api/plans/{pid}/checkins", json=c, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    right = {"X-CSRF-Token": csrf_token(current_secret(ctx), token)}
    assert client.post(f"/api/plans/{pid}/checkins", json=c, headers=right).status_code == 201
    assert client.post("/api/logout", headers=right).status_code == 204
    assert client.get("/api/me").status_code == 401
