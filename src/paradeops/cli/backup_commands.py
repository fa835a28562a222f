"""``backup``, ``restore`` and ``db …``: copies and upkeep of the service's database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.cli.service_commands import DATABASE_LIBRARIES, DEFAULT_URL, DatabaseOpt
from paradeops.extras import require

db_app = typer.Typer(help="Upkeep of the service's database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

RoleArg = Annotated[
    str, typer.Argument(help="The PostgreSQL role the service connects as", show_default=False)
]


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOpt = DEFAULT_URL,
    grant: Annotated[
        str | None,
        typer.Option("--grant", help="Then give this service role what it needs (PostgreSQL)"),
    ] = None,
) -> None:
    """Migrate the schema to this version (run as the owner role on PostgreSQL)."""
    require(*DATABASE_LIBRARIES, what="paradeops db upgrade")
    from paradeops.store import open_database
    from paradeops.store.migrate import database_heads
    from paradeops.store.privileges import grant_service_role

    db = open_database(database, migrate=True)
    try:
        heads = ", ".join(sorted(database_heads(db.engine)))
        err.print(Text(f"schema at {heads}"))
        if grant is not None:
            grant_service_role(db.engine, grant)
            err.print(Text(f"granted the service's privileges to {grant}"))
    finally:
        db.dispose()


@db_app.command("grant")
def db_grant(role: RoleArg, database: DatabaseOpt = DEFAULT_URL) -> None:
    """Give a PostgreSQL role the service's privileges and no more (run as the owner)."""
    require(*DATABASE_LIBRARIES, what="paradeops db grant")
    from paradeops.store import open_database
    from paradeops.store.privileges import grant_service_role

    db = open_database(database, migrate=False)
    try:
        for statement in grant_service_role(db.engine, role):
            typer.echo(f"{statement};")
    finally:
        db.dispose()


@app.command()
def backup(
    out: Annotated[Path, typer.Option("-o", "--output", help="Backup file to write")],
    database: DatabaseOpt = DEFAULT_URL,
) -> None:
    """Write a consistent backup of the database, safe while the server runs."""
    require(*DATABASE_LIBRARIES, what="paradeops backup")
    from paradeops.store.backup import backup as write_backup

    written = write_backup(database, out)
    err.print(Text(f"backup written to {written}"))


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by paradeops backup")],
    database: DatabaseOpt = DEFAULT_URL,
    force: Annotated[
        bool, typer.Option("--force", help="Replace what the target database holds")
    ] = False,
) -> None:
    """Restore a backup into a database: all of it or nothing (stop the server first)."""
    require(*DATABASE_LIBRARIES, what="paradeops restore")
    from paradeops.store.backup import restore as load_backup

    load_backup(file, database, force=force)
    err.print(Text(f"restored {file}"))
