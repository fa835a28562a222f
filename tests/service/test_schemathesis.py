"""Schemathesis against the OpenAPI description: no 500, no answer outside the schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from paradeops.service import create_app
from paradeops.service.users.service import add_user

from .conftest import MSK, PASSWORD
from .support import SMALL_PLAN

pytestmark = pytest.mark.slow
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import datetime as dt

    from fastapi.testclient import TestClient

    url = str(Path(tmp_path_factory.mktemp("st")) / "st.sqlite")
    clock = lambda: dt.datetime(2025, 5, 9, 10, 5, tzinfo=MSK)  # noqa: E731
    app = create_app(url, clock=clock)
    with app.state.ctx.db.writing() as s:
        add_user(s, name="org", role="organiser", password=PASSWORD, now=clock())
    with TestClient(app) as client:
        token = client.post("/api/token", data={"username": "org", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        r = client.post(
            "/api/plans",
            content=SMALL_PLAN,
            headers={**headers, "Content-Type": "application/yaml"},
        )
        assert r.status_code == 201
        guests = Path(__file__).resolve().parents[2] / "examples/victory-day-2025/guests.yaml"
        r = client.post(
            "/api/guestbooks",
            content=guests.read_text(),
            headers={**headers, "Content-Type": "application/yaml"},
        )
        assert r.status_code == 201
        yield app, headers
    app.state.ctx.db.dispose()


def test_openapi_contract(api) -> None:  # type: ignore[no-untyped-def]
    app, headers = api
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for op in schema.get_all_operations():
        operation = op.ok()
        # The event stream never ends: it is tested against a real server instead.
        if operation.method.upper() == "GET" and operation.path.endswith("/events"):
            continue
        check(operation.as_strategy(), headers, failures)
    assert not failures, "\n\n".join(failures[:5])


def check(strategy, headers: dict[str, str], failures: list[str]) -> None:  # type: ignore[no-untyped-def]
    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        # Any text is a schema-valid plan body, so "valid data rejected" is not a
        # finding here (a bad plan is a 400 by design); the rest of the contract is.
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except BaseException as e:  # collect every operation's failures, not just the first
            if isinstance(e, KeyboardInterrupt):
                raise
            failures.append(f"{case.method} {case.path}: {e}")

    run()
