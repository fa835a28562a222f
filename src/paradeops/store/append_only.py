"""Append-only tables, enforced by the database itself (called from migrations).

The audit log, plan revisions, check-ins and guest events are history: a row,
once written, is never changed or removed. The code never does it; these
triggers make sure nothing else does either (a bug, a stray SQL console, an
attacker who got the service's database credentials), by refusing every
UPDATE and DELETE with "<table> is append-only". INSERT is untouched.

Use inside an Alembic migration::

    from alembic import op
    from paradeops.store.append_only import protect

    protect(op, "checkin_voids")

SQLite: two BEFORE triggers per table raising ABORT (the statement fails and
the transaction is left as it was before it).

PostgreSQL: one plpgsql function, created in the *current* schema (the first
on ``search_path``: tests run each in a schema of their own) and shared by the
tables, plus a row trigger for UPDATE/DELETE and a statement trigger for
TRUNCATE (which skips row triggers) on each table.
"""

from __future__ import annotations

import re
from typing import Any

#: The PostgreSQL trigger function (one per schema).
FUNCTION = "paradeops_append_only"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _checked(table: str) -> str:
    # Table names are spliced into DDL (they cannot be bound parameters).
    if not _IDENTIFIER.fullmatch(table):
        raise ValueError(f"table name {table!r}: use lower-case letters, digits and _")
    return table


def _dialect(op: Any) -> str:
    return str(op.get_bind().dialect.name)


def protect(op: Any, table: str) -> None:
    """Make ``table`` append-only: UPDATE, DELETE (and TRUNCATE) are refused."""
    table = _checked(table)
    dialect = _dialect(op)
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only_{verb} "
                f"BEFORE {verb.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME "
            "USING HINT = 'history is never changed: add a new row instead'; "
            "END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    else:
        raise NotImplementedError(f"append-only tables on {dialect}: use SQLite or PostgreSQL")


def unprotect(op: Any, table: str) -> None:
    """Undo :func:`protect` (a migration's downgrade)."""
    table = _checked(table)
    dialect = _dialect(op)
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{verb}")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_truncate ON {table}")
        # The shared function goes with the last table that used it.
        op.execute(
            "DO $$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            f"JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = '{FUNCTION}' "
            "AND n.nspname = current_schema()) "
            f"THEN DROP FUNCTION IF EXISTS {FUNCTION}(); END IF; END $$"
        )
    else:
        raise NotImplementedError(f"append-only tables on {dialect}: use SQLite or PostgreSQL")
