"""Two workers switching a never-public plan at the same instant: both succeed.

Each worker has its own database handle (its own write lock), as two processes
would; both transactions look for the plan's row before either has committed.
Without the insert-if-absent, the second commit broke the primary key (a 500).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paradeops.service.public import flags
from paradeops.service.public.models import PublicIn, PublicRow
from paradeops.service.users.tokens import Principal
from paradeops.store.db import open_database

from .conftest import Clock
from .support import upload


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: several workers need it (SQLite is one process)."""
    return str(request.getfixturevalue("pg_url"))


def test_two_first_switches_at_once_both_succeed(
    app,
    client: TestClient,
    org: dict[str, str],
    database_url: str,
    clock: Clock,  # type: ignore[no-untyped-def]
) -> None:
    plan_id = upload(client, org)
    workers = [app.state.ctx.db, open_database(database_url, migrate=False)]
    both_read = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []
    who = Principal(name="org", role="organiser")  # type: ignore[arg-type]

    def switch(db, public: bool) -> None:  # type: ignore[no-untyped-def]
        try:
            with db.sessions.begin() as session:  # one worker's transaction, not its lock
                session.scalar(select(PublicRow).where(PublicRow.plan_id == plan_id))
                both_read.wait()
                flags.store(
                    session, plan_id, PublicIn(public=public, incidents=False), who, clock()
                )
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=switch, args=(db, i == 0)) for i, db in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    workers[1].dispose()
    assert errors == []
    with workers[0].sessions() as session:
        rows = session.scalars(select(PublicRow).where(PublicRow.plan_id == plan_id)).all()
    assert len(rows) == 1 and isinstance(rows[0].updated_at, str)
    assert dt.datetime.fromisoformat(rows[0].updated_at)
