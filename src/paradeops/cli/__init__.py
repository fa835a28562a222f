"""Command-line adapter: parses arguments, calls the core, prints results.

Each command module registers its commands on :data:`paradeops.cli.app.app`
when imported. They pull in heavy libraries (numba, OR-Tools, SQLAlchemy,
FastAPI), so :func:`main` imports only the module of the command being run;
``--help`` and unknown commands import them all. :func:`main` turns a
:class:`~paradeops.errors.UserError` into a short message on stderr and exit
code 2.
"""

from __future__ import annotations

import importlib
import sys

from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.errors import UserError

#: Which module registers each top-level command.
COMMANDS = {
    "validate": "plan_commands",
    "schedule": "plan_commands",
    "graph": "plan_commands",
    "schema": "plan_commands",
    "simulate": "simulate_commands",
    "guests": "guests_commands",
    "seat": "guests_commands",
    "compose": "composition_commands",
    "music": "composition_commands",
    "rehearsals": "composition_commands",
    "calibrate": "composition_commands",
    "serve": "service_commands",
    "user": "user_commands",
    "secret": "user_commands",
    "backup": "backup_commands",
    "restore": "backup_commands",
    "db": "backup_commands",
}


def load_commands(argv: list[str] | None = None) -> None:
    """Register the commands ``argv`` needs (all of them when in doubt)."""
    first = next((a for a in argv or [] if not a.startswith("-")), None)
    modules = [COMMANDS[first]] if first in COMMANDS else sorted(set(COMMANDS.values()))
    for name in modules:
        importlib.import_module(f"paradeops.cli.{name}")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``argv`` defaults to the process arguments); exits with its code."""
    args = sys.argv[1:] if argv is None else argv
    load_commands(args)
    try:
        app(args=args)
    except UserError as e:
        err.print(Text("error: ", style="bold red") + Text(str(e)), soft_wrap=True)
        sys.exit(2)


__all__ = ["COMMANDS", "app", "load_commands", "main"]
