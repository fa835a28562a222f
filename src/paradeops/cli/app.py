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


@app.callback()
def _group() -> None:
    """Plan, time and run parades and state ceremonies."""
    # A callback keeps `paradeops` a group of commands even when only one
    # command module is loaded (`python -m paradeops.service` loads `serve`).
