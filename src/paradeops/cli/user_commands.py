"""``user …``: accounts of the service."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.cli.service_commands import DatabaseOpt
from paradeops.errors import UserError
from paradeops.store.db import DEFAULT_URL

user_app = typer.Typer(help="Accounts of the service.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name", show_default=False)],
    role: Annotated[str, typer.Option("--role", help="organiser | marshal | viewer")],
    checkpoint: Annotated[
        list[str] | None, typer.Option("--checkpoint", help="A marshal's checkpoint (repeat)")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin")
    ] = False,
    database: DatabaseOpt = DEFAULT_URL,
) -> None:
    """Create an account; the password is read from stdin (never from the command line)."""
    from paradeops.service.users.service import add_user
    from paradeops.store import open_database

    if not password_stdin:
        raise UserError(
            "give the password on stdin",
            field="--password-stdin",
            hint='echo "$PASSWORD" | paradeops user add NAME --role … --password-stdin',
        )
    password = sys.stdin.readline().rstrip("\r\n")
    db = open_database(database)
    try:
        with db.writing() as session:
            add_user(
                session,
                name=name,
                role=role,
                password=password,
                checkpoints=checkpoint or (),
                now=dt.datetime.now(dt.UTC),
            )
    finally:
        db.dispose()
    err.print(Text(f"added {role} {name}"))
