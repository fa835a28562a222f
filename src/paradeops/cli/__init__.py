"""Command-line adapter: parses arguments, calls the core, prints results.

Every command module registers itself on :data:`paradeops.cli.app.app` when
imported; :func:`main` turns a :class:`~paradeops.errors.UserError` into a
short message on stderr and exit code 2.
"""

from __future__ import annotations

import sys

from rich.text import Text

from paradeops.cli.app import app, err
from paradeops.errors import UserError

# Imported for their side effect of registering commands.
from paradeops.cli import plan_commands  # noqa: E402,F401  isort: skip
from paradeops.cli import simulate_commands  # noqa: E402,F401  isort: skip
from paradeops.cli import service_commands  # noqa: E402,F401  isort: skip
from paradeops.cli import guests_commands  # noqa: E402,F401  isort: skip
from paradeops.cli import composition_commands  # noqa: E402,F401  isort: skip


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (``argv`` defaults to the process arguments); exits with its code."""
    try:
        app(args=argv)
    except UserError as e:
        err.print(Text("error: ", style="bold red") + Text(str(e)), soft_wrap=True)
        sys.exit(2)


__all__ = ["app", "main"]
