"""Command-line adapter: parses arguments, calls the core, prints results.

Each command module registers its commands on :data:`paradeops.cli.app.app`
when imported. They pull in heavy libraries (numba, OR-Tools, SQLAlchemy,
FastAPI), so the root command (:class:`~paradeops.cli.app.LazyGroup`) lists
them from a static table and imports only the module of the command being
run. :func:`main` turns a :class:`~paradeops.errors.UserError` (a missing
optional extra among them) into a short message on stderr and exit code 2.
"""

from __future__ import annotations

import sys

from rich.text import Text

from paradeops.cli.app import COMMANDS, SHORT_HELP, app, err, import_command_module
from paradeops.errors import UserError


def load_commands(argv: list[str] | None = None) -> None:
    """Register the commands ``argv`` needs (all of them when in doubt).

    The CLI itself loads commands lazily; this is for callers that want the
    full Typer app (the docs' generator, tests).
    """
    first = next((a for a in argv or [] if not a.startswith("-")), None)
    names = [first] if first in COMMANDS else list(COMMANDS)
    for name in names:
        import_command_module(name)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``argv`` defaults to the process arguments); exits with its code."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args)
    except UserError as e:
        err.print(Text("error: ", style="bold red") + Text(str(e)), soft_wrap=True)
        sys.exit(2)


__all__ = ["COMMANDS", "SHORT_HELP", "app", "load_commands", "main"]
