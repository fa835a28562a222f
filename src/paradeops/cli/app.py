"""The Typer application every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="paradeops",
    help="Plan, time and run parades and state ceremonies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Findings and tables go to stdout; problems with the input go to stderr.
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
