"""Least privilege on PostgreSQL: what the service's own database role may do.

Two roles: an *owner* that owns the schema and runs the migrations, and a
*service* role that the server connects as. The service role gets exactly
what the running service needs, table by table, recomputed from the schema
itself after every migration:

* append-only tables (those :mod:`paradeops.store.append_only` protects):
  SELECT and INSERT, plus UPDATE on the primary-key columns only, because
  PostgreSQL requires UPDATE on some column for a row lock
  (``SELECT … FOR UPDATE``, which the guest-event append takes on its book).
  The trigger still refuses every actual UPDATE and DELETE, and only the owner
  could drop or disable it;
* ``alembic_version``: SELECT (the start-up check that the schema is current);
* every other table: SELECT, INSERT, UPDATE, DELETE;
* sequences: USAGE and SELECT (new ids).

Everything else (CREATE, ALTER, DROP, TRUNCATE, TRIGGER, REFERENCES) stays
with the owner.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, inspect, text

from paradeops.errors import UserError
from paradeops.store.append_only import FUNCTION

_ROLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
VERSION_TABLE = "alembic_version"


def checked_role(role: str) -> str:
    """A role name safe to splice into GRANT (identifiers cannot be parameters)."""
    if not _ROLE.fullmatch(role):
        raise UserError(
            f"role name {role!r} is not a plain identifier",
            field="ROLE",
            hint="use letters, digits and _ (at most 63), starting with a letter or _",
        )
    return role


def append_only_tables(conn: Connection) -> set[str]:
    """Tables of the current schema guarded by the append-only trigger."""
    rows = conn.execute(
        text(
            "SELECT DISTINCT c.relname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE p.proname = :function AND n.nspname = current_schema()"
        ),
        {"function": FUNCTION},
    )
    return {str(r[0]) for r in rows}


def grant_statements(conn: Connection, role: str) -> list[str]:
    """The REVOKE/GRANT statements giving ``role`` what the service needs, no more."""
    role = '"' + checked_role(role) + '"'
    schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    quote = conn.dialect.identifier_preparer.quote
    insp = inspect(conn)
    guarded = append_only_tables(conn)
    statements = [f"GRANT USAGE ON SCHEMA {quote(schema)} TO {role}"]
    for table in sorted(insp.get_table_names()):
        name = quote(table)
        statements.append(f"REVOKE ALL ON TABLE {name} FROM {role}")
        if table == VERSION_TABLE:
            statements.append(f"GRANT SELECT ON TABLE {name} TO {role}")
        elif table in guarded:
            keys = ", ".join(quote(c) for c in insp.get_pk_constraint(table)["constrained_columns"])
            statements.append(f"GRANT SELECT, INSERT ON TABLE {name} TO {role}")
            if keys:
                statements.append(f"GRANT UPDATE ({keys}) ON TABLE {name} TO {role}")
        else:
            statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {name} TO {role}")
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {role}")
    return statements


def grant_service_role(engine: Engine, role: str) -> list[str]:
    """Run :func:`grant_statements` as the owner, in one transaction; returns them."""
    if engine.dialect.name != "postgresql":
        raise UserError(
            "database roles exist on PostgreSQL only",
            field="--database",
            hint="SQLite has no roles: protect the file with the operating system's permissions",
        )
    with engine.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": checked_role(role)}
        ).first()
        if exists is None:
            raise UserError(
                f"there is no database role {role!r}",
                field="ROLE",
                hint="create it first (CREATE ROLE … LOGIN), see the security documentation",
            )
        statements = grant_statements(conn, role)
        for statement in statements:
            conn.exec_driver_sql(statement)
    return statements
