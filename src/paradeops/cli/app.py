"""The Typer application every command module registers on."""

from __future__ import annotations

import typer
from rich.console import Console, ConsoleDimensions

app = typer.Typer(
    name="paradeops",
    help="Plan, time and run parades and state ceremonies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Columns of stdout when it is a file or a pipe: no table there is this wide,
#: so none is cut or squeezed to fit.
PIPE_WIDTH = 10_000


class OutputConsole(Console):
    """stdout: as wide as the terminal; piped or redirected, as wide as the tables.

    Rich otherwise takes the width of whichever standard stream is a
    terminal (stderr, when stdout is piped), or 80, and cuts tables to it.
    ``fixed_width`` (``--width N``) overrides both.
    """

    fixed_width: int | None = None

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        if self.fixed_width is not None:
            return ConsoleDimensions(self.fixed_width, dims.height)
        if not self.is_terminal:
            return ConsoleDimensions(PIPE_WIDTH, dims.height)
        return dims

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self.fixed_width, self.height = new_size


# Findings and tables go to stdout; problems with the input go to stderr.
out = OutputConsole(highlight=False)
err = Console(stderr=True, highlight=False)


@app.callback()
def _group() -> None:
    """Plan, time and run parades and state ceremonies."""
    # A callback keeps `paradeops` a group of commands even when only one
    # command module is loaded (`python -m paradeops.service` loads `serve`).
