"""Fixtures: the service on SQLite (always) and PostgreSQL (when reachable), a settable clock."""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paradeops.service import create_app
from paradeops.service.settings import ServiceSettings
from paradeops.service.users.service import add_user

from .support import MSK

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test"
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """The signing key, from the environment: no test writes a key file into the repository.

    (A service on PostgreSQL would otherwise create ``paradeops.key`` in the working
    folder.) Servers started as subprocesses inherit it. Tests of the key file unset it.
    """
    key = secrets.token_hex(32)
    monkeypatch.setenv("PARADEOPS_SECRET_KEY", key)
    return key


def postgres_reachable() -> str | None:
    """None if PostgreSQL answers, else why not (for the skip message)."""
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=2):
            pass
    except OSError as e:
        return f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({e}); skipping its tests"
    return None


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the ``test`` database, dropped afterwards."""
    why = postgres_reachable()
    if why:
        pytest.skip(why)
    import psycopg

    schema = f"paradeops_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


class Clock:
    """The service's clock, set by the test: a past parade replayed."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2025, 5, 9, 9, 50, tzinfo=MSK))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return str(tmp_path / "paradeops.sqlite")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def app(database_url: str, clock: Clock):  # type: ignore[no-untyped-def]
    # Sign-ins refused for their rate are answered at once here (the tests flood
    # sign-in on a replayed clock); the pause itself: tests/security/test_signin_rate.py.
    application = create_app(
        database_url, clock=clock, settings=ServiceSettings(signin_tarpit_s=0.0)
    )
    db = application.state.ctx.db
    with db.writing() as s:
        now = clock()
        add_user(s, name="org", role="organiser", password=PASSWORD, now=now)
        # Assigned `start` of each plan that support.upload() makes (assignments are per plan).
        add_user(s, name="mar", role="marshal", password=PASSWORD, now=now)
        add_user(s, name="view", role="viewer", password=PASSWORD, now=now)
    yield application
    db.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def login(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def org(client: TestClient) -> dict[str, str]:
    return login(client, "org")


@pytest.fixture
def mar(client: TestClient) -> dict[str, str]:
    return login(client, "mar")


@pytest.fixture
def view(client: TestClient) -> dict[str, str]:
    return login(client, "view")
