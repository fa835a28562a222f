"""``user …``: accounts of the service; ``secret rotate``: a new token-signing key.

Every command takes ``--database`` and works while the service runs: what it
changes is in the database, and the service reads sessions, roles and
assignments from there (cached for at most a couple of seconds).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from paradeops.cli.app import app, err, out
from paradeops.cli.service_commands import DEFAULT_URL, SERVICE_LIBRARIES, DatabaseOpt
from paradeops.errors import UserError
from paradeops.extras import require

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

user_app = typer.Typer(help="Accounts of the service.", no_args_is_help=True)
app.add_typer(user_app, name="user")
secret_app = typer.Typer(
    help="The key that signs sign-in tokens; the badge key.", no_args_is_help=True
)
app.add_typer(secret_app, name="secret")

NameArg = Annotated[str, typer.Argument(help="User name", show_default=False)]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin")
]
PlanOpt = Annotated[int | None, typer.Option("--plan", help="Plan id", min=1, max=2**31 - 1)]
CheckpointOpt = Annotated[
    list[str] | None, typer.Option("--checkpoint", help="A checkpoint id of that plan (repeat)")
]


class Format(StrEnum):
    table = "table"
    json = "json"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def _writing(database: str) -> Iterator[Session]:
    from paradeops.store import open_database

    db = open_database(database)
    try:
        with db.writing() as session:
            yield session
    finally:
        db.dispose()


def _password(password_stdin: bool, command: str) -> str:
    if not password_stdin:
        raise UserError(
            "give the password on stdin (never on the command line, where others may read it)",
            field="--password-stdin",
            hint=f'printf "%s\\n" "$PASSWORD" | paradeops user {command} --password-stdin',
        )
    return sys.stdin.readline().rstrip("\r\n")


def _assignments(plan: int | None, checkpoints: list[str] | None) -> list[tuple[int, str]]:
    if checkpoints and plan is None:
        raise UserError("a checkpoint belongs to a plan: give --plan ID too", field="--plan")
    if plan is not None and not checkpoints:
        raise UserError("give at least one --checkpoint with --plan", field="--checkpoint")
    return [(plan, cp) for cp in checkpoints or ()] if plan is not None else []


@user_app.command("add")
def user_add(
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help="organiser | marshal | viewer | steward")],
    plan: PlanOpt = None,
    checkpoint: CheckpointOpt = None,
    password_stdin: PasswordStdin = False,
    database: DatabaseOpt = DEFAULT_URL,
) -> None:
    """Create an account; the password is read from stdin.

    A marshal may be given checkpoints of one plan here (--plan ID --checkpoint CP …)
    or later with `user assign`.
    """
    require(*SERVICE_LIBRARIES, what="paradeops user add")
    from paradeops.service.users.service import add_user

    pairs = _assignments(plan, checkpoint)
    password = _password(password_stdin, f"add {name} --role {role}")
    with _writing(database) as session:
        add_user(session, name=name, role=role, password=password, assignments=pairs, now=_now())
    err.print(Text(f"added {role} {name}"))


@user_app.command("list")
def user_list(
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format")] = Format.table,
    database: DatabaseOpt = DEFAULT_URL,
) -> None:
    """Every account: name, role, disabled, assignments (plan:checkpoint)."""
    require(*SERVICE_LIBRARIES, what="paradeops user list")
    from paradeops.service.users.service import list_users

    with _writing(database) as session:
        users = list_users(session)
    if format is Format.json:
        doc = [
            {
                "name": u.name,
                "role": u.role,
                "disabled": u.disabled,
                "assignments": [{"plan": p, "checkpoint": c} for p, c in u.assignments],
            }
            for u in users
        ]
        out.file.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("name", "role", "disabled", "assignments")
    for u in users:
        table.add_row(
            Text(u.name),
            u.role,
            "yes" if u.disabled else "",
            Text(", ".join(f"{p}:{c}" for p, c in u.assignments)),
        )
    out.print(table)


@user_app.command("disable")
def user_disable(name: NameArg, database: DatabaseOpt = DEFAULT_URL) -> None:
    """Refuse the account's sign-ins and end its sessions (within seconds everywhere)."""
    require(*SERVICE_LIBRARIES, what="paradeops user disable")
    from paradeops.service.users.service import set_disabled

    with _writing(database) as session:
        ended = set_disabled(session, name, True, now=_now())
    err.print(Text(f"disabled {name}; ended {ended} session(s)"))


@user_app.command("enable")
def user_enable(name: NameArg, database: DatabaseOpt = DEFAULT_URL) -> None:
    """Let a disabled account sign in again."""
    require(*SERVICE_LIBRARIES, what="paradeops user enable")
    from paradeops.service.users.service import set_disabled

    with _writing(database) as session:
        set_disabled(session, name, False, now=_now())
    err.print(Text(f"enabled {name}"))


@user_app.command("delete")
def user_delete(name: NameArg, database: DatabaseOpt = DEFAULT_URL) -> None:
    """Remove an account and its sessions; what it recorded stays, under its name."""
    require(*SERVICE_LIBRARIES, what="paradeops user delete")
    from paradeops.service.users.service import delete_user

    with _writing(database) as session:
        delete_user(session, name, now=_now())
    err.print(Text(f"deleted {name}"))


@user_app.command("set-role")
def user_set_role(
    name: NameArg,
    role: Annotated[
        str, typer.Argument(help="organiser | marshal | viewer | steward", show_default=False)
    ],
    database: DatabaseOpt = DEFAULT_URL,
) -> None:
    """Change the role; the user's sessions end (they sign in again)."""
    require(*SERVICE_LIBRARIES, what="paradeops user set-role")
    from paradeops.service.users.service import set_role

    with _writing(database) as session:
        set_role(session, name, role, now=_now())
    err.print(Text(f"{name} is now {role}; their sessions have ended"))


@user_app.command("password")
def user_password(
    name: NameArg, password_stdin: PasswordStdin = False, database: DatabaseOpt = DEFAULT_URL
) -> None:
    """Set a new password (read from stdin); the user's sessions end and its throttle clears."""
    require(*SERVICE_LIBRARIES, what="paradeops user password")
    from paradeops.service.users.service import set_password

    password = _password(password_stdin, f"password {name}")
    with _writing(database) as session:
        set_password(session, name, password, now=_now())
    err.print(Text(f"new password for {name}; their sessions have ended"))


@user_app.command("unlock")
def user_unlock(name: NameArg, database: DatabaseOpt = DEFAULT_URL) -> None:
    """Clear the account's failed sign-ins, so it may sign in at once."""
    require(*SERVICE_LIBRARIES, what="paradeops user unlock")
    from paradeops.service.users.service import unlock

    with _writing(database) as session:
        had = unlock(session, name, now=_now())
    err.print(Text(f"unlocked {name}" if had else f"{name} had no failed sign-ins"))


@user_app.command("assign")
def user_assign(
    name: NameArg,
    plan: PlanOpt = None,
    checkpoint: CheckpointOpt = None,
    clear: Annotated[
        bool,
        typer.Option(
            "--clear",
            help="Remove the given checkpoints of the plan (all of them without --checkpoint)",
        ),
    ] = False,
    database: DatabaseOpt = DEFAULT_URL,
) -> None:
    """Let a marshal check in at checkpoints of a plan (or, with --clear, no longer)."""
    require(*SERVICE_LIBRARIES, what="paradeops user assign")
    from paradeops.service.users.service import assign, unassign

    if plan is None:
        raise UserError("assignments are per plan: give --plan ID", field="--plan")
    with _writing(database) as session:
        if clear:
            removed = unassign(session, name, plan, checkpoint or (), now=_now())
            err.print(Text(f"removed {removed} assignment(s) of {name} in plan {plan}"))
            return
        if not checkpoint:
            raise UserError(
                "give at least one --checkpoint (or --clear to remove)", field="--checkpoint"
            )
        added = assign(session, name, plan, checkpoint, now=_now())
    err.print(Text(f"{name} assigned in plan {plan}: {', '.join(added) or 'nothing new'}"))


@secret_app.command("rotate")
def secret_rotate(
    database: DatabaseOpt = DEFAULT_URL,
    secret_key_file: Annotated[
        Path | None,
        typer.Option(
            "--secret-key-file",
            help="The key file the service uses (default: beside an SQLite database)",
        ),
    ] = None,
    badge: Annotated[
        bool,
        typer.Option(
            "--badge",
            help="Rotate (or create) the badge key instead: every badge printed before is void",
        ),
    ] = False,
    badge_key_file: Annotated[
        Path | None,
        typer.Option(
            "--badge-key-file",
            help="With --badge: the badge key file (default: beside the service's key file)",
        ),
    ] = None,
) -> None:
    """Write a new signing key and end every sign-in; running services take it within seconds.

    With --badge, the guest badges' key instead: sign-ins go on, and every badge
    printed under the key it replaces is refused at the tribune (print them again).
    """
    require(*SERVICE_LIBRARIES, what="paradeops secret rotate")
    if badge:
        _rotate_badge_key(database, secret_key_file, badge_key_file)
    else:
        _rotate_signin_key(database, secret_key_file)


def _rotate_signin_key(database: str, secret_key_file: Path | None) -> None:
    import os

    from paradeops.service.users import keys, sessions
    from paradeops.store import open_database

    if os.environ.get(keys.ENV):
        raise UserError(
            f"the key comes from {keys.ENV}: there is no file to rotate",
            hint=f"set a new {keys.ENV} for every process and restart them",
        )
    path = (secret_key_file or keys.default_key_file(database)).resolve()
    db = open_database(database)
    try:
        keys.write_new_key(path)
        with db.writing() as session:
            ended = sessions.revoke_everything(session, _now())
            from paradeops.service.users.service import audit

            audit(
                session,
                now=_now(),
                actor="cli",
                action="secret.rotate",
                target=str(path),
                detail={"sessions": ended},
            )
    finally:
        db.dispose()
    err.print(Text(f"new key in {path}; ended {ended} session(s): everyone signs in again"))


def _rotate_badge_key(database: str, secret_key_file: Path | None, badge_key_file: Path | None
                      ) -> None:  # fmt: skip
    """A new badge key file, audited in the database; the sign-in key is not touched."""
    import os

    from paradeops.io import badge_key
    from paradeops.service.users import keys
    from paradeops.service.users.service import audit

    if os.environ.get(badge_key.ENV):
        raise UserError(
            f"the badge key comes from {badge_key.ENV}: there is no file to rotate",
            hint=f"set a new {badge_key.ENV} for the service and for printing",
        )
    path = badge_key_file or badge_key.beside(secret_key_file or keys.default_key_file(database))
    path = path.resolve()
    existed = path.exists()
    badge_key.write_badge_key(path)
    with _writing(database) as session:
        audit(session, now=_now(), actor="cli", action="secret.rotate_badge", target=str(path),
              detail={"replaced": existed})  # fmt: skip
    void = "every badge printed before is void: print them again" if existed else "new"
    err.print(Text(f"badge key in {path} ({void})"))
