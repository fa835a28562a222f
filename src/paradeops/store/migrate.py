"""Alembic migrations run from inside the package: no alembic.ini needed.

The service upgrades the schema on every start. Under a least-privilege
PostgreSQL role (see :mod:`paradeops.store.privileges`) it may not change the
schema at all, so a database already at the code's heads is left untouched
(nothing but a read of ``alembic_version``), and one that is behind stops the
start with a message saying who must run ``paradeops db upgrade``.
"""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from paradeops.errors import UserError

#: PostgreSQL's SQLSTATE for "permission denied" and "must be owner of".
INSUFFICIENT_PRIVILEGE = "42501"


def config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("paradeops.store") / "migrations"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def code_heads() -> set[str]:
    """The revisions this version of ParadeOps expects the schema to be at."""
    return set(ScriptDirectory.from_config(config()).get_heads())


def database_heads(engine: Engine) -> set[str]:
    """The revisions the database is at (empty for a new database)."""
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema up to ``revision``; safe to run on every start."""
    if revision == "heads" and database_heads(engine) == code_heads():
        return
    try:
        command.upgrade(config(engine), revision)
    except CommandError as e:
        # A revision the code does not know: the database was migrated by a
        # newer ParadeOps (or another application owns it).
        raise UserError(
            f"cannot upgrade the database schema: {e}",
            field="--database",
            hint="use the ParadeOps version that last migrated this database, or a fresh database",
        ) from None
    except DBAPIError as e:
        if getattr(e.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise UserError(
            "the database schema is behind this version of ParadeOps and this database role "
            "may not change it",
            field="--database",
            hint="as the owner role run: paradeops db upgrade --database OWNER_URL "
            "--grant SERVICE_ROLE (see the security documentation)",
        ) from None
