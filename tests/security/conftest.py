"""The service fixtures (SQLite always, PostgreSQL when reachable) for the attack tests."""

from tests.service.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    app,
    client,
    clock,
    database_url,
    mar,
    org,
    pg_url,
    secret_key,
    view,
)
